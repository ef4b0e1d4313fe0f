// RunDirectory: what a run checks of its output directory before it starts — created and
// writable, locked for this run, enough memory, and no other run's checkpoints in it.
import Foundation
import MacroCore
import MPIKit

extension RunDriver {
  /// Creates the output directory and takes its lock on rank 0; all ranks learn the outcome
  /// (a directory in use by a live run is bad input, exit 2, naming the holder). Collective.
  func prepareOutput() throws(RunError) {
    var failure: String? = nil
    var stale: String? = nil
    if isRoot {
      do {
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        if FileManager.default.isWritableFile(atPath: outputDir) {
          lock = try OutputLock(directory: outputDir)
          stale = lock?.staleHolder
        } else { failure = "output.dir = \"\(outputDir)\": the directory is not writable" }
      } catch let e as OutputLock.Failure {
        switch e {
        case .held(let holder):
          failure = "output.dir = \"\(outputDir)\" is in use by another run (\(holder)); wait for it to end, or choose another --output"
        case .unusable(let why): failure = "output.dir = \"\(outputDir)\": \(why)"
        }
      } catch {
        failure = "output.dir = \"\(outputDir)\": cannot create the directory (\(fileErrorReason(error)))"
      }
    }
    let agreed: String?
    do { agreed = try CollectiveAgreement.firstFailure(comm, failure) } catch { throw .mpi("\(error)") }
    if let agreed { lock?.release(); throw .config(agreed) }
    if let stale { warn("warning: took over the stale lock of \(outputDir) (\(stale): that run is gone)") }
  }

  /// Refuses a config whose estimated memory exceeds what a rank can have (bad input, exit
  /// 2, before anything is allocated). Collective (each rank checks its node).
  func checkMemory() throws(RunError) {
    let failure = MemoryEstimate(config: config, ranks: comm.size).refusal(config, ranks: comm.size)
    let agreed: String?
    do { agreed = try CollectiveAgreement.firstFailure(comm, failure) } catch { throw .mpi("\(error)") }
    if let agreed { throw .config(agreed) }
  }

  /// The checkpoints in the output directory that belong to another run (another resume
  /// hash: another config, agent count, …): refused (bad input, exit 2, nothing changed),
  /// or deleted with a warning under ``overwrite``. Files whose header cannot be read are
  /// left alone (``loadCheckpoint()`` skips them). Collective.
  func checkOwnership() throws(RunError) {
    let dir = CheckpointFormat.directory(outputDir: outputDir)
    let mine = resumeHash(config)
    var listing = isRoot ? CheckpointDirectory.list(dir).map(\.path).joined(separator: "\n") : ""
    do { listing = try comm.broadcast(string: listing, root: 0) } catch { throw .mpi("\(error)") }
    var foreign: [String] = []
    var differences: [String] = []
    for path in listing.split(separator: "\n").map(String.init) {
      guard let h = try? CheckpointReader.header(path: path, comm: comm) else { continue }
      guard h.resumeHash != mine else { ownCheckpoints.insert(path); continue }
      if foreign.isEmpty { differences = CheckpointReader.configDifferences(stored: h.config, current: canonicalTOML(config)) }
      foreign.append(path)
    }
    guard !foreign.isEmpty else { return }
    let names = foreign.prefix(3).joined(separator: ", ") + (foreign.count > 3 ? " and \(foreign.count - 3) more" : "")
    guard overwrite else {
      throw .config("output.dir = \"\(outputDir)\" holds checkpoints of another run (another configuration"
        + (differences.isEmpty ? "" : "; differing keys: " + differences.joined(separator: ", ")) + "): \(names); "
        + "nothing was changed. Choose another --output, or pass --overwrite to delete them and start this run there")
    }
    if isRoot { for p in foreign { try? FileManager.default.removeItem(atPath: p) } }
    warn("warning: --overwrite: deleted \(foreign.count) checkpoint(s) of another run in \(dir): \(names)")
  }

  /// The newest checkpoint of this run that exists (rank 0; for summary.json).
  func existingCheckpoint() -> CheckpointRecord? {
    if let c = checkpoint, FileManager.default.fileExists(atPath: c.path) { return c }
    guard let newest = CheckpointDirectory.list(CheckpointFormat.directory(outputDir: outputDir)).first else { return nil }
    return CheckpointRecord(round: newest.round, path: newest.path, cost: nil)
  }
}
