import MacroCore
import Testing
import _TestSupport

@Suite("CounterRNG")
struct CounterRNGTests {
  /// Random123 known-answer vectors for Philox4x64-10 (kat_vectors).
  @Test func philoxKnownAnswers() {
    let zero = CounterRNG.philox4x64(counter: (0, 0, 0, 0), key: (0, 0))
    #expect(zero == (0x1655_4d9e_ca36_314c, 0xdb20_fe9d_672d_0fdc, 0xd7e7_72ce_e186_176b, 0x7e68_b68a_ec7b_a23b))
    let ones = UInt64.max
    let all = CounterRNG.philox4x64(counter: (ones, ones, ones, ones), key: (ones, ones))
    #expect(all == (0x87b0_92c3_013f_e90b, 0x438c_3c67_be8d_0224, 0x9cc7_d7c6_9cd7_77b6, 0xa09c_aebf_594f_0ba0))
    let pi = CounterRNG.philox4x64(
      counter: (0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89),
      key: (0x4528_21e6_38d0_1377, 0xbe54_66cf_34e9_0c6c))
    #expect(pi == (0xa528_f454_03e6_1d95, 0x38c7_2dbd_566e_9788, 0xa5a1_610e_72fd_18b5, 0x57bd_43b5_e52b_7fe6))
  }

  @Test func meanAndVarianceOfUniformDraws() {
    let n = 100_000
    var sum = 0.0, sumSq = 0.0
    var inRange = true
    for k in 0..<n {
      let u = CounterRNG.uniform(seed: 1, id: UInt64(k % 977), stream: 3, index: UInt64(k / 977))
      inRange = inRange && u >= 0 && u < 1
      sum += u
      sumSq += u * u
    }
    #expect(inRange)
    let mean = sum / Double(n)
    let variance = sumSq / Double(n) - mean * mean
    // U(0,1): mean 1/2 (σ² = 1/12), variance 1/12 (σ² of the estimate (μ₄ − σ⁴)/n = 1/(180 n)).
    #expect(abs(mean - 0.5) < 5 * (1.0 / 12 / Double(n)).squareRoot())
    #expect(abs(variance - 1.0 / 12) < 5 * (1.0 / 180 / Double(n)).squareRoot())
  }

  @Test func uniformIsTopFiftyThreeBits() {
    let b = CounterRNG.bits(seed: 9, id: 8, stream: 7, index: 6)
    let u = CounterRNG.uniform(seed: 9, id: 8, stream: 7, index: 6)
    #expect(u == Double(b >> 11) / 9_007_199_254_740_992.0)
  }

  @Test func reproducibleAndStreamsDiffer() {
    var same = true, streamDiffers = 0, idDiffers = 0, seedDiffers = 0
    for k in 0..<1000 {
      let a = CounterRNG.uniform(seed: 42, id: 7, stream: 1, index: UInt64(k))
      let b = CounterRNG.uniform(seed: 42, id: 7, stream: 1, index: UInt64(k))
      same = same && a == b
      if a != CounterRNG.uniform(seed: 42, id: 7, stream: 2, index: UInt64(k)) { streamDiffers += 1 }
      if a != CounterRNG.uniform(seed: 42, id: 8, stream: 1, index: UInt64(k)) { idDiffers += 1 }
      if a != CounterRNG.uniform(seed: 43, id: 7, stream: 1, index: UInt64(k)) { seedDiffers += 1 }
    }
    #expect(same)
    #expect(streamDiffers == 1000)
    #expect(idDiffers == 1000)
    #expect(seedDiffers == 1000)
  }

  /// Neighbouring streams must not be correlated (a weak mixer would fail this).
  @Test func adjacentStreamsUncorrelated() {
    let n = 100_000
    var sxy = 0.0, sx = 0.0, sy = 0.0
    for k in 0..<n {
      let x = CounterRNG.uniform(seed: 5, id: UInt64(k), stream: 1, index: 0)
      let y = CounterRNG.uniform(seed: 5, id: UInt64(k), stream: 2, index: 0)
      sxy += x * y; sx += x; sy += y
    }
    let cov = sxy / Double(n) - (sx / Double(n)) * (sy / Double(n))
    let corr = cov * 12  // both variances are 1/12
    #expect(abs(corr) < 5 / Double(n).squareRoot())
  }
}
