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
  public private(set) var round: Int = 0
  /// θ*(s(x)) of the last ``diagnostics()`` call (the exact lower-level solution, solved from
  /// θ = 0 every time; nil before the first): the fitted density's parameter for outputs.
  public internal(set) var thetaStarWarm: [Double]? = nil
  /// Set once when the quadrature is too coarse for the θ* reached (A on n_q vs 2 n_q).
  public private(set) var quadratureWarning: String? = nil
  /// Set once when |mean σ − s(x)| exceeds ``invariantTolerance`` (dynamic average consensus
  /// must keep it at round-off: a larger value means lost or corrupted consensus updates).
  public private(set) var invariantWarning: String? = nil
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
  let interior: [Int]
  let boundary: [Int]
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

  /// Builds the partition, halo plan and initial state (σ_i = φ(x_i), θ_i = v_i = 0). Collective.
  public init(scenario sc: Scenario, comm: Communicator) throws(EngineError) {
    let t0 = MonotonicClock.seconds()
    scenario = sc
    self.comm = comm
    let d = sc.config.agents.dimension
    precondition(sc.comm.size == comm.size && sc.comm.rank == comm.rank, "the scenario was set up for another communicator")
    partition = sc.partition
    do { plan = try HaloPlan(rows: sc.rows, partition: partition, rank: comm.rank) } catch { throw .partition(error) }
    rows = MixingRows(rows: sc.rows, weights: sc.weights, plan: plan)
    let m = sc.family.m
    state = AgentState(dimension: d, m: m, ownedCount: plan.ownedCount, ghostCount: plan.ghostIDs.count,
                       firstID: plan.ownedRange.lowerBound, cacheMeanTheta: sc.config.lower.method == .gradient)
    let lo = plan.ownedRange.lowerBound
    for j in 0..<(plan.ownedCount * d) { state.x[j] = sc.ownedPositions[j] }
    state.x0 = state.x
    updater = AgentUpdater(family: sc.family, cost: sc.cost, parameters: sc.parameters)
    updater.initializeCaches(state: state)
    for s in 0..<plan.ownedCount { for k in 0..<m { state.sigma[s * m + k] = state.phiX[s * m + k] } }
    halo = HaloExchanger(plan: plan, comm: comm, width: m)
    interior = plan.interiorIDs.map { $0 - lo }
    boundary = plan.boundaryIDs.map { $0 - lo }
    let p = sc.parameters
    chebyshev = p.acceleration == .chebyshev && p.consensusSteps > 1 ? ChebyshevMixing(steps: p.consensusSteps) : nil
    timers.add(.setup, MonotonicClock.seconds() - t0)
  }

  /// Replaces the state (resume): owned rows of x, x0, σ, θ, v in local order, and the round.
  /// Recomputes the caches φ(x), μ(θ) bit for bit. Local.
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

  /// One round of DESIGN §2 on every agent: post the halo, update interior agents, wait,
  /// update boundary agents, commit. With `run.consensus_steps` = k > 1 the σ, θ rows are
  /// mixed k − 1 more times (one halo exchange each) between the move and the lower level.
  /// Collective over the neighbour ranks.
  public func step() throws(EngineError) {
    if updater.parameters.consensusSteps > 1 { return try stepMultiConsensus() }
    let t0 = MonotonicClock.seconds()
    let cg0 = updater.cgSeconds
    do {
      try exchangeThenUpdate { agents in
        updater.update(agents: agents, round: round, state: state, rows: rows)
      }
    } catch { throw .mpi(error) }
    commitMixed()
    round += 1
    timers.add(.cg, updater.cgSeconds - cg0)
    timers.add(.step, MonotonicClock.seconds() - t0)
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

  /// A round with k > 1 consensus steps: move and mix once (σ gets φ(x^new) − φ(x^old)), mix
  /// k − 1 more times, then the lower-level and CG steps from the mixed rows. Each agent's own
  /// move thus reaches its σ_i diluted by (W^{k−1})_ii instead of at full weight, and the
  /// estimates contract like ρ(W)^k a round. With Chebyshev acceleration the move is injected
  /// first (y_0 = σ + Δφ) and the k exchanges apply p_k(W) (``ChebyshevMixing``).
  /// Collective over the neighbour ranks.
  func stepMultiConsensus() throws(EngineError) {
    let t0 = MonotonicClock.seconds()
    let cg0 = updater.cgSeconds
    let n = state.ownedCount, m = state.m
    let previousTheta = Array(state.theta[0..<(n * m)])
    do {
      if let cheb = chebyshev {
        updater.moveAndInject(agents: Array(0..<n), round: round, state: state)
        var ySigma = Array(state.sigma[0..<(n * m)]), yTheta = previousTheta
        for (a, b) in cheb.coefficients {
          try exchangeThenUpdate { agents in
            updater.mix(agents: agents, state: state, rows: rows, chebyshev: (a, b),
                        previousSigma: ySigma, previousTheta: yTheta)
          }
          copyRows(from: state.sigma, to: &ySigma, count: n * m)
          copyRows(from: state.theta, to: &yTheta, count: n * m)
          commitMixed()
        }
      } else {
        try exchangeThenUpdate { agents in
          updater.moveAndMix(agents: agents, round: round, state: state, rows: rows)
        }
        commitMixed()
        for _ in 1..<updater.parameters.consensusSteps {
          try exchangeThenUpdate { agents in updater.mix(agents: agents, state: state, rows: rows) }
          commitMixed()
        }
      }
    } catch { throw .mpi(error) }
    let t1 = MonotonicClock.seconds()
    updater.solve(agents: Array(0..<n), state: state, previousTheta: previousTheta)
    timers.add(.solve, MonotonicClock.seconds() - t1)
    copyRows(from: state.thetaNext, to: &state.theta, count: n * m)
    round += 1
    timers.add(.cg, updater.cgSeconds - cg0)
    timers.add(.step, MonotonicClock.seconds() - t0)
  }

  /// σ, θ ← σNext, θNext on the owned rows. Local.
  func commitMixed() {
    let c = state.ownedCount * state.m
    copyRows(from: state.sigmaNext, to: &state.sigma, count: c)
    copyRows(from: state.thetaNext, to: &state.theta, count: c)
  }

  /// The global diagnostics of the current state (DESIGN §3): two sum-Allreduces and one max,
  /// θ*(s) solved redundantly on every rank. Collective.
  public func diagnostics() throws(EngineError) -> DiagnosticRecord {
    let t0 = MonotonicClock.seconds()
    defer { timers.add(.diagnostics, MonotonicClock.seconds() - t0) }
    let sc = scenario, pr = sc.problem
    let n = state.ownedCount, m = state.m, d = state.dimension
    let N = Double(sc.config.agents.count)
    let alpha = sc.config.run.alpha
    // Pass 1: sums (reproducible: the same bits for any rank count), and max |θ_i|.
    let lo = plan.ownedRange.lowerBound
    var maxTheta = 0.0
    for i in 0..<n {
      var th2 = 0.0
      for k in 0..<m { th2 += state.theta[i * m + k] * state.theta[i * m + k] }
      maxTheta = max(maxTheta, th2.squareRoot().isNaN ? .infinity : th2.squareRoot())
    }
    let total: [Double], maxT: Double
    do {
      total = try ReproducibleSum(width: 3 * m + 3, blockSize: partition.blockSize, agentCount: sc.config.agents.count)
        .sum(ownedRange: plan.ownedRange, comm: comm) { id, acc in
          let i = id - lo
          for k in 0..<m {
            acc[k] += state.phiX[i * m + k]
            acc[m + k] += state.sigma[i * m + k]
            acc[2 * m + k] += state.theta[i * m + k]
          }
          var onBoundary = false, finite = true
          for k in 0..<d {
            let xv = state.x[i * d + k]
            if abs(xv) >= 1 { onBoundary = true }
            if !xv.isFinite { finite = false }
          }
          for k in 0..<m where !(state.sigma[i * m + k].isFinite && state.theta[i * m + k].isFinite && state.v[i * m + k].isFinite) {
            finite = false
          }
          if onBoundary { acc[3 * m + 1] += 1 }
          if !finite { acc[3 * m + 2] += 1 }
          state.x.withUnsafeBufferPointer { xp in
            state.x0.withUnsafeBufferPointer { x0p in
              acc[3 * m] += pr.motion.value(x: xp.baseAddress! + i * d, x0: x0p.baseAddress! + i * d, dimension: d)
            }
          }
        }
      maxT = try comm.allreduce(maxTheta, .max)
    } catch { throw .mpi(error) }
    let nonfinite = Int(total[3 * m + 2])
    if nonfinite > 0 {
      return DiagnosticRecord(round: round, cost: .nan, stationarity: .nan, consensusSigma: .nan, consensusTheta: .nan,
                              invariant: .nan, maxTheta: maxT, boundaryFraction: total[3 * m + 1] / N,
                              nonfinite: nonfinite, directionError: .nan, thetaStarError: .nan, newtonIterations: 0)
    }
    let s = (0..<m).map { total[$0] / N }
    let sigmaBar = (0..<m).map { total[m + $0] / N }
    let thetaBar = (0..<m).map { total[2 * m + $0] / N }
    var invariant = 0.0
    for k in 0..<m { invariant = max(invariant, abs(sigmaBar[k] - s[k])) }
    let sol: MacroProblem.LowerSolution
    // Always from θ = 0, never warm-started: the diagnostics of a resumed run (which has no
    // previous θ*) must be the same bits as an uninterrupted run's.
    do { sol = try pr.solveLowerLevel(s: s, start: nil) } catch { throw .lowerLevel("\(error)") }
    thetaStarWarm = sol.point.theta
    let vstar = pr.adjoint(sol)
    let U = pr.upperValue(sol.point)
    checkQuadrature(thetaStar: sol.point.theta, round: round)
    if invariant > invariantTolerance && invariantWarning == nil {
      invariantWarning = "warning: consensus invariant |mean σ − s(x)| = \(invariant) > \(invariantTolerance) at round \(round)"
    }
    // Pass 2: spreads and directions.
    var exact = [Double](repeating: 0, count: n * d), mine = exact
    state.x.withUnsafeBufferPointer { xp in
      state.x0.withUnsafeBufferPointer { x0p in
        vstar.withUnsafeBufferPointer { vp in
          exact.withUnsafeMutableBufferPointer { ep in
            if n > 0 { pr.agentDirections(x: xp.baseAddress!, x0: x0p.baseAddress!, count: n, v: vp.baseAddress!, vStride: 0, out: ep.baseAddress!) }
          }
        }
        state.v.withUnsafeBufferPointer { vp in
          mine.withUnsafeMutableBufferPointer { mp in
            if n > 0 { pr.agentDirections(x: xp.baseAddress!, x0: x0p.baseAddress!, count: n, v: vp.baseAddress!, vStride: m, out: mp.baseAddress!) }
          }
        }
      }
    }
    let tot: [Double]
    do {
      tot = try ReproducibleSum(width: 5, blockSize: partition.blockSize, agentCount: sc.config.agents.count)
        .sum(ownedRange: plan.ownedRange, comm: comm) { id, acc in
          let i = id - lo
          for k in 0..<m {
            let ds = state.sigma[i * m + k] - sigmaBar[k], dt = state.theta[i * m + k] - thetaBar[k]
            acc[0] += ds * ds
            acc[1] += dt * dt
          }
          for k in 0..<d {
            let j = i * d + k
            let gmap = (state.x[j] - projectToBox(state.x[j] - alpha * exact[j])) / (alpha == 0 ? 1 : alpha)
            acc[2] += gmap * gmap
            acc[3] += (mine[j] - exact[j]) * (mine[j] - exact[j])
            acc[4] += exact[j] * exact[j]
          }
        }
    } catch { throw .mpi(error) }
    var tse = 0.0
    for k in 0..<m { tse += (sol.point.theta[k] - thetaBar[k]) * (sol.point.theta[k] - thetaBar[k]) }
    return DiagnosticRecord(
      round: round, cost: U + total[3 * m] / N, stationarity: (tot[2] / N).squareRoot(),
      consensusSigma: (tot[0] / N).squareRoot(), consensusTheta: (tot[1] / N).squareRoot(),
      invariant: invariant, maxTheta: maxT, boundaryFraction: total[3 * m + 1] / N, nonfinite: 0,
      directionError: tot[4] > 0 ? (tot[3] / tot[4]).squareRoot() : 0, thetaStarError: tse.squareRoot(),
      newtonIterations: sol.iterations)
  }

  /// Warns once if A(θ*) on n_q and 2n_q nodes differ by more than 1e-6·max(1, |A|) (the rule
  /// is too coarse for the θ* reached: the exp-family moments then carry errors that matter;
  /// smaller differences, e.g. 1.6e-8 at n_q = 32, are harmless).
  /// Local (θ* is the same on every rank).
  func checkQuadrature(thetaStar: [Double], round r: Int) {
    guard quadratureWarning == nil else { return }
    let f = scenario.family
    let nq = f.quadrature.nodesPerAxis
    let a1 = logPartitionStreaming(basis: f.basis, theta: thetaStar, nodesPerAxis: nq)
    let a2 = logPartitionStreaming(basis: f.basis, theta: thetaStar, nodesPerAxis: 2 * nq)
    if abs(a1 - a2) > 1e-6 * max(1, abs(a2)) {
      quadratureWarning = "warning: quadrature too coarse for the θ* reached at round \(r): |A_\(nq) − A_\(2 * nq)| = \(abs(a1 - a2)); raise basis.quadrature_nodes"
    }
  }

  /// The state digest: the ``BlockTreeHash`` of x, σ, θ, v (each block's leaf hashes the
  /// block's rows of x, then σ, θ, v, as little-endian doubles) — every rank hashes its own
  /// rows, rank 0 combines O(P log N) node hashes; the same value for any rank count.
  /// Collective; the digest is returned on rank 0 (empty elsewhere).
  public func stateDigest() throws(EngineError) -> String {
    let m = state.m, d = state.dimension, n = state.ownedCount
    let tree = BlockTreeHash(blockSize: partition.blockSize, agentCount: partition.agentCount)
    do {
      return try state.x.withUnsafeBufferPointer { (x) throws(MPIError) -> String in
        try state.sigma.withUnsafeBufferPointer { (sg) throws(MPIError) -> String in
          try state.theta.withUnsafeBufferPointer { (th) throws(MPIError) -> String in
            try state.v.withUnsafeBufferPointer { (v) throws(MPIError) -> String in
              try tree.digest(fields: [(x, d), (UnsafeBufferPointer(rebasing: sg[0..<(n * m)]), m),
                                       (UnsafeBufferPointer(rebasing: th[0..<(n * m)]), m), (v, m)],
                              ownedRange: plan.ownedRange, comm: comm)
            }
          }
        }
      }
    } catch { throw .mpi(error) }
  }
}

