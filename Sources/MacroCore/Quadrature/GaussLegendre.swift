import Foundation
/// Gauss–Legendre rules on [-1, 1] and their tensor products on [-1,1]^d. Nodes by Newton's
/// method on P_n from Tricomi's initial guesses; weights 2/((1−x²) P'_n(x)²). Local.
public struct GaussLegendre: Sendable, Equatable {
  /// 1-D nodes (ascending) and weights.
  public let nodes1D: [Double]
  public let weights1D: [Double]

  public init(nodes n: Int) {
    precondition(n >= 1)
    var x = [Double](repeating: 0, count: n), w = x
    for i in 0..<((n + 1) / 2) {
      // Tricomi / Chebyshev-like initial guess for the i-th largest root.
      var t = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
      var dp = 0.0
      for _ in 0..<100 {
        var p0 = 1.0, p1 = t
        if n == 1 { p1 = t; p0 = 1 }
        else {
          for k in 1..<n {
            let p2 = (Double(2 * k + 1) * t * p1 - Double(k) * p0) / Double(k + 1)
            p0 = p1; p1 = p2
          }
        }
        // p1 = P_n(t), p0 = P_{n-1}(t)
        dp = Double(n) * (t * p1 - p0) / (t * t - 1)
        if n == 1 { dp = 1 }
        let dt = p1 / dp
        t -= dt
        if abs(dt) < 1e-16 { break }
      }
      // Recompute derivative at the converged root.
      var p0 = 1.0, p1 = t
      if n > 1 { for k in 1..<n { let p2 = (Double(2 * k + 1) * t * p1 - Double(k) * p0) / Double(k + 1); p0 = p1; p1 = p2 } }
      dp = n == 1 ? 1 : Double(n) * (t * p1 - p0) / (t * t - 1)
      let wi = 2 / ((1 - t * t) * dp * dp)
      x[n - 1 - i] = t; w[n - 1 - i] = wi
      x[i] = -t; w[i] = wi
    }
    if n % 2 == 1 { x[n / 2] = 0 }
    nodes1D = x
    weights1D = w
  }
}

/// A tensor Gauss–Legendre rule with `nodesPerAxis^d` nodes on [-1,1]^d. Node q has
/// multi-index (q_1…q_d) with q_d fastest. Local.
public struct TensorQuadrature: Sendable, Equatable {
  public let dimension: Int
  public let nodesPerAxis: Int
  public let count: Int
  /// Q×d row-major node coordinates.
  public let nodes: [Double]
  /// Q weights (sum 2^d).
  public let weights: [Double]
  public let rule: GaussLegendre

  public init(dimension d: Int, nodesPerAxis n: Int) {
    dimension = d
    nodesPerAxis = n
    rule = GaussLegendre(nodes: n)
    var Q = 1
    for _ in 0..<d { Q *= n }
    count = Q
    var nd = [Double](repeating: 0, count: Q * d), wt = [Double](repeating: 1, count: Q)
    for q in 0..<Q {
      var r = q
      for k in stride(from: d - 1, through: 0, by: -1) {
        let i = r % n; r /= n
        nd[q * d + k] = rule.nodes1D[i]
        wt[q] *= rule.weights1D[i]
      }
    }
    nodes = nd
    weights = wt
  }
}
