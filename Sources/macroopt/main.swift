// macroopt entry point: an MPI-aware replacement for ParsableCommand.main().
//
// 1. Line-buffer stdout (ranks interleave by line).
// 2. Parse argv on every rank (validate() runs before MPI_Init). Help and parse errors are
//    the same on every rank, so only rank 0 prints them; the rank comes from the launcher's
//    environment because MPI is not initialised yet.
// 3. Initialise MPI, run the command, finalise, exit 0.
// 4. On a thrown error, exit with its MacroExit code:
//    - internal/MPI failure (1) on more than one rank: the error may be local to this rank,
//      so this rank prints it with its rank number and calls MPI_Abort (no rank hangs);
//    - otherwise (bad input 2, diverged 3, output failure 4, checkpointed 85, or a one-rank
//      job) the error is collective by contract: rank 0 prints it, every rank finalises and
//      exits;
//    - an output failure (4): as above, but without MPI_Finalize (see terminate(runError:));
//    - a lost launcher (mpirun died): every rank stops at the same round boundary and exits 1
//      at once, without MPI_Finalize (which would wait for the dead launcher).
//
// Signals: CShims catches USR1/TERM/INT into a flag in a constructor, before main() and
// MPI_Init; `run` and `resume` poll it. Other commands restore the default actions. When
// scripts/mpirun set MACROOPT_READY_FILE, rank 0 creates that file once every rank is past
// MPI_Init (handlers in place): the wrapper holds signals back until then.
//
// Exit report: when scripts/mpirun set MACROOPT_STATUS_FILE, every rank appends "RANK CODE"
// to it just before it exits (reportExit). mpirun restores SIGUSR1's default action while it
// shuts down, after the ranks have exited, so a USR1 the wrapper forwards in that window
// kills mpirun (138) although the job is over; the wrapper then exits with the ranks' codes
// from this file instead (scripts/mpirun's header).
import ArgumentParser
import CShims
import Foundation
import MPIKit
import MacroIO

cshims_line_buffer_stdout()
// Catch USR1/TERM from the very start (a batch script may forward the signal before the run
// begins): the handler only sets a flag, which `run` turns into checkpoint + exit 85.
cshims_install_signal_flag()
let launcherRank = MPIEnvironment.launcherRank ?? 0
let statusFile: String? = {
  guard let path = ProcessInfo.processInfo.environment["MACROOPT_STATUS_FILE"], !path.isEmpty else { return nil }
  return path
}()

/// Appends "RANK CODE" to MACROOPT_STATUS_FILE (when scripts/mpirun set it): the code this
/// process is about to exit with. Called right before every exit (after MPI_Finalize where
/// the process finalises).
func reportExit(_ code: Int32) {
  guard let statusFile else { return }
  _ = cshims_report_exit(statusFile, Int32(clamping: launcherRank), code)
}

func printError(_ text: String) {
  FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Ends the process for an error thrown while parsing argv (before MPI_Init): rank 0
/// prints ArgumentParser's message (help on stdout, errors with usage on stderr).
func terminate(parseError error: any Error) -> Never {
  let code = MacroExit(for: error)
  let message = MacroOpt.fullMessage(for: error)
  if launcherRank == 0, !message.isEmpty {
    if code == .done { print(message) } else { printError(message) }
  }
  reportExit(code.rawValue)
  exit(code.rawValue)
}

/// Ends the process for an error thrown by a command (see the header comment).
func terminate(runError error: any Error) -> Never {
  let code = MacroExit(for: error)
  if let e = error as? RunError, case .launcherLost = e {
    printError("macroopt: error: \(e)")
    reportExit(code.rawValue)
    _exit(code.rawValue)
  }
  // MacroExit and ArgumentParser's ExitCode carry no message (the command printed it).
  let message = (error is MacroExit || error is ExitCode) ? "" : MacroOpt.message(for: error)
  let initialized = MPIEnvironment.isInitialized
  let world = Communicator.world
  let rank = initialized ? world.rank : launcherRank
  if initialized, code == .internalFailure, world.size > 1 {
    printError("macroopt: error on rank \(rank) of \(world.size): \(message.isEmpty ? "\(code)" : message)")
    reportExit(code.rawValue)
    world.abort(code: code.rawValue)
  }
  if rank == 0, !message.isEmpty {
    if code == .done { print(message) } else { printError("macroopt: error: \(message)") }
  }
  if code == .outputFailure {
    // A write that failed on a full disk can leave an HDF5 file open that cannot be flushed;
    // MPI_Finalize would make HDF5 close it and crash (SIGSEGV). Every rank agreed on the
    // failure and stops here together, so skip MPI_Finalize.
    fflush(nil)
    reportExit(code.rawValue)
    _exit(code.rawValue)
  }
  try? MPIEnvironment.finalize()
  reportExit(code.rawValue)
  exit(code.rawValue)
}

let command: any ParsableCommand
do {
  command = try MacroOpt.parseAsRoot()
} catch {
  terminate(parseError: error)
}

if !(command is Run || command is Resume) { cshims_default_signals() }

do {
  try MPIEnvironment.initialize()
  if let ready = ProcessInfo.processInfo.environment["MACROOPT_READY_FILE"], !ready.isEmpty {
    try Communicator.world.barrier()
    if Communicator.world.rank == 0 { _ = FileManager.default.createFile(atPath: ready, contents: nil) }
  }
  var running = command
  try running.run()
  try MPIEnvironment.finalize()
} catch {
  terminate(runError: error)
}
reportExit(MacroExit.done.rawValue)
exit(MacroExit.done.rawValue)
