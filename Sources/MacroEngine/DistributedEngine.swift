import Foundation
import MacroCore
import MPIKit

/// One rank's part of a distributed run: its agents (and only their halo), the plan, the
/// round, the reductions. Every public method is collective over `comm` unless it says Local.
public final class DistributedEngine {
  public let scenario: Scenario
  public let comm: Communicator
  public let partition: Partition
  public let plan: HaloPlan
  public let rows: MixingRows
  public let state: AgentState
  public let updater: AgentUpdater
  public let halo: HaloExchanger
  public var timers = PhaseTimers()
  /// Rounds completed (the next round to run has this index).
  public internal(set) var round: Int = 0
  /// θ*(s(x)) of the last ``diagnostics()`` call (the exact lower-level solution, solved from
  /// θ = 0 every time — not a warm start; nil before the first): the fitted density's
  /// parameter for outputs.
  public internal(set) var diagnosedThetaStar: [Double]? = nil
  /// Set once when the quadrature is too coarse for the θ* reached (A on n_q vs 2 n_q).
  public internal(set) var quadratureWarning: String? = nil
  /// Set once when |mean σ − s(x)| exceeds ``invariantTolerance`` (dynamic average consensus
  /// must keep it at round-off: a larger value means lost or corrupted consensus updates).
  public internal(set) var invariantWarning: String? = nil
  /// The run-time bound on the consensus invariant after `round` rounds: 1e-12 for DESIGN's
  /// one-step round (measured ≤ 5e-15 over 3000 rounds); with k > 1 steps the larger of 1e-12
  /// and 1e-15 · S · round, S = Σ_j (|a_j| + |b_j|) the coefficient mass of one round's mixing
  /// recurrence (k for W^k, ≈ 2.8 k for Chebyshev) — round-off enters the mean with every
  /// mixing step and accumulates over rounds (measured: 1.1e-14 a round for Chebyshev with
  /// k = 30 on 10⁴ agents, where this bound allows 8.3e-14). A lost or corrupted update moves
  /// the mean by ~|Δφ|/N, orders of magnitude more.
  public var invariantTolerance: Double {
    guard updater.parameters.consensusSteps > 1 else { return 1e-12 }
    return max(1e-12, 1e-15 * mixingCoefficientMass * Double(max(round, 1)))
  }
  /// Σ_j (|a_j| + |b_j|) of one round's mixing (k for plain steps).
  public var mixingCoefficientMass: Double {
    if let c = chebyshev { return c.coefficients.reduce(0) { $0 + abs($1.a) + abs($1.b) } }
    return Double(updater.parameters.consensusSteps)
  }
  /// Warnings raised so far (quadrature, invariant), in order. Local, same on every rank.
  public var warnings: [String] { [quadratureWarning, invariantWarning].compactMap { $0 } }
  /// Owned agents (local slots) whose neighbours are all owned here, and the others.
  let interior: [Int]
  let boundary: [Int]
  /// The groups of B consecutive slots without a boundary agent, and the others (the blocks
  /// of the lower-level and hypergradient steps, ``step()``).
  let interiorGroups: [Range<Int>]
  let boundaryGroups: [Range<Int>]
  /// The recurrence of Chebyshev-accelerated rounds (nil: plain W^k).
  let chebyshev: ChebyshevMixing?

  public enum EngineError: Error, CustomStringConvertible {
    case mpi(MPIError)
    case partition(PartitionError)
    case lowerLevel(String)
    public var description: String {
      switch self {
      case .mpi(let e): return "\(e)"
      case .partition(let e): return "partition: \(e)"
      case .lowerLevel(let s): return s
      }
    }
  }

  /// Builds the halo plan, the mixing rows and the initial state (σ_i = φ(x_i), θ_i = v_i = 0);
  /// the plan keeps only what the halo exchange needs (``HaloPlan/releaseSetupLists()``). Collective.
  public init(scenario sc: Scenario, comm: Communicator) throws(EngineError) {
    let t0 = MonotonicClock.seconds()
    // The engine keeps the scenario's tables and parameters, not its per-agent rows: the
    // positions are copied into the state below and the mixing rows share the graph arrays.
    scenario = sc.withoutAgentRows()
    self.comm = comm
    let d = sc.config.agents.dimension
    precondition(sc.comm.size == comm.size && sc.comm.rank == comm.rank, "the scenario was set up for another communicator")
    partition = sc.partition
    var pl: HaloPlan
    do { pl = try HaloPlan(rows: sc.rows, partition: partition, rank: comm.rank) } catch { throw .partition(error) }
    rows = MixingRows(rows: sc.rows, weights: sc.weights, plan: pl)
    let lo = pl.ownedRange.lowerBound
    interior = pl.interiorIDs.map { $0 - lo }
    boundary = pl.boundaryIDs.map { $0 - lo }
    pl.releaseSetupLists()
    (interiorGroups, boundaryGroups) = Self.slotGroups(ownedCount: pl.ownedCount, blockSize: sc.family.blockSize, boundary: boundary)
    plan = pl
    let m = sc.family.m
    state = AgentState(dimension: d, m: m, ownedCount: plan.ownedCount, ghostCount: plan.ghostIDs.count,
                       cacheGradientBase: sc.config.lower.method == .gradient)
    for j in 0..<(plan.ownedCount * d) { state.x[j] = sc.ownedPositions[j] }
    state.x0 = state.x
    updater = AgentUpdater(family: sc.family, cost: sc.cost, parameters: sc.parameters)
    updater.initializeCaches(state: state)
    halo = HaloExchanger(plan: plan, comm: comm, width: m)
    let p = sc.parameters
    chebyshev = p.acceleration == .chebyshev && p.consensusSteps > 1 ? ChebyshevMixing(steps: p.consensusSteps) : nil
    initializeSigma()
    timers.add(.setup, MonotonicClock.seconds() - t0)
  }

  /// σ_i = φ(x_i⁰) on the owned rows (one basis evaluation over all of them). Local.
  func initializeSigma() {
    let n = state.ownedCount
    guard n > 0 else { return }
    state.x.withUnsafeBufferPointer { xp in
      state.sigma.withUnsafeMutableBufferPointer { sp in
        scenario.family.basis.evaluate(points: xp.baseAddress!, count: n, values: sp.baseAddress!, jacobians: nil)
      }
    }
  }

  /// Replaces the state (resume): owned rows of x, x0, σ, θ, v in local order, and the round.
  /// Recomputes the cache (the gradient method's μ(θ_i) + λθ_i) bit for bit. Local.
  public func restore(round r: Int, x: [Double], x0: [Double], sigma: [Double], theta: [Double], v: [Double]) {
    let n = state.ownedCount, m = state.m, d = state.dimension
    precondition(x.count == n * d && sigma.count == n * m && theta.count == n * m && v.count == n * m)
    state.x = x
    state.x0 = x0
    for j in 0..<(n * m) { state.sigma[j] = sigma[j]; state.theta[j] = theta[j] }
    state.v = v
    updater.initializeCaches(state: state)
    round = r
  }
}
