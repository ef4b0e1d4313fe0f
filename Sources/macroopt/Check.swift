// `macroopt check CONFIG`: validate a configuration without running it.
import ArgumentParser
import MPIKit
import MacroCore
import MacroIO

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Validate a configuration (every key, the files it names, the graph, the memory it needs, the lower level at round 0) without running.")

  @Argument(help: "The TOML configuration file.")
  var config: String

  @OptionGroup(title: "Configuration")
  var options: ConfigOptions

  func run() throws {
    let world = Communicator.world
    let c = try options.load(path: config, comm: world)
    // The memory estimate before anything is allocated (each rank checks its node).
    let estimate = MemoryEstimate(config: c, ranks: world.size)
    var failure: String? = nil
    if let (limit, source) = MemoryEstimate.availablePerRank(ranksOnNode: world.size), estimate.bytesPerRank > limit {
      failure = "\(estimate.summary) exceeds the \(MemoryEstimate.gib(limit)) a rank can have here (\(source)): lower agents.count or basis.degree, or use more ranks or nodes"
    }
    if world.rank == 0 { print("\(config): \(estimate.summary)") }
    if (try world.allreduce(failure == nil ? 0 : 1, .max)) > 0 {
      throw RunError.config(failure ?? "the memory estimate exceeds what another rank's node has")
    }
    // Build the scenario too: graph connectivity, files, target (collective).
    let sc = try RunDriver.makeScenario(c)
    // The lower level at round 0: θ*(s(x⁰)) must exist (a degenerate initial configuration or
    // a too small λ for the basis and quadrature diverges at round 0). Same on every rank.
    do { _ = try sc.problem.solveLowerLevel(s: sc.initialFeatureMean) } catch {
      throw RunError.config("the lower level has no solution at round 0, before any agent moved (\(error)): check the initial "
        + "configuration (agents.init, agents.file) or raise lower.lambda (= \(c.lower.lambda)) or basis.quadrature_nodes (= \(c.basis.quadratureNodes)), or lower basis.degree (= \(c.basis.degree))")
    }
    if world.rank == 0 {
      print("\(config): OK (\(c.agents.count) agents, d = \(c.agents.dimension), m = \(sc.family.m), graph \(c.graph.kind.rawValue) with mean degree \(String(format: "%.2f", sc.meanDegree)), \(c.run.rounds) rounds)")
    }
  }
}
