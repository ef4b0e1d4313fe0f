import BLASKit

/// Small dense helpers on row-major n×n matrices. Local.
public enum Dense {
  public static func matVec(_ a: [Double], _ x: [Double], n: Int) -> [Double] {
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var s = 0.0
      for j in 0..<n { s += a[i * n + j] * x[j] }
      y[i] = s
    }
    return y
  }

  public static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in 0..<a.count { s += a[i] * b[i] }
    return s
  }

  public static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

  /// Cholesky factor (upper, A = UᵀU) of an SPD matrix.
  public static func cholesky(_ a: [Double], n: Int) throws(LAPACKError) -> [Double] {
    var f = a
    try f.withUnsafeMutableBufferPointer { (fp) throws(LAPACKError) in
      guard let base = fp.baseAddress else { return }
      try LAPACK.dpotrf(n: n, a: base, lda: n)
    }
    return f
  }

  /// Solve with a factor from `cholesky`.
  public static func choleskySolve(factor: [Double], _ b: [Double], n: Int) -> [Double] {
    var x = b
    factor.withUnsafeBufferPointer { fp in
      x.withUnsafeMutableBufferPointer { xp in
        guard let f = fp.baseAddress, let xb = xp.baseAddress else { return }
        try? LAPACK.dpotrs(n: n, nrhs: 1, a: f, lda: n, b: xb, ldb: n)
      }
    }
    return x
  }

  /// Solve A x = b for SPD A by Cholesky (LAPACK).
  public static func choleskySolve(_ a: [Double], _ b: [Double], n: Int) throws(LAPACKError) -> [Double] {
    choleskySolve(factor: try cholesky(a, n: n), b, n: n)
  }

  /// Higham's nearest symmetric positive semidefinite matrix in the Frobenius norm:
  /// symmetrize, then clamp eigenvalues below `floor` up to `floor` (> 0 gives SPD).
  public static func nearestSPD(_ a: [Double], n: Int, floor: Double = 0) throws(LAPACKError) -> [Double] {
    var vecs = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { vecs[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]) } }
    let w = try vecs.withUnsafeMutableBufferPointer { (p) throws(LAPACKError) -> [Double] in
      guard let base = p.baseAddress else { return [] }
      return try LAPACK.dsyev(n: n, a: base, lda: n, vectors: true)
    }
    // dsyev (column-major) stores eigenvectors as columns; in the row-major view they are rows.
    var out = [Double](repeating: 0, count: n * n)
    for k in 0..<n {
      let lam = max(w[k], floor)
      for i in 0..<n { for j in 0..<n { out[i * n + j] += lam * vecs[k * n + i] * vecs[k * n + j] } }
    }
    return out
  }
}
