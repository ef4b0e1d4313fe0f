import MacroCore
import MPIKit

// The round of DESIGN §2 as one pipeline of steps (Round/): move, k consensus steps (each one
// halo exchange overlapped with the interior agents' work), lower level, hypergradient.
extension DistributedEngine {
  /// One round on every agent. Plain mixing: the first consensus step moves and injects
  /// (``MixingStep/moveAndInject(moving:)``), steps 2…k mix (σ ← W^{k−1}(Wσ + Δφ), m = W^k θ).
  /// Chebyshev: move and inject first (y_0 = σ + Δφ), then the k steps of p_k(W). The last
  /// consensus step is fused with the lower-level and hypergradient steps, for every k: in
  /// the interior pass (before the halo wait) the groups of B consecutive slots whose agents
  /// are all interior are solved, in the boundary pass the other groups. Every group is solved
  /// once, as one block of consecutive slots — the blocks are those of any rank count (rank
  /// ranges are multiples of B), which matters because OpenBLAS's AVX-512 kernels give a row
  /// bits that depend on its place in the block. Collective over the neighbour ranks.
  public func step() throws(EngineError) {
    let t0 = MonotonicClock.seconds()
    let cg0 = updater.cgSeconds
    let k = updater.parameters.consensusSteps, n = state.ownedCount
    let moving = updater.moving(round: round)
    if chebyshev != nil { updater.moveAndInject(agents: 0..<n, round: round, state: state, rows: rows) }
    do {
      for j in 0..<k {
        let last = j == k - 1, step = mixingStep(j, moving: moving)
        try exchangeThenUpdate { agents, groups in
          updater.mix(agents: agents, step: step, state: state, rows: rows)
          guard last else { return }
          let t1 = MonotonicClock.seconds()
          for g in groups { updater.solve(agents: g, state: state) }
          timers.add(.solve, MonotonicClock.seconds() - t1)
        }
        state.swapMixed()
      }
    } catch { throw .mpi(error) }
    round += 1
    timers.add(.cg, updater.cgSeconds - cg0)
    timers.add(.step, MonotonicClock.seconds() - t0)
  }

  /// Consensus step j (0-based) of a round. Local.
  func mixingStep(_ j: Int, moving: Bool) -> MixingStep {
    if let c = chebyshev { return .chebyshev(a: c.coefficients[j].a, b: c.coefficients[j].b, first: j == 0) }
    return j == 0 ? .moveAndInject(moving: moving) : .plain
  }

  /// Posts the halo, runs `body` on the interior agents and the all-interior slot groups,
  /// waits, runs it on the boundary agents and the other groups. Collective over the
  /// neighbour ranks.
  func exchangeThenUpdate(_ body: ([Int], [Range<Int>]) -> Void) throws(MPIError) {
    let t1 = MonotonicClock.seconds()
    try halo.post(state: state)
    let t2 = MonotonicClock.seconds()
    body(interior, interiorGroups)
    let t3 = MonotonicClock.seconds()
    try halo.finish(state: state)
    let t4 = MonotonicClock.seconds()
    body(boundary, boundaryGroups)
    let t5 = MonotonicClock.seconds()
    timers.add(.haloPost, t2 - t1)
    timers.add(.interior, t3 - t2)
    timers.add(.haloWait, t4 - t3)
    timers.add(.boundary, t5 - t4)
  }

  /// The owned slots in groups of B consecutive slots (the last one shorter), split into the
  /// groups without a boundary agent and the others. Local.
  static func slotGroups(ownedCount n: Int, blockSize B: Int, boundary: [Int]) -> (interior: [Range<Int>], boundary: [Range<Int>]) {
    var touched = [Bool](repeating: false, count: (n + B - 1) / B)
    for i in boundary { touched[i / B] = true }
    var inner: [Range<Int>] = [], outer: [Range<Int>] = []
    for g in 0..<touched.count {
      let r = (g * B)..<min((g + 1) * B, n)
      if touched[g] { outer.append(r) } else { inner.append(r) }
    }
    return (inner, outer)
  }
}
