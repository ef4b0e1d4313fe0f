import Foundation

/// A Gaussian mixture Σ_c w_c N(y; m_c, S_c), truncated to the box (the truncation is
/// implicit: densities are only ever integrated over X). Full covariances. Local.
public struct GaussianMixture: TargetDensity {
  public let dimension: Int
  public let weights: [Double]
  public let means: [[Double]]
  /// Cholesky-based precomputations: inverse covariance (d×d) and log normalizer per component.
  let inverses: [[Double]]
  let logNorms: [Double]

  public init(weights: [Double], means: [[Double]], covariances: [[[Double]]]) throws(TargetError) {
    guard !weights.isEmpty, weights.count == means.count, weights.count == covariances.count else {
      throw .invalid("mixture: weights, means and covariances must have the same nonzero length")
    }
    let d = means[0].count
    dimension = d
    self.weights = weights
    self.means = means
    var inv: [[Double]] = [], ln: [Double] = []
    for (c, S) in covariances.enumerated() {
      guard S.count == d, S.allSatisfy({ $0.count == d }), means[c].count == d else {
        throw .invalid("mixture component \(c): mean/covariance shape does not match dimension \(d)")
      }
      // Inverse and determinant by Gauss–Jordan (d ≤ 3); SPD required.
      var a = S.flatMap { $0 }
      var b = [Double](repeating: 0, count: d * d)
      for i in 0..<d { b[i * d + i] = 1 }
      var det = 1.0
      for col in 0..<d {
        let p = a[col * d + col]
        guard p > 0 else { throw .invalid("mixture component \(c): covariance is not positive definite") }
        det *= p
        for j in 0..<d { a[col * d + j] /= p; b[col * d + j] /= p }
        for r in 0..<d where r != col {
          let f = a[r * d + col]
          for j in 0..<d { a[r * d + j] -= f * a[col * d + j]; b[r * d + j] -= f * b[col * d + j] }
        }
      }
      inv.append(b)
      ln.append(-0.5 * (Double(d) * log(2 * Double.pi) + log(det)))
    }
    inverses = inv
    logNorms = ln
  }

  public func logDensity(at y: UnsafePointer<Double>) -> Double {
    let d = dimension
    var terms = [Double](repeating: 0, count: weights.count)
    var mx = -Double.infinity
    for c in 0..<weights.count {
      var quad = 0.0
      for i in 0..<d {
        var s = 0.0
        for j in 0..<d { s += inverses[c][i * d + j] * (y[j] - means[c][j]) }
        quad += (y[i] - means[c][i]) * s
      }
      let t = log(max(weights[c], 1e-300)) + logNorms[c] - 0.5 * quad
      terms[c] = t
      mx = max(mx, t)
    }
    var s = 0.0
    for t in terms { s += exp(t - mx) }
    return mx + log(s)
  }
}
