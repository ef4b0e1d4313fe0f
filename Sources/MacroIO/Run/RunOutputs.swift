// RunOutputs: the files rank 0 writes during a run (diagnostics.jsonl, target.json, the
// snapshot series, summary.json) behind one emit/finish, with collective failure agreement.
import Foundation
import MacroEngine
import MPIKit

/// Rank 0 writes; a write failure is recorded, not thrown, and ``agree()`` — called by every
/// rank at the next collective point — turns it into the same ``RunError/output(_:)`` on every
/// rank, so no rank is left in a collective the others never enter.
final class RunOutputs {
  let outputDir: String
  let comm: Communicator
  var isRoot: Bool { comm.rank == 0 }
  /// The first write failure on this rank (nil: none).
  private(set) var failure: String?
  private var diagnostics: JSONLinesWriter?

  init(outputDir: String, comm: Communicator) {
    self.outputDir = outputDir
    self.comm = comm
  }

  deinit { try? diagnostics?.close() }

  var diagnosticsPath: String { outputDir + "/diagnostics.jsonl" }
  var summaryPath: String { outputDir + "/summary.json" }

  /// Records a rank-local failure (the first one wins). Local.
  func fail(_ message: String) { if failure == nil { failure = message } }

  /// Opens diagnostics.jsonl on rank 0: truncated for a fresh run; for a resumed run the
  /// records after the checkpoint's round (written before an interruption) are dropped and
  /// new ones appended, so the file reads as if the run was never interrupted. Local.
  func openDiagnostics(keepThrough round: Int?) {
    guard isRoot else { return }
    let path = diagnosticsPath
    do throws(OutputFileError) {
      if let round, let text = try? String(contentsOfFile: path, encoding: .utf8) {
        let kept = text.split(separator: "\n").filter { line in
          guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let r = obj["round"] as? Int else { return false }
          return r <= round
        }
        try writeAtomically(path: path, contents: kept.map { $0 + "\n" }.joined())
      }
      diagnostics = try JSONLinesWriter(path: path, append: round != nil)
    } catch { fail("\(error)") }
  }

  /// Appends one diagnostics record (rank 0; nothing after a failure). Local.
  func emit(_ r: DiagnosticRecord) {
    guard let w = diagnostics, failure == nil else { return }
    do { try w.write(RunSummary.json(r)) } catch { fail("\(error)") }
  }

  /// Rewrites target.json (rank 0). Local.
  func writeTarget(_ file: TargetRunFile, round: Int, theta: [Double], complete: Bool) {
    guard isRoot, failure == nil else { return }
    do { try file.write(latest: .init(round: round, theta: theta), complete: complete) } catch { fail("\(error)") }
  }

  /// Rewrites the snapshot series' XDMF up to `round` (a resumed run; rank 0). Local.
  func writeSnapshotSeries(upTo round: Int, agents: Int, dimension: Int) {
    guard isRoot, failure == nil else { return }
    // A run resumed into another output directory continues its series there: the directory
    // may not exist yet (the XDMF then lists no earlier snapshots).
    let dir = SnapshotFormat.directory(outputDir: outputDir)
    do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
      fail("cannot create \(dir): \((error as NSError).localizedDescription)")
      return
    }
    do { try SnapshotSeries.write(directory: dir, upTo: round, agents: agents, dimension: dimension) }
    catch { fail("\(error)") }
  }

  /// Writes summary.json atomically (rank 0). Local.
  func writeSummary(_ s: JSONValue) {
    guard isRoot else { return }
    do { try writeAtomically(path: summaryPath, contents: s.prettySerialized() + "\n") } catch { fail("\(error)") }
  }

  /// Agrees on the failures recorded so far: throws the lowest failing rank's message as
  /// ``RunError/output(_:)`` on every rank, returns when none failed. Collective.
  func agree(round: Int) throws(RunError) {
    let first: String?
    do { first = try CollectiveAgreement.firstFailure(comm, failure) } catch { throw .mpi("\(error)") }
    if let first { throw Self.stopped(first, round: round) }
  }

  /// The error of an agreed failure (the flag travelled in another reduction): rank 0's
  /// message, broadcast. Collective.
  func agreedFailure(round: Int) -> RunError {
    do {
      guard let first = try CollectiveAgreement.firstFailure(comm, failure) else {
        return .internalError("an output failure was agreed but no rank reports one")
      }
      return Self.stopped(first, round: round)
    } catch { return .mpi("\(error)") }
  }

  static func stopped(_ message: String, round: Int) -> RunError {
    .output("\(message); every rank stopped at round \(round) (the previous checkpoint is kept)")
  }

  func close() { try? diagnostics?.close(); diagnostics = nil }
}