/// dst[0..<count] = src[0..<count] (one bulk copy, not an element loop over class properties).
func copyRows(from src: [Double], to dst: inout [Double], count: Int) {
  guard count > 0 else { return }
  src.withUnsafeBufferPointer { s in
    dst.withUnsafeMutableBufferPointer { d in d.baseAddress!.update(from: s.baseAddress!, count: count) }
  }
}

/// log ∫ exp(θᵀφ) by a tensor Gauss rule evaluated node by node (no tables; for the
/// quadrature check). Local.
public func logPartitionStreaming(basis: LegendreBasis, theta: [Double], nodesPerAxis nq: Int) -> Double {
  let rule = GaussLegendre(nodes: nq)
  let d = basis.dimension, m = basis.count
  var Q = 1
  for _ in 0..<d { Q *= nq }
  var y = [Double](repeating: 0, count: d), vals = [Double](repeating: 0, count: m)
  var zs = [Double](repeating: 0, count: Q), lw = zs
  for q in 0..<Q {
    var r = q, w = 1.0
    for k in stride(from: d - 1, through: 0, by: -1) { let i = r % nq; r /= nq; y[k] = rule.nodes1D[i]; w *= rule.weights1D[i] }
    y.withUnsafeBufferPointer { yp in
      vals.withUnsafeMutableBufferPointer { vp in basis.evaluate(points: yp.baseAddress!, count: 1, values: vp.baseAddress!, jacobians: nil) }
    }
    var z = 0.0
    for k in 0..<m { z += theta[k] * vals[k] }
    zs[q] = z
    lw[q] = w
  }
  let mx = zs.max() ?? 0
  var s = 0.0
  for q in 0..<Q { s += lw[q] * exp(zs[q] - mx) }
  return mx + log(s)
}

