/// Σ_j w_ij · src[slot_j, 0..<m] over one mixing row (the neighbour sums of DESIGN §2): the
/// kernel behind every consensus step. A row is its off-diagonal entries e in `range`
/// (ascending global id) with the self term `selfWeight · src[selfSlot]` taken before entry
/// `selfAt` (range.lowerBound ≤ selfAt ≤ range.upperBound) — the row's ascending-id order.
/// For every k the terms are added in that order starting from 0.0, so both versions give the
/// same bits. Local.
public enum MixingKernel {
  /// Plain reference: one output entry at a time, a strided read of every neighbour row.
  public static func rowSumReference(src: UnsafePointer<Double>, slots: UnsafePointer<Int32>,
                                     weights: UnsafePointer<Double>, range: Range<Int>, selfAt: Int,
                                     selfSlot: Int, selfWeight: Double, m: Int, out: UnsafeMutablePointer<Double>) {
    for k in 0..<m {
      var acc = 0.0
      for e in range.lowerBound..<selfAt { acc += weights[e] * src[Int(slots[e]) * m + k] }
      acc += selfWeight * src[selfSlot * m + k]
      for e in selfAt..<range.upperBound { acc += weights[e] * src[Int(slots[e]) * m + k] }
      out[k] = acc
    }
  }

  /// Fast version: eight entries at a time in register accumulators (one cache line of every
  /// neighbour row per pass; the neighbour rows stay in L1 across the ⌈m/8⌉ passes), then the
  /// remainder one at a time; the entries before `selfAt`, the self term, the entries after.
  @inline(__always)
  public static func rowSum(src: UnsafePointer<Double>, slots: UnsafePointer<Int32>,
                            weights: UnsafePointer<Double>, range: Range<Int>, selfAt: Int,
                            selfSlot: Int, selfWeight: Double, m: Int, out: UnsafeMutablePointer<Double>) {
    var k = 0
    while k + 8 <= m {
      var acc = Accumulator8()
      for e in range.lowerBound..<selfAt { acc.add(weights[e], src + (Int(slots[e]) * m + k)) }
      acc.add(selfWeight, src + (selfSlot * m + k))
      for e in selfAt..<range.upperBound { acc.add(weights[e], src + (Int(slots[e]) * m + k)) }
      acc.store(out + k)
      k += 8
    }
    while k < m {
      var acc = 0.0
      for e in range.lowerBound..<selfAt { acc += weights[e] * src[Int(slots[e]) * m + k] }
      acc += selfWeight * src[selfSlot * m + k]
      for e in selfAt..<range.upperBound { acc += weights[e] * src[Int(slots[e]) * m + k] }
      out[k] = acc
      k += 1
    }
  }
}

/// Eight running sums a_c += w · p[c] (each its own multiply and add, as the scalar loop).
struct Accumulator8 {
  var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0

  @inline(__always)
  mutating func add(_ w: Double, _ p: UnsafePointer<Double>) {
    a0 += w * p[0]; a1 += w * p[1]; a2 += w * p[2]; a3 += w * p[3]
    a4 += w * p[4]; a5 += w * p[5]; a6 += w * p[6]; a7 += w * p[7]
  }

  @inline(__always)
  func store(_ out: UnsafeMutablePointer<Double>) {
    out[0] = a0; out[1] = a1; out[2] = a2; out[3] = a3
    out[4] = a4; out[5] = a5; out[6] = a6; out[7] = a7
  }
}
