// `macroopt run [CONFIG]`: a distributed (or centralized) run, optionally continuing from
// the newest valid checkpoint of its output directory (`--resume auto`).
import ArgumentParser
import CShims
import Foundation
import MPIKit
import MacroCore
import MacroIO

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a scenario (the embedded default scenario when no config is given).",
    discussion: """
      Checkpoints go to OUT/checkpoints/round-NNNNNNNN.h5 (output.checkpoint_every rounds, \
      output.checkpoint_seconds wall seconds, and at the end). On SIGUSR1, SIGTERM or SIGINT \
      the ranks write a checkpoint at the next round boundary and exit with code 85. With \
      --resume auto the run continues from the newest valid checkpoint whose configuration \
      matches (older ones when newer ones are refused), starts at round 0 when there is none, \
      and exits 0 at once when the checkpoint is already at run.rounds. One run at a time \
      per output directory (OUT/.macroopt.lock); a directory holding another run's \
      checkpoints is refused (exit 2) unless --overwrite is given.
      """)

  @Argument(help: "The TOML configuration file (optional).")
  var config: String?

  @OptionGroup(title: "Configuration")
  var options: ConfigOptions

  @Option(help: "Output directory (overrides output.dir).")
  var output: String?

  @Option(help: ArgumentHelp("Continue from the newest valid checkpoint in the output directory ('auto').", valueName: "auto"))
  var resume: String?

  @OptionGroup var flags: RunFlags

  func validate() throws {
    if let resume, resume != "auto" { throw ValidationError("--resume takes 'auto' (got '\(resume)'); to continue from a file use `macroopt resume FILE`") }
  }

  func run() throws {
    let world = Communicator.world
    var c = try options.load(path: config, comm: world)
    if let output { c.output.dir = output }
    let driver = RunDriver(config: c, comm: world, outputDir: c.output.dir)
    if resume == "auto" { driver.resume = .auto }
    driver.overwrite = flags.overwrite
    try Self.execute(driver, progress: flags.progress)
  }

  /// Installs the signal flag, runs the driver, prints the result on rank 0, and throws the
  /// exit code of a run that did not finish (3 diverged, 85 checkpointed on a signal).
  /// Collective over the driver's communicator.
  static func execute(_ driver: RunDriver, progress: Bool) throws {
    cshims_install_signal_flag()
    driver.signalFlag = { cshims_signal_flag() }
    driver.launcherLost = { cshims_launcher_lost() != 0 }
    let c = driver.config, world = driver.comm
    let live = launchedFromTerminal
    if progress {
      driver.progressStyle = live ? .live : .log
      driver.progress = live ? { line in FileHandle.standardError.write(Data(line.utf8)) } : { print($0) }
    }
    let (status, summary) = try driver.run()
    if world.rank == 0, !driver.alreadyComplete {
      if progress && live { FileHandle.standardError.write(Data("\n".utf8)) }
      func number(_ key: String, _ digits: Int) -> String {
        if case .number(let x)? = summary[key] { return NumberFormat.sig(x, digits) }
        return "?"
      }
      var rate = "?"
      if case .number(let x)? = summary["agent_rounds_per_second"] { rate = NumberFormat.rate(x) }
      print("macroopt: \(c.run.algorithm.rawValue) run of \(c.agents.count) agents on \(world.size) rank(s): F \(number("F_initial", 4)) -> \(number("F_final", 4)), \(rate) agent-rounds/s")
      print("macroopt: results in \(driver.outputDir)/ (summary.json, diagnostics.jsonl); plot with: scripts/plot \(driver.outputDir)")
    }
    if status != .done { throw status }
  }
}

/// Whether the user launched the run from a terminal: `MACROOPT_TTY` (1/0) when set —
/// scripts/mpirun sets it from its own stderr, because under mpirun a rank's stderr is a pipe
/// even in a terminal — else whether this process's stderr is a terminal.
var launchedFromTerminal: Bool {
  if let v = ProcessInfo.processInfo.environment["MACROOPT_TTY"] { return v == "1" }
  return isatty(2) != 0
}
