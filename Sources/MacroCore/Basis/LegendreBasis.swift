/// The tensor orthonormal Legendre basis φ(y) ∈ R^m on X = [-1,1]^d, total degree 1…K
/// (degree 0 dropped): φ_α(y) = Π_k p̂_{α_k}(y_k), m = C(K+d, d) − 1.
///
/// Ordering of the multi-indices α (a contract: plots and checkpoints rely on it): by total
/// degree |α| = 1…K, and within one total degree lexicographically descending in
/// (α_1, α_2, …, α_d). For d = 2, K = 2: (1,0), (0,1), (2,0), (1,1), (0,2).
///
/// `includeConstant` gives the basis of total degree 0…K (used for the moment tables of the
/// Hessian), with the constant first. Local.
public struct LegendreBasis: Sendable, Equatable {
  public let dimension: Int
  public let degree: Int
  /// Multi-indices, `count × dimension` row-major.
  public let exponents: [Int]
  public let count: Int

  public init(dimension d: Int, degree K: Int, includeConstant: Bool = false) {
    precondition(d >= 1 && K >= 1, "LegendreBasis needs d ≥ 1 and K ≥ 1")
    dimension = d
    degree = K
    var ex: [Int] = []
    var alpha = [Int](repeating: 0, count: d)
    // All α with |α| = t, lexicographically descending.
    func emit(_ k: Int, _ remaining: Int) {
      if k == d - 1 {
        alpha[k] = remaining
        ex.append(contentsOf: alpha)
        return
      }
      for a in stride(from: remaining, through: 0, by: -1) {
        alpha[k] = a
        emit(k + 1, remaining - a)
      }
    }
    for t in (includeConstant ? 0 : 1)...K { emit(0, t) }
    exponents = ex
    count = ex.count / d
  }

  /// m = C(K+d, d) − 1 for the basis without the constant.
  public static func size(dimension d: Int, degree K: Int) -> Int {
    var c = 1
    for i in 1...d { c = c * (K + i) / i }
    return c - 1
  }

  /// Evaluates φ at `points` (B×d row-major) into `values` (B×m) and, if given, the
  /// Jacobians into `jacobians` (B×m×d: for agent b, row α holds ∂φ_α/∂y_1…∂y_d). Local.
  public func evaluate(
    points: UnsafePointer<Double>, count B: Int,
    values: UnsafeMutablePointer<Double>, jacobians: UnsafeMutablePointer<Double>?
  ) {
    let d = dimension, K = degree, m = count
    let stride1 = K + 1
    // The 1-D tables on the stack (no heap allocation per call: the move step calls this twice
    // per agent and round).
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * d * stride1) { buffer in
      let tab = buffer.baseAddress!
      let dtab = tab + d * stride1
      exponents.withUnsafeBufferPointer { ex in
        for b in 0..<B {
          for k in 0..<d {
            Legendre1D.evaluate(points[b * d + k], degree: K,
                                values: tab + k * stride1, derivatives: dtab + k * stride1)
          }
          let out = values + b * m
          for a in 0..<m {
            var p = 1.0
            for k in 0..<d { p *= tab[k * stride1 + ex[a * d + k]] }
            out[a] = p
          }
          if let jac = jacobians {
            let jo = jac + b * m * d
            for a in 0..<m {
              for k in 0..<d {
                var p = dtab[k * stride1 + ex[a * d + k]]
                for l in 0..<d where l != k { p *= tab[l * stride1 + ex[a * d + l]] }
                jo[a * d + k] = p
              }
            }
          }
        }
      }
    }
  }

  /// Array convenience: values (B×m) and Jacobians (B×m×d).
  public func evaluate(points: [Double]) -> (values: [Double], jacobians: [Double]) {
    let B = points.count / dimension
    var v = [Double](repeating: 0, count: B * count)
    var j = [Double](repeating: 0, count: B * count * dimension)
    points.withUnsafeBufferPointer { p in
      v.withUnsafeMutableBufferPointer { vp in
        j.withUnsafeMutableBufferPointer { jp in
          evaluate(points: p.baseAddress!, count: B, values: vp.baseAddress!, jacobians: jp.baseAddress!)
        }
      }
    }
    return (v, j)
  }
}
