extension MixingRows {
  /// The mixing rows of one rank from its own rows and weights (no whole graph): the same
  /// rows as `init(graph:weights:plan:)`, sharing the rows', weights' and plan's arrays. Local.
  public init(rows g: LocalGraph, weights w: LocalWeights, plan: HaloPlan) {
    self.init(offsets: g.offsets, neighbors: g.neighbors, firstID: plan.ownedRange.lowerBound,
              slots: plan.localNeighborSlots, weights: w.weightsOffDiagonal, selfWeight: w.selfWeight)
  }
}
