// ResumeSource: the checkpoint a run continues from (`--resume auto`: the newest valid one of
// this run, older ones when newer ones are refused; `resume FILE`: that one).
import MacroCore
import MacroEngine
import MPIKit

/// A checkpoint read for the partition the engine will use.
struct LoadedCheckpoint {
  var header: CheckpointHeader
  var rows: CheckpointRows
  var path: String
  /// Seconds spent reading and verifying it.
  var seconds: Double
}

extension RunDriver {
  /// The partition of the engine for this config and communicator (what a checkpoint is read for).
  func makePartition() throws(RunError) -> Partition {
    do { return try Partition(agentCount: config.agents.count, rankCount: comm.size, blockSize: Scenario.blockSize) } catch {
      throw .config("partition: \(error)")
    }
  }

  /// Loads the checkpoint ``resume`` asks for (nil: start fresh). `.file` refusals throw;
  /// `.auto` falls back to older checkpoints and says so. Collective over `comm`.
  func loadCheckpoint() throws(RunError) -> LoadedCheckpoint? {
    let start = MonotonicClock.seconds()
    switch resume {
    case .none:
      return nil
    case .file(let path):
      do {
        let l = try CheckpointReader.load(path: path, expect: .init(config: config, matchConfig: false), partition: try makePartition(), comm: comm)
        return loaded(l.header, l.rows, path, start)
      } catch let e as CheckpointError { throw .checkpoint(e) } catch let e as RunError { throw e } catch {
        throw .internalError("\(error)")
      }
    case .auto:
      let dir = CheckpointFormat.directory(outputDir: outputDir)
      var listing = isRoot ? CheckpointDirectory.list(dir).map(\.path).joined(separator: "\n") : ""
      do { listing = try comm.broadcast(string: listing, root: 0) } catch { throw .mpi("\(error)") }
      let candidates = listing.split(separator: "\n").map(String.init)
      let partition = try makePartition()
      for (i, path) in candidates.enumerated() {
        do {
          let l = try CheckpointReader.load(path: path, expect: .init(config: config, matchConfig: true), partition: partition, comm: comm)
          return loaded(l.header, l.rows, path, start)
        } catch {
          if isRoot { log("macroopt: warning: \(error); " + (i + 1 < candidates.count ? "falling back to the previous checkpoint" : "no older checkpoint")) }
        }
      }
      if isRoot { log("macroopt: " + (candidates.isEmpty ? "no checkpoint in \(dir)" : "no valid checkpoint in \(dir)") + ": starting from round 0") }
      return nil
    }
  }

  private func loaded(_ h: CheckpointHeader, _ rows: CheckpointRows, _ path: String, _ start: Double) -> LoadedCheckpoint {
    resumedFrom = path
    if isRoot { log("macroopt: resuming from \(path) at round \(h.round) (written by \(h.ranksWritten) rank(s), read by \(comm.size))") }
    return LoadedCheckpoint(header: h, rows: rows, path: path, seconds: MonotonicClock.seconds() - start)
  }
}
