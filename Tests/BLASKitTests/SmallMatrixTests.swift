import Testing
import _TestSupport
import BLASKit

/// The batched Cholesky solve (`SmallMatrix.choleskySolve8`, 8 systems in vector lanes) against
/// LAPACK's dpotrf/dpotrs (its twin) on random SPD systems of the sizes the round uses; the lanes
/// that are not positive definite are reported without disturbing the others; every variant
/// this CPU has gives the same bits.
@Suite struct SmallMatrixTests {
  static let L = SmallMatrix.lanes

  static func spd(_ m: Int, _ rng: inout TestRandom, shift: Double) -> [Double] { rng.spdMatrix(m, shift: shift) }

  static func lapackSolve(_ h: [Double], _ b: [Double]) throws -> [Double] {
    let m = b.count
    var a = h, x = b
    try LAPACK.dpotrf(n: m, a: &a, lda: m)
    try LAPACK.dpotrs(n: m, nrhs: 1, a: a, lda: m, b: &x, ldb: m)
    return x
  }

  /// (lanes-layout matrices, right-hand sides m×8) of 8 systems.
  static func pack(_ hs: [[Double]], _ bs: [[Double]], m: Int) -> ([Double], [Double]) {
    SmallMatrix.packLanes(matrices: hs, vectors: bs, m: m)
  }

