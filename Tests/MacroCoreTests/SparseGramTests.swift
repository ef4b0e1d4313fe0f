import Testing
import _TestSupport
import MacroCore
import BLASKit

/// The Gram coefficients' nonzero pattern (SparseGram) against the dense table computed by
/// quadrature, and the sparse Hessian assembly against its dense DGEMM twin.
@Suite struct SparseGramTests {
  static let shapes: [(d: Int, K: Int, nq: Int)] = [(1, 5, 12), (2, 4, 9), (2, 6, 14), (3, 2, 6)]

  /// Every dense entry outside the pattern is round-off (≤ 1e-14 of the largest entry), every
  /// entry inside it is kept with its value, and the pattern is what the 1-D linearization
  /// rule predicts for d = 2, K = 6: 1,568 of 34,398 entries.
  @Test(arguments: shapes)
  func patternHoldsEveryNonzero(_ s: (d: Int, K: Int, nq: Int)) {
    let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.05, blockSize: 4)
    let M2 = f.momentCount, P = f.packedCount, c = f.gramCoefficients, g = f.gram
    let largest = c.map(abs).max() ?? 0
    var inPattern = [Bool](repeating: false, count: M2 * P)
    for col in 0..<P {
      for j in g.start[col]..<g.start[col + 1] {
        inPattern[g.rows[j] * P + col] = true
        #expect(g.values[j].bitPattern == c[g.rows[j] * P + col].bitPattern)
      }
      let rows = g.rows[g.start[col]..<g.start[col + 1]]
      #expect(rows.elementsEqual(rows.sorted()), "rows of column \(col) increase")
    }
    var dropped = 0.0, keptSmallest = Double.infinity
    for i in 0..<(M2 * P) {
      if inPattern[i] { keptSmallest = min(keptSmallest, abs(c[i])) } else { dropped = max(dropped, abs(c[i])) }
    }
    print("d=\(s.d) K=\(s.K): \(g.nonzeroCount) of \(M2 * P) kept; largest dropped \(dropped / largest), smallest kept \(keptSmallest / largest) (relative to the largest)")
    #expect(dropped <= 1e-14 * largest)
    #expect(keptSmallest >= 1e-6 * largest, "a kept entry is a true nonzero")
    if s.d == 2 && s.K == 6 { #expect(g.nonzeroCount == 1568 && M2 * P == 34398) }
  }

