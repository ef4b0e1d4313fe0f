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
    var loop = try beginDistributed(engine, loaded: loaded, outputs: outputs, targetFile: targetFile)
    while loop.status == .done, engine.round < config.run.rounds {
      guard try distributedRound(engine, &loop, outputs: outputs) else { break }
    }
    return try finishDistributed(engine, loop, outputs: outputs, start: t0, targetFile: targetFile)
  }

  /// Before the first round: the initial diagnostics (emitted on a fresh run), F₀, the
  /// snapshot series, the initial target file, and the loop state.
  private func beginDistributed(_ engine: DistributedEngine, loaded: LoadedCheckpoint?, outputs: RunOutputs,
                                targetFile: TargetRunFile) throws(RunError) -> DistributedLoopState {
    outputs.openDiagnostics(keepThrough: loaded?.header.round)
    let first = try diagnose(engine)
    if loaded == nil { outputs.emit(first) }
    let fInitial = loaded?.header.fInitial ?? first.cost
    self.fInitial = fInitial
    let startRound = engine.round
    // Snapshots: a fresh run starts a new series at round 0; a resumed one continues it
    // (files kept; the XDMF lists those up to the current round).
    if config.output.snapshotEvery > 0 {
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
    let schedule = CheckpointSchedule(every: config.output.checkpointEvery, seconds: config.output.checkpointSeconds)
    let loopStart = MonotonicClock.seconds()
    var loop = DistributedLoopState(last: first, monitor: monitor, schedule: schedule, fInitial: fInitial,
                                    startRound: startRound, loopStart: loopStart)
    if first.nonfinite > 0 {
      loop.status = .diverged
      loop.reason = divergence("\(first.nonfinite) agents have a non-finite state", round: engine.round)
    }
    return loop
  }
}
