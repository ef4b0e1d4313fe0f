extension MixingRows {
  /// The mixing rows of one rank from its own rows and weights (no whole graph): the same
  /// rows as `init(graph:weights:plan:)`. Local.
  public init(rows g: LocalGraph, weights w: LocalWeights, plan: HaloPlan) {
    var offs = [0], sl: [Int32] = [], wt: [Double] = []
    sl.reserveCapacity(g.neighbors.count + g.ownedCount)
    wt.reserveCapacity(g.neighbors.count + g.ownedCount)
    let own = plan.ownedRange
    for s in 0..<own.count {
      let id = own.lowerBound + s
      var selfDone = false
      let base = plan.localOffsets[s]
      for (t, k) in (g.offsets[s]..<g.offsets[s + 1]).enumerated() {
        let j = Int(g.neighbors[k])
        if !selfDone && j > id {
          sl.append(Int32(s)); wt.append(w.selfWeight[s]); selfDone = true
        }
        sl.append(plan.localNeighborSlots[base + t])
        wt.append(w.weightsOffDiagonal[k])
      }
      if !selfDone { sl.append(Int32(s)); wt.append(w.selfWeight[s]) }
      offs.append(sl.count)
    }
    offsets = offs
    slots = sl
    weights = wt
  }
}
