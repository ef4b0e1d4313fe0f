import Foundation
/// Plain-loop reference versions of the `ExpFamily` kernels, one agent at a time, never
/// tuned. Tests compare the batched BLAS kernels against these. Local.
public enum ExpFamilyReference {
  /// A(θ), μ(θ), π(θ) for one θ (length m).
  public static func evaluate(_ f: ExpFamily, theta: [Double]) -> (logPartition: Double, mean: [Double], pi: [Double]) {
    precondition(theta.count == f.m)
    let Q = f.q, m = f.m
    var z = [Double](repeating: 0, count: Q)
    var mx = -Double.infinity
    for j in 0..<Q {
      var s = f.logWeights[j]
      for k in 0..<m { s += theta[k] * f.phi[j * m + k] }
      z[j] = s
      mx = max(mx, s)
    }
    var sum = 0.0
    for j in 0..<Q { sum += exp(z[j] - mx) }
    let A = mx + log(sum)
    let pi = z.map { exp($0 - A) }
    var mean = [Double](repeating: 0, count: m)
    for j in 0..<Q { for k in 0..<m { mean[k] += pi[j] * f.phi[j * m + k] } }
    return (A, mean, pi)
  }

  /// (C(θ) + λI) v, with C = Σ_q π_q φ_q φ_qᵀ − μμᵀ.
  public static func hessianVector(_ f: ExpFamily, pi: [Double], mean: [Double], v: [Double]) -> [Double] {
    let Q = f.q, m = f.m
    precondition(pi.count == Q && mean.count == m && v.count == m)
    var out = [Double](repeating: 0, count: m)
    for j in 0..<Q {
      var s = 0.0
      for k in 0..<m { s += f.phi[j * m + k] * v[k] }
      for k in 0..<m { out[k] += pi[j] * s * f.phi[j * m + k] }
    }
    let dot = zip(mean, v).reduce(0) { $0 + $1.0 * $1.1 }
    for k in 0..<m { out[k] += f.lambda * v[k] - mean[k] * dot }
    return out
  }

  /// The explicit m×m matrix C(θ) + λI (row-major).
  public static func hessian(_ f: ExpFamily, pi: [Double], mean: [Double]) -> [Double] {
    let Q = f.q, m = f.m
    var h = [Double](repeating: 0, count: m * m)
    for j in 0..<Q {
      for k in 0..<m { for l in 0..<m { h[k * m + l] += pi[j] * f.phi[j * m + k] * f.phi[j * m + l] } }
    }
    for k in 0..<m { for l in 0..<m { h[k * m + l] -= mean[k] * mean[l] } ; h[k * m + k] += f.lambda }
    return h
  }
}
