extension LAPACK {
  /// Eigenvalues (ascending) of the symmetric n×n matrix `a` (row-major, full storage), via
  /// `dsyev` on a copy. A safe entry point for modules that may not use pointers. Local.
  public static func symmetricEigenvalues(_ a: [Double], n: Int) throws(LAPACKError) -> [Double] {
    precondition(n >= 0 && a.count == n * n, "symmetricEigenvalues needs n×n entries")
    if n == 0 { return [] }
    var copy = a
    return try copy.withUnsafeMutableBufferPointer { (p) throws(LAPACKError) -> [Double] in
      guard let base = p.baseAddress else { return [] }
      return try dsyev(n: n, a: base, lda: n, vectors: false)
    }
  }
}
