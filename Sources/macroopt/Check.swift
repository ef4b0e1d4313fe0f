// `macroopt check CONFIG`: validate a configuration without running it.
import ArgumentParser
import MPIKit
import MacroCore
import MacroEngine
import MacroIO

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Validate a configuration (every key, the files it names, the graph, the memory it needs, the lower level at round 0, a trial of the first rounds) without writing anything.")

  @Argument(help: "The TOML configuration file.")
  var config: String

  @Option(help: ArgumentHelp("Rounds of the real engine to try (no output) to catch a lower level that diverges in the warm-up; 0 skips.", valueName: "R"))
  var trialRounds: Int = 20

  @OptionGroup(title: "Configuration")
  var options: ConfigOptions

  func validate() throws {
    guard trialRounds >= 0 else { throw ValidationError("--trial-rounds \(trialRounds): must be 0 or more") }
  }

  func run() throws {
    let world = Communicator.world
    let c = try options.load(path: config, comm: world)
    // The memory estimate before anything is allocated (each rank checks its node).
    let estimate = MemoryEstimate(config: c, ranks: world.size)
    let failure = estimate.refusal(c, ranks: world.size)
    if world.rank == 0 { print("\(config): \(estimate.summary)") }
    if let first = try CollectiveAgreement.firstFailure(world, failure) { throw RunError.config(first) }
    // Build the scenario too: graph connectivity, files, target (collective).
    let sc = try RunDriver.makeScenario(c)
    // The lower level at round 0: θ*(s(x⁰)) must exist (a degenerate initial configuration or
    // a too small λ for the basis and quadrature diverges at round 0). Same on every rank.
    do { _ = try sc.problem.solveLowerLevel(s: sc.initialFeatureMean) } catch {
      throw RunError.config("the lower level has no solution at round 0, before any agent moved (\(error)): check the initial "
        + "configuration (agents.init, agents.file) or raise lower.lambda (= \(c.lower.lambda)) or basis.quadrature_nodes (= \(c.basis.quadratureNodes)), or lower basis.degree (= \(c.basis.degree))")
    }
    // A trial of the first rounds with the real engine (no output): the warm-up's lower level
    // diverges where θ* is out of numerical reach from the agents' own starting estimates
    // (e.g. lower.lambda = 1e-12), which no cheaper test predicts without false alarms.
    let trial = min(trialRounds, c.run.rounds)
    if trial > 0 {
      let engine = try DistributedEngine(scenario: sc, comm: world)
      let t0 = MPIEnvironment.wtime()
      var failed: String? = nil
      for _ in 0..<trial where failed == nil {
        try engine.step()
        do {
          let r = try engine.diagnostics()
          if r.nonfinite > 0 || !r.cost.isFinite { failed = "\(r.nonfinite) agents with a non-finite state, F = \(r.cost)" }
        } catch {
          // The same on every rank: the lower level at the agents' average has no solution.
          guard case .lowerLevel(let why) = error else { throw error }
          failed = "the lower level has no solution (\(why))"
        }
      }
      if let failed {
        throw RunError.config("a trial of the first \(trial) rounds diverged at round \(engine.round) (\(failed)); likely cause "
          + DivergenceAdvice.cause(round: engine.round, config: c))
      }
      if world.rank == 0 { print("\(config): a trial of \(trial) rounds stayed finite (\(String(format: "%.2f", MPIEnvironment.wtime() - t0)) s; --trial-rounds 0 skips it)") }
    }
    if world.rank == 0 {
      print("\(config): OK (\(c.agents.count) agents, d = \(c.agents.dimension), m = \(sc.family.m), graph \(c.graph.kind.rawValue) with mean degree \(String(format: "%.2f", sc.meanDegree)), \(c.run.rounds) rounds)")
    }
  }
}
