// `macroopt resume CHECKPOINT.h5`: continue a run from a checkpoint, on any number of ranks.
import ArgumentParser
import Foundation
import MPIKit
import MacroCore
import MacroIO

struct Resume: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Continue a run from a checkpoint (any rank count; the configuration comes from the checkpoint).",
    discussion: """
      The checkpoint is validated first (HDF5 file, format version, attributes, dataset shapes, \
      per-dataset SHA-256 checksums); a refused checkpoint exits with code 2 and names the check \
      that failed. The output directory defaults to the directory above checkpoints/ when the \
      file lies in one, else the stored output.dir; diagnostics.jsonl there is continued.
      """)

  @Argument(help: "The checkpoint file (OUT/checkpoints/round-NNNNNNNN.h5).")
  var checkpoint: String

  @Option(help: "Output directory (default: the run's, see above).")
  var output: String?

  @Option(help: "Total rounds of the continued run (overrides run.rounds of the stored configuration).")
  var rounds: Int?

  @OptionGroup var flags: RunFlags

  func validate() throws {
    if let rounds, rounds < 0 { throw ValidationError("--rounds must be at least 0 (got \(rounds))") }
  }

  func run() throws {
    let world = Communicator.world
    let header: CheckpointHeader
    do { header = try CheckpointReader.header(path: checkpoint, comm: world) } catch { throw RunError.checkpoint(error) }
    let source = "\(checkpoint) (attribute config)"
    let missing = try ConfigLoader.missingKeys(toml: header.config, sourceName: source)
    guard missing.isEmpty else {
      throw RunError.config("checkpoint \(checkpoint): its stored configuration lacks \(missing.joined(separator: ", ")) "
        + "(written by an older macroopt); today's defaults would change the run, so it cannot continue bitwise — "
        + "resume it with the version that wrote it, or start a new run")
    }
    var c = try ConfigLoader.parse(toml: header.config, baseDirectory: FileManager.default.currentDirectoryPath,
                                   sourceName: source)
    if let rounds { c.run.rounds = rounds }
    c.output.dir = output ?? Self.defaultOutput(checkpoint: checkpoint, stored: c.output.dir)
    let driver = RunDriver(config: c, comm: world, outputDir: c.output.dir)
    driver.resume = .file(checkpoint)
    driver.overwrite = flags.overwrite
    try Run.execute(driver, progress: flags.progress)
  }

  /// `DIR` for `DIR/checkpoints/FILE`, else the stored output.dir.
  static func defaultOutput(checkpoint: String, stored: String) -> String {
    let parent = URL(fileURLWithPath: checkpoint).deletingLastPathComponent()
    return parent.lastPathComponent == "checkpoints" ? parent.deletingLastPathComponent().path : stored
  }
}
