import Foundation

/// What the costs need to know of a target, computed once:
/// μ_t = E_t[φ] and E_t[log p_t] by a fine tensor rule (`fineNodes` per axis), and the
/// normalized log p_t at the nodes of the family's own rule (for the reverse KL). Local.
public struct TargetMoments: Sendable {
  public let mean: [Double]
  /// E_t[log p_t] (normalized on X): the negative entropy.
  public let expectedLogDensity: Double
  /// log p_t at the family's Q nodes, normalized with the fine rule's constant.
  public let logDensityAtNodes: [Double]
  public let fineNodes: Int

  public init(target: TargetDensity, family f: ExpFamily, fineNodes nf: Int = 120) {
    let d = f.basis.dimension
    precondition(target.dimension == d, "target dimension \(target.dimension) ≠ basis dimension \(d)")
    fineNodes = nf
    let fine = TensorQuadrature(dimension: d, nodesPerAxis: nf)
    var logp = [Double](repeating: 0, count: fine.count)
    fine.nodes.withUnsafeBufferPointer { nd in
      for j in 0..<fine.count { logp[j] = target.logDensity(at: nd.baseAddress! + j * d) }
    }
    let mx = logp.max() ?? 0
    var z = 0.0
    for j in 0..<fine.count { z += fine.weights[j] * exp(logp[j] - mx) }
    let logZ = mx + log(z)
    // π_t at fine nodes, then μ_t and E[log p].
    var mean = [Double](repeating: 0, count: f.m)
    var elog = 0.0
    let m = f.m
    var vals = [Double](repeating: 0, count: m)
    fine.nodes.withUnsafeBufferPointer { nd in
      vals.withUnsafeMutableBufferPointer { vb in
        for j in 0..<fine.count {
          let lp = logp[j] - logZ
          let w = fine.weights[j] * exp(lp)
          elog += w * lp
          f.basis.evaluate(points: nd.baseAddress! + j * d, count: 1, values: vb.baseAddress!, jacobians: nil)
          for k in 0..<m { mean[k] += w * vb[k] }
        }
      }
    }
    self.mean = mean
    expectedLogDensity = elog
    var atNodes = [Double](repeating: 0, count: f.q)
    f.quadrature.nodes.withUnsafeBufferPointer { nd in
      for j in 0..<f.q { atNodes[j] = target.logDensity(at: nd.baseAddress! + j * d) - logZ }
    }
    logDensityAtNodes = atNodes
  }
}
