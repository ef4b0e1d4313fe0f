import Foundation
import MacroCore

// The quadrature check of the diagnostics: is the rule fine enough for the θ* reached?
extension DistributedEngine {
  /// Warns once if A(θ*) on n_q and 2n_q nodes differ by more than 1e-6·max(1, |A|) (the rule
  /// is too coarse for the θ* reached: the exp-family moments then carry errors that matter;
  /// smaller differences, e.g. 1.6e-8 at n_q = 32, are harmless).
  /// Local (θ* is the same on every rank).
  func checkQuadrature(thetaStar: [Double], round r: Int) {
    guard quadratureWarning == nil else { return }
    let f = scenario.family
    let nq = f.quadrature.nodesPerAxis
    let a1 = logPartitionStreaming(basis: f.basis, theta: thetaStar, nodesPerAxis: nq)
    let a2 = logPartitionStreaming(basis: f.basis, theta: thetaStar, nodesPerAxis: 2 * nq)
    if abs(a1 - a2) > 1e-6 * max(1, abs(a2)) {
      quadratureWarning = "warning: quadrature too coarse for the θ* reached at round \(r): |A_\(nq) − A_\(2 * nq)| = \(abs(a1 - a2)); raise basis.quadrature_nodes"
    }
  }
}

/// log ∫ exp(θᵀφ) by a tensor Gauss rule evaluated node by node (no tables; for the
/// quadrature check). Local.
public func logPartitionStreaming(basis: LegendreBasis, theta: [Double], nodesPerAxis nq: Int) -> Double {
  let rule = GaussLegendre(nodes: nq)
  let d = basis.dimension, m = basis.count
  var Q = 1
  for _ in 0..<d { Q *= nq }
  var y = [Double](repeating: 0, count: d), vals = [Double](repeating: 0, count: m)
  var zs = [Double](repeating: 0, count: Q), lw = zs
  for q in 0..<Q {
    var r = q, w = 1.0
    for k in stride(from: d - 1, through: 0, by: -1) { let i = r % nq; r /= nq; y[k] = rule.nodes1D[i]; w *= rule.weights1D[i] }
    y.withUnsafeBufferPointer { yp in
      vals.withUnsafeMutableBufferPointer { vp in basis.evaluate(points: yp.baseAddress!, count: 1, values: vp.baseAddress!, jacobians: nil) }
    }
    var z = 0.0
    for k in 0..<m { z += theta[k] * vals[k] }
    zs[q] = z
    lw[q] = w
  }
  let mx = zs.max() ?? 0
  var s = 0.0
  for q in 0..<Q { s += lw[q] * exp(zs[q] - mx) }
  return mx + log(s)
}

