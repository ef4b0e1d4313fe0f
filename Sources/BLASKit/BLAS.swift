// BLASKit: the only module that calls OpenBLAS/LAPACK. Row-major, double precision.
//
// Every routine here has a plain-loop `…Reference` twin in `BLASReference.swift`; tests
// compare them on random shapes. Callers pass buffer pointers they own for the call.
import CBLAS

/// Transposition of a matrix operand.
public enum Transpose: Sendable {
  case none, transpose
  var cblas: CBLAS_TRANSPOSE {
    CBLAS_TRANSPOSE(rawValue: UInt32(self == .none ? cblas_shim_no_trans() : cblas_shim_trans()))
  }
}

/// Errors from LAPACK routines (`info` ≠ 0).
public enum LAPACKError: Error, Equatable, CustomStringConvertible {
  /// The leading minor of this order is not positive definite (dpotrf).
  case notPositiveDefinite(order: Int)
  case illegalArgument(routine: String, index: Int)
  case noConvergence(routine: String, info: Int)
  public var description: String {
    switch self {
    case .notPositiveDefinite(let k): return "matrix not positive definite (leading minor \(k))"
    case .illegalArgument(let r, let i): return "\(r): illegal value in argument \(i)"
    case .noConvergence(let r, let info): return "\(r): no convergence (info \(info))"
    }
  }
}

public enum BLAS {
  /// C ← α op(A) op(B) + β C, row-major. op(A) is m×k, op(B) is k×n, C is m×n. Local.
  @inlinable
  public static func dgemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    _dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }

  @usableFromInline
  static func _dgemm(
    _ transA: Transpose, _ transB: Transpose, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
    _ b: UnsafePointer<Double>, _ ldb: Int,
    _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
  ) {
    cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k),
                alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }

  /// C ← α AᵀA + β C (trans = .transpose, A is k×n) or α AAᵀ + β C (trans = .none, A is n×k);
  /// only the upper triangle of the n×n C is referenced and written. Row-major. Local.
  public static func dsyrk(
    _ trans: Transpose, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard n > 0 else { return }
    cblas_dsyrk(CblasRowMajor, CblasUpper, trans.cblas, blasint(n), blasint(k),
                alpha, a, blasint(lda), beta, c, blasint(ldc))
  }

  /// y ← α op(A) x + β y, row-major A (m×n). Local.
  public static func dgemv(
    _ trans: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
  ) {
    guard m > 0, n > 0 else { return }
    cblas_dgemv(CblasRowMajor, trans.cblas, blasint(m), blasint(n), alpha, a, blasint(lda),
                x, 1, beta, y, 1)
  }

  /// Number of threads OpenBLAS uses (OPENBLAS_NUM_THREADS).
  public static var threadCount: Int { Int(openblas_get_num_threads()) }
  /// OpenBLAS's configuration string (version, target core, threading).
  public static var configuration: String {
    guard let p = openblas_get_config() else { return "unknown" }
    return String(cString: p)
  }
  /// The core OpenBLAS selected at run time.
  public static var coreName: String {
    guard let p = openblas_get_corename() else { return "unknown" }
    return String(cString: p)
  }
}

public enum LAPACK {
  /// Cholesky factorization of the symmetric positive definite n×n matrix `a` (row-major,
  /// upper triangle of the row-major matrix used). On return the upper triangle holds U with
  /// A = UᵀU. Local.
  public static func dpotrf(n: Int, a: UnsafeMutablePointer<Double>, lda: Int) throws(LAPACKError) {
    // Row-major upper == column-major lower of the same memory.
    var uplo: CChar = CChar(UInt8(ascii: "L"))
    var nn = Int32(n), ld = Int32(lda), info: Int32 = 0
    dpotrf_(&uplo, &nn, a, &ld, &info)
    if info > 0 { throw .notPositiveDefinite(order: Int(info)) }
    if info < 0 { throw .illegalArgument(routine: "dpotrf", index: Int(-info)) }
  }

  /// Solve A X = B with the factor from `dpotrf`. `b` holds nrhs right-hand sides as
  /// the rows of a row-major nrhs×n matrix (i.e. each right-hand side contiguous). Local.
  public static func dpotrs(n: Int, nrhs: Int, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafeMutablePointer<Double>, ldb: Int) throws(LAPACKError) {
    var uplo: CChar = CChar(UInt8(ascii: "L"))
    var nn = Int32(n), nr = Int32(nrhs), la = Int32(lda), lb = Int32(ldb), info: Int32 = 0
    dpotrs_(&uplo, &nn, &nr, a, &la, b, &lb, &info)
    if info < 0 { throw .illegalArgument(routine: "dpotrs", index: Int(-info)) }
  }

  /// Eigen-decomposition of a symmetric n×n matrix (row-major, full storage, symmetric so
  /// layout does not matter). Returns ascending eigenvalues; if `vectors`, `a` is overwritten
  /// by the eigenvectors as its rows. Local.
  public static func dsyev(n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                           vectors: Bool) throws(LAPACKError) -> [Double] {
    var jobz: CChar = CChar(UInt8(ascii: vectors ? "V" : "N"))
    var uplo: CChar = CChar(UInt8(ascii: "L"))
    var nn = Int32(n), ld = Int32(lda), info: Int32 = 0
    var w = [Double](repeating: 0, count: n)
    var lwork: Int32 = -1
    var query = 0.0
    dsyev_(&jobz, &uplo, &nn, a, &ld, &w, &query, &lwork, &info)
    lwork = Int32(query)
    var work = [Double](repeating: 0, count: max(1, Int(lwork)))
    dsyev_(&jobz, &uplo, &nn, a, &ld, &w, &work, &lwork, &info)
    if info < 0 { throw .illegalArgument(routine: "dsyev", index: Int(-info)) }
    if info > 0 { throw .noConvergence(routine: "dsyev", info: Int(info)) }
    return w
  }
}
