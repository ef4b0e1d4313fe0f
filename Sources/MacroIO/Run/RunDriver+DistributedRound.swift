// RunDriver+DistributedRound: one round of the distributed loop — the step, diagnostics on
// schedule, snapshots, and the collective checkpoint / signal / failure decision.
import MacroCore
import MacroEngine
import MPIKit

extension RunDriver {
  /// Runs one round; false when the loop stops (divergence or a signal).
  func distributedRound(_ engine: DistributedEngine, _ loop: inout DistributedLoopState,
                        outputs: RunOutputs) throws(RunError) -> Bool {
    let rounds = config.run.rounds, every = max(1, config.run.diagEvery)
    do { try engine.step() } catch { throw Self.engineError(error) }
    roundReached = engine.round
    var haveLast = false
    if engine.round % every == 0 || engine.round == rounds {
      loop.last = try diagnose(engine)
      haveLast = true
      outputs.emit(loop.last)
      loop.monitor.add(loop.last)
      for w in engine.warnings { warn(w) }
      if loop.last.nonfinite > 0 {
        loop.status = .diverged
        loop.reason = divergence("\(loop.last.nonfinite) agents have a non-finite state", round: engine.round)
        return false
      }
    }
    if SnapshotFormat.isDue(round: engine.round, every: config.output.snapshotEvery, finalRound: rounds) { try writeSnapshot(engine) }
    let decision: CheckpointSchedule.Decision
    do {
      decision = try loop.schedule.decide(round: engine.round, finalRound: rounds, signal: signalFlag(), failure: outputs.failure != nil,
                                          launcherLost: launcherLost(), comm: comm)
    } catch { throw .mpi("\(error)") }
    if decision.launcherLost { throw .launcherLost(round: engine.round) }
    if decision.failure { throw outputs.agreedFailure(round: engine.round) }
    if decision.write {
      guard try writeCheckpoint(engine, &loop, haveLast: haveLast) else { return false }
    }
    if decision.signal != 0 {
      if engine.round < rounds {
        loop.status = .checkpointed
        if isRoot { log("macroopt: signal \(decision.signal) at round \(engine.round): checkpoint \(lastCheckpoint ?? "?") written; stopping with exit code \(MacroExit.checkpointed.rawValue) (requeue and resume with --resume auto)") }
      }
      if !haveLast { loop.last = try diagnose(engine) }
      return false
    }
    if engine.round % every == 0 || engine.round == rounds {
      report(round: engine.round, of: rounds, from: loop.startRound, since: loop.loopStart, loop.last)
    }
    return true
  }

  /// Writes the scheduled checkpoint (collective); false when the state is not finite (the
  /// loop state is then marked diverged).
  private func writeCheckpoint(_ engine: DistributedEngine, _ loop: inout DistributedLoopState,
                               haveLast: Bool) throws(RunError) -> Bool {
    let tw = MonotonicClock.seconds()
    do {
      // Retention by run identity: the writer keeps every checkpoint (it removes only
      // leftover .tmp files); rank 0 then prunes this run's own beyond keep_checkpoints.
      let path = try CheckpointWriter.write(engine: engine, config: config, fInitial: loop.fInitial, outputDir: outputDir, keep: Int.max)
      checkpoint = CheckpointRecord(round: engine.round, path: path, cost: haveLast ? loop.last.cost : nil)
      ownCheckpoints.insert(path)
      if isRoot {
        let removed = CheckpointDirectory.prune(CheckpointFormat.directory(outputDir: outputDir), keep: config.output.keepCheckpoints, owned: ownCheckpoints)
        ownCheckpoints.subtract(removed)
      }
    } catch where error.kind == .nonFinite {
      loop.status = .diverged
      loop.reason = divergence("the state is not finite (no checkpoint written)", round: engine.round)
      return false
    } catch {
      throw .checkpoint(CheckpointError(error.kind, path: error.path, error.reason + "; every rank stopped at round \(engine.round) (the previous checkpoint is kept)"))
    }
    engine.timers.add(.checkpoint, MonotonicClock.seconds() - tw)
    loop.schedule.wrote()
    return true
  }
}
