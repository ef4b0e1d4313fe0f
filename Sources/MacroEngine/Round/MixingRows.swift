import BLASKit

/// The rows of W for one rank's owned agents in local slots — the summation order that makes
/// Σ_j w_ij σ_j independent of the partition (DESIGN §3): row s is its off-diagonal entries
/// offsets[s]..<offsets[s+1] of `slots` and `weights` (ascending global id), with the self
/// term w_ss taken before entry offsets[s] + selfPosition[s] (the first neighbour with a larger
/// id). The arrays are the setup's own (the scenario's row offsets and weights, the halo
/// plan's neighbour slots), shared, not copied; only `selfPosition` is new (4 B an agent).
public struct MixingRows: Sendable {
  public let offsets: [Int]
  public let slots: [Int32]
  public let weights: [Double]
  public let selfWeight: [Double]
  public let selfPosition: [Int32]

  /// From the whole graph's rows (the replicated reference of `init(rows:weights:plan:)`).
  public init(graph: Graph, weights w: ConsensusWeights, plan: HaloPlan) {
    let own = plan.ownedRange
    let base = own.isEmpty ? 0 : graph.offsets[own.lowerBound]
    let offs = own.isEmpty ? [0] : graph.offsets[own.lowerBound...own.upperBound].map { $0 - base }
    let top = own.isEmpty ? 0 : graph.offsets[own.upperBound]
    self.init(offsets: offs, neighbors: Array(graph.neighbors[base..<top]), firstID: own.lowerBound,
              slots: plan.localNeighborSlots, weights: Array(w.weightsOffDiagonal[base..<top]),
              selfWeight: Array(w.selfWeight[own]))
  }

  /// `neighbors` (global ids, row order) only locate the self term. Local.
  init(offsets: [Int], neighbors: [Int32], firstID: Int, slots: [Int32], weights: [Double], selfWeight: [Double]) {
    var pos = [Int32](repeating: 0, count: offsets.count - 1)
    for s in 0..<pos.count {
      var t = offsets[s]
      while t < offsets[s + 1] && Int(neighbors[t]) < firstID + s { t += 1 }
      pos[s] = Int32(t - offsets[s])
    }
    self.offsets = offsets
    self.slots = slots
    self.weights = weights
    self.selfWeight = selfWeight
    self.selfPosition = pos
  }

  /// Σ_j w_sj a_j and Σ_j w_sj b_j of owned slot s into `outA`, `outB` (m values each) by
  /// BLASKit's `NeighbourSums.rowSum2`; `slots` and `weights` are this struct's arrays' base addresses.
  /// Local.
  @inline(__always)
  func rowSum2(_ s: Int, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, slots sl: UnsafePointer<Int32>,
               weights wt: UnsafePointer<Double>, m: Int, outA: UnsafeMutablePointer<Double>,
               outB: UnsafeMutablePointer<Double>) {
    let lo = offsets[s]
    NeighbourSums.rowSum2(a, b, slots: sl, weights: wt, range: lo..<offsets[s + 1], selfAt: lo + Int(selfPosition[s]),
                          selfSlot: s, selfWeight: selfWeight[s], m: m, outA: outA, outB: outB)
  }
}
