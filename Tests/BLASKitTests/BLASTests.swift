import Testing
import _TestSupport
import BLASKit



@Suite struct BLASTests {
  static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (1, 7, 5), (7, 1, 5), (5, 9, 1), (13, 17, 11), (64, 27, 40), (3, 100, 2)]

  @Test(arguments: shapes)
  func dgemmMatchesReference(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    for (ta, tb) in [(Transpose.none, Transpose.none), (.transpose, .none), (.none, .transpose), (.transpose, .transpose)] {
      let a = randomDoubles(m * k, seed: 1), b = randomDoubles(k * n, seed: 2)
      var c1 = randomDoubles(m * n, seed: 3), c2 = c1
      let lda = ta == .none ? k : m, ldb = tb == .none ? n : k
      BLAS.dgemm(ta, tb, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb, beta: 0.5, c: &c1, ldc: n)
      BLASReference.dgemm(ta, tb, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb, beta: 0.5, c: &c2, ldc: n)
      #expect(relativeDifference(c1, c2) < 1e-13, "dgemm \(ta) \(tb) \(m)x\(n)x\(k)")
    }
  }

  @Test(arguments: shapes)
  func dsyrkMatchesReference(shape: (Int, Int, Int)) {
    let (_, n, k) = shape
    for t in [Transpose.none, .transpose] {
      let a = randomDoubles(n * k, seed: 4)
      let lda = t == .none ? k : n
      var c1 = [Double](repeating: 0, count: n * n), c2 = c1
      BLAS.dsyrk(t, n: n, k: k, alpha: 1, a: a, lda: lda, beta: 0, c: &c1, ldc: n)
      BLASReference.dsyrk(t, n: n, k: k, alpha: 1, a: a, lda: lda, beta: 0, c: &c2, ldc: n)
      var u1 = [Double](), u2 = [Double]()
      for i in 0..<n { for j in i..<n { u1.append(c1[i * n + j]); u2.append(c2[i * n + j]) } }
      #expect(relativeDifference(u1, u2) < 1e-13, "dsyrk \(t) n=\(n) k=\(k)")
    }
  }

  @Test(arguments: [1, 2, 5, 27, 40])
  func choleskyMatchesReferenceAndSolves(n: Int) throws {
    // SPD matrix A = BᵀB + n I.
    let b = randomDoubles(n * n, seed: 5)
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n {
      var s = i == j ? Double(n) : 0
      for p in 0..<n { s += b[p * n + i] * b[p * n + j] }
      a[i * n + j] = s
    } }
    var f1 = a, f2 = a
    try LAPACK.dpotrf(n: n, a: &f1, lda: n)
    try BLASReference.dpotrf(n: n, a: &f2, lda: n)
    var up1 = [Double](), up2 = [Double]()
    for i in 0..<n { for j in i..<n { up1.append(f1[i * n + j]); up2.append(f2[i * n + j]) } }
    #expect(relativeDifference(up1, up2) < 1e-12)
    // Solve two right-hand sides and check the residual against A.
    let rhs = randomDoubles(2 * n, seed: 6)
    var x1 = rhs, x2 = rhs
    try LAPACK.dpotrs(n: n, nrhs: 2, a: f1, lda: n, b: &x1, ldb: n)
    BLASReference.dpotrs(n: n, nrhs: 2, a: f2, lda: n, b: &x2, ldb: n)
    #expect(relativeDifference(x1, x2) < 1e-11)
    for r in 0..<2 {
      var res = 0.0
      for i in 0..<n {
        var s = 0.0
        for j in 0..<n { s += a[i * n + j] * x1[r * n + j] }
        res = max(res, abs(s - rhs[r * n + i]))
      }
      #expect(res < 1e-10 * Double(n))
    }
  }

  @Test func choleskyRefusesIndefinite() {
    var a: [Double] = [1, 2, 2, 1]
    #expect(throws: LAPACKError.notPositiveDefinite(order: 2)) { try LAPACK.dpotrf(n: 2, a: &a, lda: 2) }
    var b: [Double] = [1, 2, 2, 1]
    #expect(throws: LAPACKError.notPositiveDefinite(order: 2)) { try BLASReference.dpotrf(n: 2, a: &b, lda: 2) }
  }

  @Test func symmetricEigenvalues() throws {
    var a: [Double] = [2, 1, 0, 1, 2, 0, 0, 0, 5]
    let w = try LAPACK.dsyev(n: 3, a: &a, lda: 3, vectors: false)
    #expect(abs(w[0] - 1) < 1e-14 && abs(w[1] - 3) < 1e-14 && abs(w[2] - 5) < 1e-14)
  }
}
