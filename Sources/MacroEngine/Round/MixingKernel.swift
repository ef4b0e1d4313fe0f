/// Σ_j w_ij · src[slot_j, 0..<m] over one mixing row (the neighbour sums of DESIGN §2): the
/// kernel behind every consensus step. A row is its off-diagonal entries e in `range`
/// (ascending global id) with the self term `selfWeight · src[selfSlot]` taken before entry
/// `selfAt` (range.lowerBound ≤ selfAt ≤ range.upperBound) — the row's ascending-id order.
/// For every k the terms are added in that order starting from 0.0. This is the plain
/// reference; the round runs BLASKit's `NeighbourSums.rowSum2` (σ and θ of a row at once, the
/// same order, the same bits; `MixingKernelTests`). Local.
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
}
