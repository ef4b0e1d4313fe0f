import Testing
import _TestSupport
import MacroCore
import BLASKit

/// The round's CG (`ConjugateGradient.solve`, pointer loops) against its plain twin
/// (`solveReference`, arrays and `Dense`): random SPD systems, warm starts, 0–2m iterations,
/// and the early exits (exact start: residual 0; an indefinite H: pᵀHp ≤ 0). Both run the
/// same arithmetic in the same order, so the results must be the same bits.
@Suite struct ConjugateGradientTests {
  static func run(_ h: [Double], _ b: [Double], _ v0: [Double], _ T: Int) -> [Double] {
    let m = b.count
    var v = v0, r = [Double](repeating: 0, count: m), p = r, ap = r
    h.withUnsafeBufferPointer { hp in
      b.withUnsafeBufferPointer { bp in
        ConjugateGradient.solve(h: hp.baseAddress!, b: bp.baseAddress!, v: &v, m: m, iterations: T, r: &r, p: &p, ap: &ap)
      }
    }
    return v
  }

  static func spd(_ m: Int, _ rng: inout TestRandom, shift: Double) -> [Double] { rng.spdMatrix(m, shift: shift) }

  @Test(arguments: [1, 5, 27])
  func fastMatchesReference(_ m: Int) {
    var rng = TestRandom(seed: UInt64(100 + m))
    for T in [0, 1, 2, m, 2 * m] {
      let h = Self.spd(m, &rng, shift: 0.01), b = rng.vector(m, norm: 3), v0 = rng.vector(m, norm: 1)
      let fast = Self.run(h, b, v0, T), ref = ConjugateGradient.solveReference(h: h, b: b, v: v0, iterations: T)
      #expect(fast == ref, "m = \(m), T = \(T)")
      if T == 2 * m {  // converged: H v = b
        let hv = Dense.matVec(h, fast, n: m)
        #expect(zip(hv, b).map { abs($0 - $1) }.max()! <= 1e-8 * Dense.norm(b), "m = \(m)")
      }
    }
  }

  @Test func earlyExitsMatchReference() {
    var rng = TestRandom(seed: 7)
    let m = 6
    let h = Self.spd(m, &rng, shift: 0.5), v = rng.vector(m, norm: 1)
    let b = Dense.matVec(h, v, n: m)  // exact warm start: r = 0
    #expect(Self.run(h, b, v, 3) == v)
    #expect(ConjugateGradient.solveReference(h: h, b: b, v: v, iterations: 3) == v)
    var neg = h
    for i in 0..<m { for j in 0..<m { neg[i * m + j] = -h[i * m + j] } }  // pᵀHp < 0: no step
    let b2 = rng.vector(m, norm: 1), z = [Double](repeating: 0, count: m)
    #expect(Self.run(neg, b2, z, 4) == z)
    #expect(ConjugateGradient.solveReference(h: neg, b: b2, v: z, iterations: 4) == z)
  }

  /// The batched C kernel (`SmallMatrix.conjugateGradient8`, what the round runs) in every
  /// variant this CPU has: 8 different systems in the 8 lanes — SPD ones, an indefinite one
  /// (pᵀHp ≤ 0 exits at once) and an exact warm start (residual 0) among them — each with the
  /// same bits as `solve` on that system alone, reading the upper triangle only.
  @Test(arguments: [1, 5, 27, 40])
  func batchedKernelHasTheSameBits(_ m: Int) {
    var rng = TestRandom(seed: UInt64(300 + m))
    for T in [0, 1, 2, m] {
      var hs = [[Double]](), bs = [[Double]](), vs = [[Double]]()
      for l in 0..<SmallMatrix.lanes {
        let h = Self.spd(m, &rng, shift: l == 3 ? -1e3 : 0.01)
        let v0 = rng.vector(m, norm: 1)
        hs.append(h)
        vs.append(v0)
        bs.append(l == 5 ? Dense.matVec(h, v0, n: m) : rng.vector(m, norm: 3))
      }
      let L = SmallMatrix.lanes
      let packed = SmallMatrix.packLanes(matrices: hs, vectors: bs, m: m)
      var hl = packed.matrices
      let bl = packed.vectors
      // The kernel reads the upper triangle only (what the assembly writes): poison the lower.
      for l in 0..<L { for k in 0..<m { for j in 0..<k { hl[SmallMatrix.lanesIndex(agent: l, row: k, column: j, m: m)] = .nan } } }
      let want = (0..<L).map { Self.run(hs[$0], bs[$0], vs[$0], T) }
      var scratch = [Double](repeating: 0, count: 3 * m * L)
      for variant in VectorMath.Variant.allCases {
        var vl = [Double](repeating: 0, count: m * L)
        for l in 0..<L { for k in 0..<m { vl[k * L + l] = vs[l][k] } }
        guard SmallMatrix.conjugateGradient8(h: hl, b: bl, v: &vl, m: m, iterations: T, scratch: &scratch,
                                             variant: variant) else { continue }
        for l in 0..<L {
          let got = (0..<m).map { vl[$0 * L + l] }
          #expect(got.map(\.bitPattern) == want[l].map(\.bitPattern), "m = \(m), T = \(T), lane \(l), \(variant.name)")
        }
      }
    }
  }
}
