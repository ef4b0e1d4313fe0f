import MacroCore
import MPIKit

// The global diagnostics of the current state (DESIGN §2 "Diagnostics", §3): two reproducible
// sum-Allreduces and one max, θ*(s) solved redundantly on every rank.
extension DistributedEngine {
  /// The first pass's sums: Σφ(x_i), Σσ_i, Σθ_i (m each), then Σr(x_i), the agents on the box
  /// boundary, the non-finite agents; and max_i |θ_i|.
  struct StateSums { var total: [Double]; var maxTheta: Double }

  /// The diagnostic record of the current state. Collective.
  public func diagnostics() throws(EngineError) -> DiagnosticRecord {
    let t0 = MonotonicClock.seconds()
    defer { timers.add(.diagnostics, MonotonicClock.seconds() - t0) }
    let pr = scenario.problem, m = state.m
    let N = Double(scenario.config.agents.count)
    let sums = try stateSums()
    let total = sums.total
    let nonfinite = Int(total[3 * m + 2])
    if nonfinite > 0 {
      return DiagnosticRecord(round: round, cost: .nan, stationarity: .nan, consensusSigma: .nan, consensusTheta: .nan,
                              invariant: .nan, maxTheta: sums.maxTheta, boundaryFraction: total[3 * m + 1] / N,
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
    diagnosedThetaStar = sol.point.theta
    let vstar = pr.adjoint(sol)
    let U = pr.upperValue(sol.point)
    checkQuadrature(thetaStar: sol.point.theta, round: round)
    if invariant > invariantTolerance && invariantWarning == nil {
      invariantWarning = "warning: consensus invariant |mean σ − s(x)| = \(invariant) > \(invariantTolerance) at round \(round)"
    }
    let tot = try spreadSums(vstar: vstar, sigmaBar: sigmaBar, thetaBar: thetaBar)
    var tse = 0.0
    for k in 0..<m { tse += (sol.point.theta[k] - thetaBar[k]) * (sol.point.theta[k] - thetaBar[k]) }
    return DiagnosticRecord(
      round: round, cost: U + total[3 * m] / N, stationarity: (tot[2] / N).squareRoot(),
      consensusSigma: (tot[0] / N).squareRoot(), consensusTheta: (tot[1] / N).squareRoot(),
      invariant: invariant, maxTheta: sums.maxTheta, boundaryFraction: total[3 * m + 1] / N, nonfinite: 0,
      directionError: tot[4] > 0 ? (tot[3] / tot[4]).squareRoot() : 0, thetaStarError: tse.squareRoot(),
      newtonIterations: sol.iterations)
  }

  /// Pass 1: the reproducible sums of ``StateSums`` (the same bits for any rank count) and
  /// the max of |θ_i|. φ(x_i) is evaluated here, point by point (the bits the round uses).
  /// Collective.
  func stateSums() throws(EngineError) -> StateSums {
    let m = state.m, d = state.dimension, lo = plan.ownedRange.lowerBound
    let motion = scenario.problem.motion, basis = scenario.family.basis
    var maxTheta = 0.0
    for i in 0..<state.ownedCount {
      var th2 = 0.0
      for k in 0..<m { th2 += state.theta[i * m + k] * state.theta[i * m + k] }
      maxTheta = max(maxTheta, th2.squareRoot().isNaN ? .infinity : th2.squareRoot())
    }
    var phi = [Double](repeating: 0, count: m)
    do {
      let total = try ReproducibleSum(width: 3 * m + 3, blockSize: partition.blockSize, agentCount: scenario.config.agents.count)
        .sum(ownedRange: plan.ownedRange, comm: comm) { id, acc in
          let i = id - lo
          state.x.withUnsafeBufferPointer { xp in
            state.x0.withUnsafeBufferPointer { x0p in
              phi.withUnsafeMutableBufferPointer { pp in
                basis.evaluate(points: xp.baseAddress! + i * d, count: 1, values: pp.baseAddress!, jacobians: nil)
              }
              acc[3 * m] += motion.value(x: xp.baseAddress! + i * d, x0: x0p.baseAddress! + i * d, dimension: d)
            }
          }
          for k in 0..<m {
            acc[k] += phi[k]
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
        }
      return StateSums(total: total, maxTheta: try comm.allreduce(maxTheta, .max))
    } catch { throw .mpi(error) }
  }

  /// Pass 2: Σ|σ_i − σ̄|², Σ|θ_i − θ̄|², Σ|projected exact direction|², Σ|mine − exact|²,
  /// Σ|exact|² (the directions from v* and from the agents' v_i). Collective.
  func spreadSums(vstar: [Double], sigmaBar: [Double], thetaBar: [Double]) throws(EngineError) -> [Double] {
    let m = state.m, d = state.dimension, lo = plan.ownedRange.lowerBound
    let alpha = scenario.config.run.alpha
    let exact = directions(v: vstar, vStride: 0), mine = directions(v: state.v, vStride: m)
    do {
      return try ReproducibleSum(width: 5, blockSize: partition.blockSize, agentCount: scenario.config.agents.count)
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
  }

  /// J_φ(x_i)ᵀv + ∇r(x_i) of every owned agent (n×d), v read with stride `vStride` (0: one
  /// v for all). Local.
  func directions(v: [Double], vStride: Int) -> [Double] {
    let n = state.ownedCount, pr = scenario.problem
    var out = [Double](repeating: 0, count: n * state.dimension)
    guard n > 0 else { return out }
    state.x.withUnsafeBufferPointer { xp in
      state.x0.withUnsafeBufferPointer { x0p in
        v.withUnsafeBufferPointer { vp in
          out.withUnsafeMutableBufferPointer { op in
            pr.agentDirections(x: xp.baseAddress!, x0: x0p.baseAddress!, count: n, v: vp.baseAddress!,
                               vStride: vStride, out: op.baseAddress!)
          }
        }
      }
    }
    return out
  }
}
