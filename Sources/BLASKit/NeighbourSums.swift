// The consensus step's neighbour sums (CVecMath's csm_mix_rowsum2), typed: one mixing row of
// σ and θ at once, neighbour by neighbour with all the row's sums in vector registers. Twin:
// MacroEngine's `MixingKernel.rowSumReference` (the same bits).
import CVecMath

public enum NeighbourSums {
  /// outA[k] = Σ_e w_e · a[slots[e]·m + k] over the entries e in `range` with the self term
  /// `selfWeight · a[selfSlot·m + k]` taken before entry `selfAt`, for every k < m in that
  /// order from 0.0 (one multiply and one add a term); outB likewise from b. With a `variant`
  /// this CPU lacks: false, nothing written. Local.
  @discardableResult @inline(__always)
  public static func rowSum2(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, slots: UnsafePointer<Int32>,
                             weights: UnsafePointer<Double>, range: Range<Int>, selfAt: Int, selfSlot: Int,
                             selfWeight: Double, m: Int, outA: UnsafeMutablePointer<Double>,
                             outB: UnsafeMutablePointer<Double>, variant: VectorMath.Variant? = nil) -> Bool {
    csm_mix_rowsum2(variant?.rawValue ?? -1, a, b, slots, weights, range.lowerBound, selfAt, range.upperBound,
                    selfSlot, selfWeight, m, outA, outB) == 0
  }
}
