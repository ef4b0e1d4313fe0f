import BLASKit

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

  /// Fast version, two arrays at once (σ and θ of one row): BLASKit's `NeighbourSums.rowSum2`,
  /// the C kernel that takes the neighbours one by one with all the row's sums in vector
  /// registers (the loads of a neighbour's rows are independent and in flight together).
  /// Same order, same bits as the reference. With a `variant` this CPU lacks: false, nothing
  /// written. Local.
  @discardableResult @inline(__always)
  public static func rowSum2(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, slots: UnsafePointer<Int32>,
                             weights: UnsafePointer<Double>, range: Range<Int>, selfAt: Int, selfSlot: Int,
                             selfWeight: Double, m: Int, outA: UnsafeMutablePointer<Double>,
                             outB: UnsafeMutablePointer<Double>, variant: VectorMath.Variant? = nil) -> Bool {
    NeighbourSums.rowSum2(a, b, slots: slots, weights: weights, range: range, selfAt: selfAt, selfSlot: selfSlot,
                          selfWeight: selfWeight, m: m, outA: outA, outB: outB, variant: variant)
  }
}
