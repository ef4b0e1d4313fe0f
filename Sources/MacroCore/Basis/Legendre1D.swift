/// Orthonormal Legendre polynomials on [-1, 1]: p̂_n = √((2n+1)/2) P_n, so that
/// ∫₋₁¹ p̂_a p̂_b dt = δ_ab. Values by the three-term recurrence and derivatives by
/// `P'_{n+1} = P'_{n−1} + (2n+1) P_n`, which is stable at ±1. Local.
public enum Legendre1D {
  /// Writes p̂_0…p̂_K at `t` into `values` (and their derivatives into `derivatives`).
  @inlinable
  public static func evaluate(
    _ t: Double, degree K: Int,
    values: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>?
  ) {
    recurrence(t, degree: K, values: values, derivatives: derivatives, normalization: normalization)
  }

  @inlinable @inline(__always)
  static func recurrence(
    _ t: Double, degree K: Int,
    values: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>?,
    normalization: (Int) -> Double
  ) {
    // Unnormalized P_n and P'_n first.
    values[0] = 1
    if K >= 1 { values[1] = t }
    if K >= 2 {
      for n in 1..<K {
        let nd = Double(n)
        values[n + 1] = ((2 * nd + 1) * t * values[n] - nd * values[n - 1]) / (nd + 1)
      }
    }
    if let d = derivatives {
      d[0] = 0
      if K >= 1 { d[1] = 1 }
      if K >= 2 {
        for n in 1..<K { d[n + 1] = d[n - 1] + Double(2 * n + 1) * values[n] }
      }
      for n in 0...K { d[n] *= normalization(n) }
    }
    for n in 0...K { values[n] *= normalization(n) }
  }

  /// `evaluate(_:degree:values:derivatives:)` at eight points at once, one point per SIMD lane,
  /// with the normalizations √((2n+1)/2) read from `normalizations` (the same bits: √ is
  /// correctly rounded): `values[n][p]` = p̂_n(t[p]) (and the derivatives). Every lane does the
  /// arithmetic of the one-point recurrence (its plain twin) in its order, so each lane has its bits; the eight
  /// recurrences run side by side instead of one division chain after another (issue 17: the
  /// move step evaluates the basis three times per agent and round). Local.
  @inlinable
  public static func evaluate(
    _ t: SIMD8<Double>, degree K: Int, normalizations: UnsafePointer<Double>,
    values: UnsafeMutablePointer<SIMD8<Double>>, derivatives: UnsafeMutablePointer<SIMD8<Double>>?
  ) {
    values[0] = SIMD8(repeating: 1)
    if K >= 1 { values[1] = t }
    if K >= 2 {
      for n in 1..<K {
        let nd = Double(n)
        values[n + 1] = ((2 * nd + 1) * t * values[n] - nd * values[n - 1]) / (nd + 1)
      }
    }
    if let d = derivatives {
      d[0] = SIMD8(repeating: 0)
      if K >= 1 { d[1] = SIMD8(repeating: 1) }
      if K >= 2 {
        for n in 1..<K { d[n + 1] = d[n - 1] + Double(2 * n + 1) * values[n] }
      }
      for n in 0...K { d[n] *= normalizations[n] }
    }
    for n in 0...K { values[n] *= normalizations[n] }
  }

  /// √((2n+1)/2).
  @inlinable
  public static func normalization(_ n: Int) -> Double { (Double(2 * n + 1) / 2).squareRoot() }

  /// Convenience returning arrays.
  public static func evaluate(_ t: Double, degree K: Int) -> (values: [Double], derivatives: [Double]) {
    var v = [Double](repeating: 0, count: K + 1), d = v
    v.withUnsafeMutableBufferPointer { vp in
      d.withUnsafeMutableBufferPointer { dp in
        evaluate(t, degree: K, values: vp.baseAddress!, derivatives: dp.baseAddress!)
      }
    }
    return (v, d)
  }
}
