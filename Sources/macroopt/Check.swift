// `macroopt check CONFIG`: validate a configuration without running it.
import ArgumentParser
import MPIKit
import MacroCore
import MacroIO

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Validate a configuration (every key, the files it names, the graph) without running.")

  @Argument(help: "The TOML configuration file.")
  var config: String

  @OptionGroup(title: "Configuration")
  var options: ConfigOptions

  func run() throws {
    let world = Communicator.world
    let c = try options.load(path: config, comm: world)
    // Build the scenario too: graph connectivity, files, target (same on every rank).
    let sc = try RunDriver.makeScenario(c)
    if world.rank == 0 {
      print("\(config): OK (\(c.agents.count) agents, d = \(c.agents.dimension), m = \(sc.family.m), graph \(c.graph.kind.rawValue) with mean degree \(String(format: "%.2f", sc.meanDegree)), \(c.run.rounds) rounds)")
    }
  }
}