  /// Each lane against LAPACK on its own system. With shift 1 and m ≤ 40 the condition number
  /// is below ~2e3 (AAᵀ's largest eigenvalue ≲ 4m²/3), so both solves are accurate to ~1e-13
  /// relative and agree to 1e-12; the residual of each lane is checked too.
  @Test(arguments: [1, 2, 7, 27, 40])
  func matchesLAPACK(_ m: Int) throws {
    var rng = TestRandom(seed: UInt64(500 + m))
    let hs = (0..<Self.L).map { _ in Self.spd(m, &rng, shift: 1) }
    let bs = (0..<Self.L).map { _ in rng.vector(m, norm: 2) }
    let (a, x0) = Self.pack(hs, bs, m: m)
    var x = x0
    var scratch = [Double](repeating: 0, count: m * m * Self.L)
    let ok = SmallMatrix.choleskySolve8(a, m: m, &x, scratch: &scratch)
    #expect(ok == 0xFF)
    for l in 0..<Self.L {
      let want = try Self.lapackSolve(hs[l], bs[l]), got = (0..<m).map { x[$0 * Self.L + l] }
      let scale = want.map(abs).max() ?? 1
      let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-12 * scale, "m = \(m), lane \(l): \(worst / scale)")
      var res = 0.0
      for i in 0..<m {
        var s = 0.0
        for j in 0..<m { s += hs[l][i * m + j] * got[j] }
        res = max(res, abs(s - bs[l][i]))
      }
      #expect(res <= 1e-12 * (bs[l].map(abs).max() ?? 1) * Double(m), "m = \(m), lane \(l): residual \(res)")
    }
  }

  /// Lanes that are not positive definite (indefinite, zero, NaN) have their bit clear — like
  /// dpotrf, which refuses the first two (OpenBLAS's dpotrf lets a NaN pivot through; the round
  /// then fails on the NaN Newton decrement, so the outcome, a NaN θ, is the same) — and the
  /// other lanes are solved as if alone.
  @Test func reportsTheLanesThatAreNotPositiveDefinite() throws {
    var rng = TestRandom(seed: 9)
    let m = 6
    var hs = (0..<Self.L).map { _ in Self.spd(m, &rng, shift: 1) }
    for i in 0..<m { hs[1][i * m + i] -= 50 }
    hs[4] = [Double](repeating: 0, count: m * m)
    hs[6][3 * m + 3] = .nan
    let bs = (0..<Self.L).map { _ in rng.vector(m, norm: 1) }
    let (a, x0) = Self.pack(hs, bs, m: m)
    var x = x0
    var scratch = [Double](repeating: 0, count: m * m * Self.L)
    let ok = SmallMatrix.choleskySolve8(a, m: m, &x, scratch: &scratch)
    let expected: UInt8 = 0xFF & ~(1 << 1 | 1 << 4 | 1 << 6)
    #expect(ok == expected)
    for l in [1, 4] {
      var b = hs[l]
      #expect(throws: LAPACKError.self, "lane \(l): LAPACK refuses too") { try LAPACK.dpotrf(n: m, a: &b, lda: m) }
    }
    for l in [0, 2, 3, 5, 7] {
      let want = try Self.lapackSolve(hs[l], bs[l]), got = (0..<m).map { x[$0 * Self.L + l] }
      #expect(zip(got, want).map { abs($0 - $1) }.max()! <= 1e-12 * want.map(abs).max()!, "lane \(l)")
    }
  }

  /// Every variant this CPU runs gives the bits of the one in use.
  @Test func everyVariantGivesTheSameBits() {
    var rng = TestRandom(seed: 11)
    for m in [3, 27, 33] {
      let hs = (0..<Self.L).map { _ in Self.spd(m, &rng, shift: 0.5) }
      let bs = (0..<Self.L).map { _ in rng.vector(m, norm: 1) }
      let (a, x0) = Self.pack(hs, bs, m: m)
      var scratch = [Double](repeating: 0, count: m * m * Self.L)
      var want = x0
      #expect(SmallMatrix.choleskySolve8(a, m: m, &want, scratch: &scratch) == 0xFF)
      for variant in VectorMath.Variant.allCases {
        var x = x0
        guard SmallMatrix.choleskySolve8(a, m: m, &x, scratch: &scratch, variant: variant) != nil else { continue }
        #expect(x.map(\.bitPattern) == want.map(\.bitPattern), "m = \(m), \(variant.name)")
      }
    }
  }

  /// The textbook right-looking Cholesky (outer-product updates of the trailing upper
  /// triangle, rows scaled by 1/U_jj) and the two triangular solves, one system at a time in
  /// plain Swift: the order of operations the batched kernel's left-looking form keeps.
  static func rightLookingSolve(_ h: [Double], _ b: [Double]) -> [Double] {
    let m = b.count
    var u = h, x = b
    for j in 0..<m {
      let d = u[j * m + j].squareRoot()
      u[j * m + j] = d
      let inv = 1 / d
      for k in (j + 1)..<max(j + 1, m) { u[j * m + k] *= inv }
      for i in (j + 1)..<max(j + 1, m) {
        let f = u[j * m + i]
        for k in i..<m { u[i * m + k] -= f * u[j * m + k] }
      }
    }
    for j in 0..<m {
      let y = x[j] / u[j * m + j]
      x[j] = y
      for k in (j + 1)..<max(j + 1, m) { x[k] -= u[j * m + k] * y }
    }
    for j in (0..<m).reversed() {
      var s = x[j]
      for k in (j + 1)..<max(j + 1, m) { s -= u[j * m + k] * x[k] }
      x[j] = s / u[j * m + j]
    }
    return x
  }

  /// The batched kernel (left-looking, four entries in registers) gives the bits of the plain
  /// right-looking twin in every lane: the same products subtracted in the same order.
  @Test(arguments: [1, 5, 27, 33])
  func matchesTheRightLookingTwinBitwise(_ m: Int) {
    var rng = TestRandom(seed: UInt64(900 + m))
    let hs = (0..<Self.L).map { _ in Self.spd(m, &rng, shift: 0.5) }
    let bs = (0..<Self.L).map { _ in rng.vector(m, norm: 1) }
    let (a, x0) = Self.pack(hs, bs, m: m)
    var x = x0, scratch = [Double](repeating: 0, count: m * m * Self.L)
    #expect(SmallMatrix.choleskySolve8(a, m: m, &x, scratch: &scratch) == 0xFF)
    for l in 0..<Self.L {
      let want = Self.rightLookingSolve(hs[l], bs[l])
      #expect((0..<m).map { x[$0 * Self.L + l].bitPattern } == want.map(\.bitPattern), "m = \(m), lane \(l)")
    }
  }
}
