// MacroOpt: the root command of the `macroopt` command line.
import ArgumentParser
import MacroIO

struct MacroOpt: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "macroopt",
    abstract: "Distributed bilevel macroscopic optimisation of large multi-agent systems (MPI).",
    discussion: """
      Run under MPI as `mpirun -np P macroopt <subcommand> ...`; help, errors and progress \
      are printed by rank 0.

      \(MacroExit.helpTable)
      """,
    version: MacroOpt.version,
    subcommands: [Run.self, Resume.self, Check.self, Bench.self, Info.self, BenchCheckpoint.self])

  /// `macroopt --version`.
  static let version = "macroopt 0.1.0 (checkpoint format \(CheckpointFormat.version), Swift \(SwiftVersion.compiler))"
}