  /// The sparse assembly (`computeHessian`) against the dense DGEMM twin on blocks of random θ,
  /// relative to the Hessian's largest entry.
  @Test(arguments: shapes)
  func sparseAssemblyMatchesDenseTwin(_ s: (d: Int, K: Int, nq: Int)) {
    let B = 7, count = 5
    let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.05, blockSize: B)
    let m = f.m, Q = f.q
    var rng = TestRandom(seed: UInt64(31 * s.d + s.K))
    var theta = [Double]()
    for b in 0..<B { theta += rng.vector(m, norm: b < count ? 3 : 40) }
    var logA = [Double](repeating: 0, count: B), mean = [Double](repeating: 0, count: B * m)
    var pi = [Double](repeating: 0, count: B * Q)
    var fast = [Double](repeating: 0, count: B * m * m), dense = fast
    let ws = f.makeWorkspace()
    theta.withUnsafeBufferPointer { th in
      f.computeExpFamily(theta: th.baseAddress!, count: count, logPartition: &logA, mean: &mean, pi: &pi)
    }
    f.computeHessian(pi: pi, mean: mean, count: count, out: &fast, workspace: ws)
    f.computeHessianReference(pi: pi, mean: mean, count: count, out: &dense, workspace: ws)
    for b in 0..<count {
      let r = (b * m * m)..<((b + 1) * m * m)
      let scale = dense[r].map(abs).max() ?? 1
      let worst = zip(fast[r], dense[r]).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-14 * scale, "row \(b): \(worst / scale)")
    }
  }

  /// The vectorized C assembly (`SmallMatrix.assembleHessian`) in every variant this CPU has,
  /// in both layouts: the same bits as the plain loop `assembleHessianPlain`, for counts that
  /// fill 8 lanes, leave some empty, and a single agent; the agent-major output leaves rows past
  /// `count` untouched, the lanes layout holds the upper triangle only (the lower one is not
  /// written) and λI in the unused lanes.
  @Test(arguments: shapes)
  func vectorAssemblyHasThePlainBits(_ s: (d: Int, K: Int, nq: Int)) {
    let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.05, blockSize: 32)
    let m = f.m, M2 = f.momentCount
    var rng = TestRandom(seed: UInt64(77 + s.K))
    for count in [1, 8, 13, 32] {
      let moments = (0..<(count * M2)).map { _ in rng.signedUnit() }
      let mean = (0..<(count * m)).map { _ in rng.signedUnit() }
      var want = [Double](repeating: 0, count: count * m * m)
      f.assembleHessianPlain(moments: moments, mean: mean, count: count, out: &want)
      var scratch = [Double](repeating: 0, count: SmallMatrix.assembleScratchCount(m: m, momentCount: M2))
      for variant in VectorMath.Variant.allCases {
        var got = [Double](repeating: -7, count: (count + 1) * m * m)
        var lanes = [Double](repeating: -7, count: SmallMatrix.lanesCount(agents: count, m: m))
        let ran = SmallMatrix.assembleHessian(count: count, m: m, momentCount: M2, moments: moments, mean: mean,
                                              lambda: f.lambda, start: f.gram.start, rows: f.gram.rows,
                                              values: f.gram.values, lanesLayout: false, scratch: &scratch,
                                              out: &got, variant: variant)
        guard ran else { continue }
        SmallMatrix.assembleHessian(count: count, m: m, momentCount: M2, moments: moments, mean: mean,
                                    lambda: f.lambda, start: f.gram.start, rows: f.gram.rows, values: f.gram.values,
                                    lanesLayout: true, scratch: &scratch, out: &lanes, variant: variant)
        #expect(got[0..<(count * m * m)].map(\.bitPattern) == want.map(\.bitPattern), "count \(count), \(variant.name)")
        #expect(got[(count * m * m)...].allSatisfy { $0 == -7 }, "count \(count): wrote past the last agent")
        var lanesOK = true, paddingOK = true
        for a in 0..<((count + 7) / 8 * 8) {
          for k in 0..<m {
            for j in 0..<m {
              let x = lanes[SmallMatrix.lanesIndex(agent: a, row: k, column: j, m: m)]
              if j < k {
                paddingOK = paddingOK && x == -7  // the lanes layout holds the upper triangle only
              } else if a < count {
                lanesOK = lanesOK && x.bitPattern == want[(a * m + k) * m + j].bitPattern
              } else {
                paddingOK = paddingOK && x == (k == j ? f.lambda : 0)
              }
            }
          }
        }
        #expect(lanesOK, "lanes layout, count \(count), \(variant.name)")
        #expect(paddingOK, "unused lanes hold λI, lower triangle untouched, count \(count), \(variant.name)")
      }
    }
  }

  /// The gathering assembly (moments read at per-agent offsets with a stride, scaled per agent,
  /// μ taken from the moment columns and written out) in every variant: the same bits as the
  /// plain loop on the gathered, scaled moments, and μ the bits of those moment columns.
  @Test(arguments: shapes)
  func gatheringAssemblyHasThePlainBits(_ s: (d: Int, K: Int, nq: Int)) {
    let f = ExpFamily(dimension: s.d, degree: s.K, quadratureNodes: s.nq, lambda: 0.05, blockSize: 32)
    let m = f.m, M2 = f.momentCount, stride = 2 * M2 + 3
    var rng = TestRandom(seed: UInt64(91 + s.K))
    // Moment r of an agent at a scattered position of its stride-long row.
    let offsets = (0..<M2).map { 2 * $0 + ($0 % 3 == 0 ? 1 : 0) }
    for count in [1, 8, 13, 32] {
      let raw = (0..<(count * stride)).map { _ in rng.signedUnit() }
      let scale = (0..<count).map { _ in 0.5 + rng.unit() }
      var moments = [Double](repeating: 0, count: count * M2), mean = [Double](repeating: 0, count: count * m)
      for b in 0..<count {
        for r in 0..<M2 { moments[b * M2 + r] = raw[b * stride + offsets[r]] * scale[b] }
        for k in 0..<m { mean[b * m + k] = moments[b * M2 + f.meanColumns[k]] }
      }
      var want = [Double](repeating: 0, count: count * m * m)
      f.assembleHessianPlain(moments: moments, mean: mean, count: count, out: &want)
      var scratch = [Double](repeating: 0, count: SmallMatrix.assembleScratchCount(m: m, momentCount: M2))
      for variant in VectorMath.Variant.allCases {
        var got = [Double](repeating: -7, count: count * m * m)
        var gotMean = [Double](repeating: -7, count: count * m)
        let ran = SmallMatrix.assembleHessian(count: count, m: m, momentCount: M2, moments: raw, agentStride: stride,
                                              offsets: offsets, scale: scale, meanColumns: f.meanColumns,
                                              mean: &gotMean, lambda: f.lambda, start: f.gram.start,
                                              rows: f.gram.rows, values: f.gram.values, lanesLayout: false,
                                              scratch: &scratch, out: &got, variant: variant)
        guard ran else { continue }
        #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "count \(count), \(variant.name)")
        #expect(gotMean.map(\.bitPattern) == mean.map(\.bitPattern), "μ, count \(count), \(variant.name)")
      }
    }
  }
}
