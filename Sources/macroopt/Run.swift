// `macroopt run [CONFIG]`: a distributed (or centralized) run.
import ArgumentParser
import Foundation
import MPIKit
import MacroCore
import MacroIO

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a scenario (the embedded default scenario when no config is given).")

  @Argument(help: "The TOML configuration file (optional).")
  var config: String?

  @OptionGroup(title: "Configuration")
  var options: ConfigOptions

  @Option(help: "Output directory (overrides output.dir).")
  var output: String?

  @Flag(inversion: .prefixedNo, help: "Progress line on rank 0 (default: when stderr is a terminal).")
  var progress: Bool = isatty(2) != 0

  func run() throws {
    let world = Communicator.world
    var c = try options.load(path: config, comm: world)
    if let output { c.output.dir = output }
    let driver = RunDriver(config: c, comm: world, outputDir: c.output.dir)
    if progress {
      driver.progress = { line in FileHandle.standardError.write(Data(("\r" + line + "   ").utf8)) }
    }
    let (status, summary) = try driver.run()
    if world.rank == 0 {
      if progress { FileHandle.standardError.write(Data("\n".utf8)) }
      let f0 = summary["F_initial"].map { "\($0.serialized())" } ?? "?"
      let f1 = summary["F_final"].map { "\($0.serialized())" } ?? "?"
      let rate = summary["agent_rounds_per_second"].map { $0.serialized() } ?? "?"
      print("macroopt: \(c.run.algorithm.rawValue) run of \(c.agents.count) agents on \(world.size) rank(s): F \(f0) -> \(f1), \(rate) agent-rounds/s")
      print("macroopt: results in \(c.output.dir)/ (summary.json, diagnostics.jsonl); plot with: scripts/plot \(c.output.dir)")
    }
    if status != .done { throw MacroExit(rawValue: status.rawValue) ?? .internalFailure }
  }
}
