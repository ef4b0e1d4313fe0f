// RunDriver+Distributed: the distributed run's loop — rounds, diagnostics on schedule,
// snapshots, checkpoints and signals decided collectively at every round boundary.
import MacroCore
import MacroEngine
import MPIKit

extension RunDriver {
  func runDistributed(scenario sc: consuming Scenario, loaded: LoadedCheckpoint?, start t0: Double,
                      targetFile: TargetRunFile) throws(RunError) -> (MacroExit, JSONValue) {
    // `sc` is consumed by the engine: the driver keeps no copy of the setup rows (positions,
    // graph rows, weights), which the engine drops once it has built its own from them.
    let engine: DistributedEngine
    do { engine = try DistributedEngine(scenario: sc, comm: comm) } catch { throw Self.engineError(error) }
    if let l = loaded {
      precondition(engine.partition == (try? makePartition()), "RunDriver: the engine's partition differs from the one the checkpoint was read for")
      engine.restore(round: l.header.round, x: l.rows.x, x0: l.rows.x0, sigma: l.rows.sigma, theta: l.rows.theta, v: l.rows.v)
      engine.timers.add(.checkpoint, l.seconds)
    }
    roundReached = engine.round
    let outputs = RunOutputs(outputDir: outputDir, comm: comm)
    defer { outputs.close() }
    outputs.openDiagnostics(keepThrough: loaded?.header.round)
    let first = try diagnose(engine)
    if loaded == nil { outputs.emit(first) }
    let fInitial = loaded?.header.fInitial ?? first.cost
    self.fInitial = fInitial
    let startRound = engine.round
    var last = first
    let rounds = config.run.rounds, every = max(1, config.run.diagEvery)
    // Snapshots: a fresh run starts a new series at round 0; a resumed one continues it
    // (files kept; the XDMF lists those up to the current round).
    let snapshotEvery = config.output.snapshotEvery
    if snapshotEvery > 0 {
      if loaded == nil {
        if isRoot { SnapshotWriter.clear(directory: SnapshotFormat.directory(outputDir: outputDir)) }
        try writeSnapshot(engine)
      } else {
        outputs.writeSnapshotSeries(upTo: engine.round, agents: config.agents.count, dimension: config.agents.dimension)
      }
    }
    if first.nonfinite == 0, let th = engine.diagnosedThetaStar { outputs.writeTarget(targetFile, round: first.round, theta: th, complete: false) }
    try outputs.agree(round: engine.round)
    var monitor = ConvergenceMonitor(warmup: config.run.warmup)
    monitor.add(first)
    var schedule = CheckpointSchedule(every: config.output.checkpointEvery, seconds: config.output.checkpointSeconds)
    let loopStart = MonotonicClock.seconds()
    var status = MacroExit.done
    var reason: String? = nil
    if first.nonfinite > 0 {
      status = .diverged
      reason = divergence("\(first.nonfinite) agents have a non-finite state", round: engine.round)
    }
    while status == .done, engine.round < rounds {
      do { try engine.step() } catch { throw Self.engineError(error) }
      roundReached = engine.round
      var haveLast = false
      if engine.round % every == 0 || engine.round == rounds {
        last = try diagnose(engine)
        haveLast = true
        outputs.emit(last)
        monitor.add(last)
        for w in engine.warnings { warn(w) }
        if last.nonfinite > 0 {
          status = .diverged
          reason = divergence("\(last.nonfinite) agents have a non-finite state", round: engine.round)
          break
        }
      }
      if SnapshotFormat.isDue(round: engine.round, every: snapshotEvery, finalRound: rounds) { try writeSnapshot(engine) }
      let decision: CheckpointSchedule.Decision
      do {
        decision = try schedule.decide(round: engine.round, finalRound: rounds, signal: signalFlag(), failure: outputs.failure != nil,
                                       launcherLost: launcherLost(), comm: comm)
      } catch { throw .mpi("\(error)") }
      if decision.launcherLost { throw .launcherLost(round: engine.round) }
      if decision.failure { throw outputs.agreedFailure(round: engine.round) }
      if decision.write {
        let tw = MonotonicClock.seconds()
        do {
          // Retention by run identity: the writer keeps every checkpoint (it removes only
          // leftover .tmp files); rank 0 then prunes this run's own beyond keep_checkpoints.
          let path = try CheckpointWriter.write(engine: engine, config: config, fInitial: fInitial, outputDir: outputDir, keep: Int.max)
          checkpoint = CheckpointRecord(round: engine.round, path: path, cost: haveLast ? last.cost : nil)
          ownCheckpoints.insert(path)
          if isRoot {
            let removed = CheckpointDirectory.prune(CheckpointFormat.directory(outputDir: outputDir), keep: config.output.keepCheckpoints, owned: ownCheckpoints)
            ownCheckpoints.subtract(removed)
          }
        } catch where error.kind == .nonFinite {
          status = .diverged
          reason = divergence("the state is not finite (no checkpoint written)", round: engine.round)
          break
        } catch {
          throw .checkpoint(CheckpointError(error.kind, path: error.path, error.reason + "; every rank stopped at round \(engine.round) (the previous checkpoint is kept)"))
        }
        engine.timers.add(.checkpoint, MonotonicClock.seconds() - tw)
        schedule.wrote()
      }
      if decision.signal != 0 {
        if engine.round < rounds {
          status = .checkpointed
          if isRoot { log("macroopt: signal \(decision.signal) at round \(engine.round): checkpoint \(lastCheckpoint ?? "?") written; stopping with exit code \(MacroExit.checkpointed.rawValue) (requeue and resume with --resume auto)") }
        }
        if !haveLast { last = try diagnose(engine) }
        break
      }
      if engine.round % every == 0 || engine.round == rounds { report(round: engine.round, of: rounds, from: startRound, since: loopStart, last) }
    }
    let loopSeconds = MonotonicClock.seconds() - loopStart
    if let reason, isRoot { log("macroopt: error: " + reason) }
    if last.nonfinite == 0 && last.cost > fInitial {
      warn("warning: F rose from \(fInitial) to \(last.cost): the agents' estimates blew up (finite but meaningless); lower run.alpha")
    }
    if status == .done { for w in monitor.warnings() { warn(w) } }
    var klFinal: Double? = nil
    if last.nonfinite == 0, let th = engine.diagnosedThetaStar {
      klFinal = targetFile.kl(theta: th)
      let tw = MonotonicClock.seconds()
      outputs.writeTarget(targetFile, round: last.round, theta: th, complete: status == .done)
      engine.timers.add(.output, MonotonicClock.seconds() - tw)
    }
    let digest: String
    do { digest = try engine.stateDigest() } catch { throw Self.engineError(error) }
    let table: [RunSummary.TimerRow]
    do { table = try engine.timers.reduce(over: comm) } catch { throw .mpi("\(error)") }
    let gflops = (try? comm.allreduce(engine.updater.flops, .sum)) ?? 0
    var extra: [(String, JSONValue)] = [("halo_neighbors_max", .int((try? comm.allreduce(engine.plan.neighborRanks.count, .max)) ?? 0)),
                                        ("bytes_per_agent", .number(engine.state.bytesPerAgent)),
                                        ("persistent_bytes_per_agent", .number(engine.state.persistentBytesPerAgent))]
    if let p = resumedFrom { extra += [("resumed_from", .string(p)), ("resumed_round", .int(startRound))] }
    extra += (isRoot ? existingCheckpoint() : checkpoint)?.summaryFields(fInitial: fInitial) ?? []
    extra += [("kl_initial", Self.json(targetFile.klInitial)), ("kl_final", Self.json(klFinal))]
    if let reason { extra.append(("reason", .string(reason))) }
    let summary = RunSummary(config: config, ranks: comm.size, status: status, fInitial: fInitial, last: last, rounds: engine.round,
                             digest: digest, wall: MonotonicClock.seconds() - t0, loop: loopSeconds,
                             agentRounds: Double(config.agents.count) * Double(engine.round - startRound), gflop: gflops / 1e9,
                             table: table, warnings: warnings, extra: extra).json
    outputs.writeSummary(summary)
    try outputs.agree(round: engine.round)
    if isRoot { log(TimerTable.format(table, ranks: comm.size)) }
    return (status, summary)
  }
}
