// Plain-loop reference versions of the BLASKit routines. Never tuned; they assert their
// preconditions. Tests compare the OpenBLAS path against these.

public enum BLASReference {
  /// Reference for `BLAS.dgemm` (row-major).
  public static func dgemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0)
    precondition(lda >= (transA == .none ? k : m) && ldb >= (transB == .none ? n : k) && ldc >= n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let aip = transA == .none ? a[i * lda + p] : a[p * lda + i]
          let bpj = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
          s += aip * bpj
        }
        c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
      }
    }
  }

  /// Reference for `BLAS.dsyrk` (upper triangle only).
  public static func dsyrk(
    _ trans: Transpose, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    precondition(n >= 0 && k >= 0 && ldc >= n)
    for i in 0..<n {
      for j in i..<n {
        var s = 0.0
        for p in 0..<k {
          s += trans == .transpose ? a[p * lda + i] * a[p * lda + j] : a[i * lda + p] * a[j * lda + p]
        }
        c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
      }
    }
  }

  /// Reference Cholesky (upper, A = UᵀU, row-major), same contract as `LAPACK.dpotrf`.
  public static func dpotrf(n: Int, a: UnsafeMutablePointer<Double>, lda: Int) throws(LAPACKError) {
    for j in 0..<n {
      var d = a[j * lda + j]
      for p in 0..<j { d -= a[p * lda + j] * a[p * lda + j] }
      guard d > 0 else { throw .notPositiveDefinite(order: j + 1) }
      let ujj = d.squareRoot()
      a[j * lda + j] = ujj
      for i in (j + 1)..<max(j + 1, n) {
        var s = a[j * lda + i]
        for p in 0..<j { s -= a[p * lda + j] * a[p * lda + i] }
        a[j * lda + i] = s / ujj
      }
    }
  }

  /// Reference solve with the upper factor U (A = UᵀU); right-hand sides are rows of `b`.
  public static func dpotrs(n: Int, nrhs: Int, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafeMutablePointer<Double>, ldb: Int) {
    for r in 0..<nrhs {
      let x = b + r * ldb
      for i in 0..<n {  // Uᵀ y = b
        var s = x[i]
        for p in 0..<i { s -= a[p * lda + i] * x[p] }
        x[i] = s / a[i * lda + i]
      }
      for i in stride(from: n - 1, through: 0, by: -1) {  // U x = y
        var s = x[i]
        for p in (i + 1)..<max(i + 1, n) { s -= a[i * lda + p] * x[p] }
        x[i] = s / a[i * lda + i]
      }
    }
  }
}
