/// Σ_e w_e · src[slot_e, 0..<m] for the rows e in lo..<hi of a mixing row (the neighbour sums
/// of DESIGN §2): the kernel behind every consensus step. For every k the terms are added in
/// row order starting from 0.0, so both versions give the same bits. Local.
public enum MixingKernel {
  /// Plain reference: one output entry at a time, a strided read of every neighbour row.
  public static func rowSumReference(src: UnsafePointer<Double>, slots: UnsafePointer<Int32>,
                                     weights: UnsafePointer<Double>, range: Range<Int>, m: Int,
                                     out: UnsafeMutablePointer<Double>) {
    for k in 0..<m {
      var acc = 0.0
      for e in range { acc += weights[e] * src[Int(slots[e]) * m + k] }
      out[k] = acc
    }
  }

  /// Fast version: eight entries at a time in register accumulators (one cache line of every
  /// neighbour row per pass; the neighbour rows stay in L1 across the ⌈m/8⌉ passes), then the
  /// remainder one at a time.
  @inline(__always)
  public static func rowSum(src: UnsafePointer<Double>, slots: UnsafePointer<Int32>,
                            weights: UnsafePointer<Double>, range: Range<Int>, m: Int,
                            out: UnsafeMutablePointer<Double>) {
    var k = 0
    while k + 8 <= m {
      var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0
      for e in range {
        let p = src + (Int(slots[e]) * m + k), w = weights[e]
        a0 += w * p[0]; a1 += w * p[1]; a2 += w * p[2]; a3 += w * p[3]
        a4 += w * p[4]; a5 += w * p[5]; a6 += w * p[6]; a7 += w * p[7]
      }
      out[k] = a0; out[k + 1] = a1; out[k + 2] = a2; out[k + 3] = a3
      out[k + 4] = a4; out[k + 5] = a5; out[k + 6] = a6; out[k + 7] = a7
      k += 8
    }
    while k < m {
      var acc = 0.0
      for e in range { acc += weights[e] * src[Int(slots[e]) * m + k] }
      out[k] = acc
      k += 1
    }
  }
}
