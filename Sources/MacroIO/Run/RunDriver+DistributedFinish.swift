// RunDriver+DistributedFinish: after the distributed loop — warnings, the final target
// file, the state digest, the reduced timers and the run summary.
import MacroCore
import MacroEngine
import MPIKit

extension RunDriver {
  func finishDistributed(_ engine: DistributedEngine, _ loop: DistributedLoopState, outputs: RunOutputs, start t0: Double,
                         targetFile: TargetRunFile) throws(RunError) -> (MacroExit, JSONValue) {
    let loopSeconds = MonotonicClock.seconds() - loop.loopStart
    let last = loop.last, status = loop.status, reason = loop.reason
    let fInitial = loop.fInitial, startRound = loop.startRound
    if let reason, isRoot { log("macroopt: error: " + reason) }
    if last.nonfinite == 0 && last.cost > fInitial {
      warn("warning: F rose from \(fInitial) to \(last.cost): the agents' estimates blew up (finite but meaningless); lower run.alpha")
    }
    if status == .done { for w in loop.monitor.warnings() { warn(w) } }
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
