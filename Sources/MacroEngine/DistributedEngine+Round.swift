import MacroCore
import MPIKit

// The round of DESIGN §2 as one pipeline of steps (Round/): move, k consensus steps (each one
// halo exchange overlapped with the interior agents' work), lower level, hypergradient.
extension DistributedEngine {
  /// One round on every agent. Plain mixing: the first consensus step moves and injects
  /// (``MixingStep/moveAndInject(moving:)``), steps 2…k mix (σ ← W^{k−1}(Wσ + Δφ), m = W^k θ).
  /// Chebyshev: move and inject first (y_0 = σ + Δφ), then the k steps of p_k(W). Then the
  /// lower-level and hypergradient steps from the mixed rows. With k = 1 they are fused into
  /// the consensus step's halo overlap (each block of agents is solved as soon as it is
  /// mixed: DESIGN's round); with k > 1 they follow the last step in blocks of consecutive
  /// slots, not in its interior/boundary order: the exp-family kernels' bits at m = 27 depend
  /// on which agents share a block, and consecutive slots give every rank count the same
  /// blocks (rank ranges are multiples of B). Collective over the neighbour ranks.
  public func step() throws(EngineError) {
    let t0 = MonotonicClock.seconds()
    let cg0 = updater.cgSeconds
    let k = updater.parameters.consensusSteps, n = state.ownedCount
    let fused = k == 1, moving = updater.moving(round: round)
    if chebyshev != nil { updater.moveAndInject(agents: 0..<n, round: round, state: state) }
    do {
      for j in 0..<k {
        let last = j == k - 1
        try exchangeThenUpdate { agents in
          updater.mix(agents: agents, step: mixingStep(j, moving: moving), state: state, rows: rows, solve: fused && last)
        }
        if !last { state.swapMixed() }
      }
    } catch { throw .mpi(error) }
    if !fused {
      let t1 = MonotonicClock.seconds()
      updater.solve(agents: 0..<n, state: state)
      timers.add(.solve, MonotonicClock.seconds() - t1)
    }
    state.swapMixed()
    round += 1
    timers.add(.cg, updater.cgSeconds - cg0)
    timers.add(.step, MonotonicClock.seconds() - t0)
  }

  /// Consensus step j (0-based) of a round. Local.
  func mixingStep(_ j: Int, moving: Bool) -> MixingStep {
    if let c = chebyshev { return .chebyshev(a: c.coefficients[j].a, b: c.coefficients[j].b, first: j == 0) }
    return j == 0 ? .moveAndInject(moving: moving) : .plain
  }

  /// Posts the halo, runs `body` on the interior agents, waits, runs it on the boundary agents.
  /// Collective over the neighbour ranks.
  func exchangeThenUpdate(_ body: ([Int]) -> Void) throws(MPIError) {
    let t1 = MonotonicClock.seconds()
    try halo.post(state: state)
    let t2 = MonotonicClock.seconds()
    body(interior)
    let t3 = MonotonicClock.seconds()
    try halo.finish(state: state)
    let t4 = MonotonicClock.seconds()
    body(boundary)
    let t5 = MonotonicClock.seconds()
    timers.add(.haloPost, t2 - t1)
    timers.add(.interior, t3 - t2)
    timers.add(.haloWait, t4 - t3)
    timers.add(.boundary, t5 - t4)
  }
}
