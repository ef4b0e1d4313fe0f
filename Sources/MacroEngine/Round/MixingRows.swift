/// The rows of W for one rank's owned agents in local slots, self term included, each row in
/// ascending global-id order — the summation order that makes Σ_j w_ij σ_j independent of the
/// partition (DESIGN §3). Built once from the replicated graph, its weights and the halo plan.
public struct MixingRows: Sendable {
  public let offsets: [Int]
  public let slots: [Int32]
  public let weights: [Double]

  public init(graph: Graph, weights w: ConsensusWeights, plan: HaloPlan) {
    var offs = [0], sl: [Int32] = [], wt: [Double] = []
    let own = plan.ownedRange
    for s in 0..<own.count {
      let id = own.lowerBound + s
      var selfDone = false
      let base = plan.localOffsets[s]
      for (t, k) in (graph.offsets[id]..<graph.offsets[id + 1]).enumerated() {
        let j = Int(graph.neighbors[k])
        if !selfDone && j > id {
          sl.append(Int32(s)); wt.append(w.selfWeight[id]); selfDone = true
        }
        sl.append(plan.localNeighborSlots[base + t])
        wt.append(w.weightsOffDiagonal[k])
      }
      if !selfDone { sl.append(Int32(s)); wt.append(w.selfWeight[id]) }
      offs.append(sl.count)
    }
    offsets = offs
    slots = sl
    weights = wt
  }
}
