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
  /// √((2n+1)/2), n = 0…K: the 1-D normalizations, computed once.
  let normalizations: [Double]

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
    normalizations = (0...K).map { Legendre1D.normalization($0) }
  }

  /// m = C(K+d, d) − 1 for the basis without the constant.
  public static func size(dimension d: Int, degree K: Int) -> Int {
    var c = 1
    for i in 1...d { c = c * (K + i) / i }
    return c - 1
  }

  /// Evaluates φ at `points` (B×d row-major) into `values` (B×m) and, if given, the
  /// Jacobians into `jacobians` (B×m×d: for agent b, row α holds ∂φ_α/∂y_1…∂y_d). Eight points
  /// at a time: the 1-D tables per axis with one point per SIMD lane (derivatives only when the
  /// Jacobians are asked for), then each point's products; d = 2 by a dedicated loop. The same
  /// bits as `evaluateReference` (its twin in the tests): every table entry and product is
  /// formed from the same factors in the same order. Local.
  public func evaluate(
    points: UnsafePointer<Double>, count B: Int,
    values: UnsafeMutablePointer<Double>, jacobians: UnsafeMutablePointer<Double>?
  ) {
    let d = dimension, K = degree, m = count, s1 = K + 1, L = 8
    // The 1-D tables on the stack (no heap allocation per call), d·(K+1) vectors of 8 points
    // each (and as many for the derivatives).
    withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: 2 * d * s1) { buffer in
      let tab = buffer.baseAddress!, dtab = tab + d * s1
      let lanes = UnsafeRawPointer(tab).assumingMemoryBound(to: Double.self)
      let dlanes = UnsafeRawPointer(dtab).assumingMemoryBound(to: Double.self)
      exponents.withUnsafeBufferPointer { ex in
        normalizations.withUnsafeBufferPointer { nz in
          var b0 = 0
          while b0 < B {
            let n = Swift.min(L, B &- b0)
            for k in 0..<d {
              var t = SIMD8<Double>(repeating: 0)
              for p in 0..<n { t[p] = points[(b0 &+ p) &* d &+ k] }
              Legendre1D.evaluate(t, degree: K, normalizations: nz.baseAddress!, values: tab + k &* s1,
                                  derivatives: jacobians == nil ? nil : dtab + k &* s1)
            }
            for p in 0..<n {
              let b = b0 &+ p, out = values + b &* m, jo = jacobians.map { $0 + b &* m &* d }
              if d == 2 {
                Self.products2D(ex.baseAddress!, m: m, tab: lanes + p, dtab: dlanes + p, stride: s1 &* L, step: L,
                                values: out, jacobians: jo)
              } else {
                Self.products(ex.baseAddress!, d: d, m: m, tab: lanes + p, dtab: dlanes + p, stride: s1 &* L, step: L,
                              values: out, jacobians: jo)
              }
            }
            b0 &+= L
          }
        }
      }
    }
  }

  /// φ_α = p̂_{α_1}(y_1) p̂_{α_2}(y_2) and ∂_k φ_α = p̂'_{α_k} · the other factor (d = 2).
  /// p̂_n(y_k) is `tab[k·stride + n·step]` (and p̂' likewise in `dtab`).
  @inline(__always)
  static func products2D(_ ex: UnsafePointer<Int>, m: Int, tab: UnsafePointer<Double>, dtab: UnsafePointer<Double>,
                         stride s1: Int, step: Int, values out: UnsafeMutablePointer<Double>,
                         jacobians jo: UnsafeMutablePointer<Double>?) {
    let t0 = tab, t1 = tab + s1
    for a in 0..<m {
      out[a] = t0[ex[2 &* a] &* step] * t1[ex[2 &* a &+ 1] &* step]
    }
    guard let jo else { return }
    let d0 = dtab, d1 = dtab + s1
    for a in 0..<m {
      let e0 = ex[2 &* a] &* step, e1 = ex[2 &* a &+ 1] &* step
      jo[2 &* a] = d0[e0] * t1[e1]
      jo[2 &* a &+ 1] = d1[e1] * t0[e0]
    }
  }

  /// The products for any d: φ_α = 1 · Π_k p̂_{α_k}(y_k); ∂_k φ_α = p̂'_{α_k}(y_k) · Π_{l≠k} p̂_{α_l}(y_l).
  /// Table layout as in `products2D`.
  @inline(__always)
  static func products(_ ex: UnsafePointer<Int>, d: Int, m: Int, tab: UnsafePointer<Double>, dtab: UnsafePointer<Double>,
                       stride s1: Int, step: Int, values out: UnsafeMutablePointer<Double>,
                       jacobians jo: UnsafeMutablePointer<Double>?) {
    for a in 0..<m {
      var p = 1.0
      for k in 0..<d { p *= tab[k * s1 + ex[a * d + k] * step] }
      out[a] = p
    }
    guard let jo else { return }
    for a in 0..<m {
      for k in 0..<d {
        var p = dtab[k * s1 + ex[a * d + k] * step]
        for l in 0..<d where l != k { p *= tab[l * s1 + ex[a * d + l] * step] }
        jo[a * d + k] = p
      }
    }
  }

  /// The plain twin of `evaluate`: 1-D tables with their derivatives by `Legendre1D.evaluate`
  /// (normalizations computed per call), then the general products, one agent at a time.
  public func evaluateReference(
    points: UnsafePointer<Double>, count B: Int,
    values: UnsafeMutablePointer<Double>, jacobians: UnsafeMutablePointer<Double>?
  ) {
    let d = dimension, K = degree, m = count, s1 = K + 1
    var tab = [Double](repeating: 0, count: d * s1), dtab = tab
    exponents.withUnsafeBufferPointer { ex in
      tab.withUnsafeMutableBufferPointer { tp in
        dtab.withUnsafeMutableBufferPointer { dp in
          for b in 0..<B {
            for k in 0..<d {
              Legendre1D.evaluate(points[b * d + k], degree: K, values: tp.baseAddress! + k * s1,
                                  derivatives: dp.baseAddress! + k * s1)
            }
            Self.products(ex.baseAddress!, d: d, m: m, tab: tp.baseAddress!, dtab: dp.baseAddress!, stride: s1, step: 1,
                          values: values + b * m, jacobians: jacobians.map { $0 + b * m * d })
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
