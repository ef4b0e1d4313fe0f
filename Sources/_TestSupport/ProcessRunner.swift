// ProcessRunner: run a subprocess for a test with a scrubbed environment and a timeout.
//
// The environment is scrubbed of launcher variables: a test process that called MPI_Init
// as a singleton carries OMPI_*, PMIX_*, ORTE_* variables, and an mpirun started with them
// exits 1 without a word. On timeout the whole process group is killed (Foundation's
// Process starts each child in its own group; mpirun, on SIGTERM, takes down its ranks,
// which run in groups of their own), so a hung rank fails the test instead of hanging CI.
import Foundation

/// What a finished subprocess produced.
public struct ProcessResult: Sendable, CustomStringConvertible {
  /// The exit status; 128 + signal number when the process was killed by a signal.
  public let exitCode: Int32
  public let stdout: String
  public let stderr: String
  /// Wall-clock seconds from launch to exit.
  public let seconds: Double
  /// The command line, for messages.
  public let command: [String]

  /// Non-empty stdout lines.
  public var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }

  public var description: String {
    "`\(command.joined(separator: " "))` exited \(exitCode) after \(String(format: "%.2f", seconds)) s\n"
      + "--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
  }
}

/// Why a subprocess could not produce a result.
public enum ProcessFailure: Error, CustomStringConvertible {
  case executableNotFound(name: String, searched: [String])
  case launchFailed(command: [String], reason: String)
  /// The process ran past the timeout and its process group was killed.
  case timedOut(command: [String], seconds: Double, stdout: String, stderr: String)

  public var description: String {
    switch self {
    case .executableNotFound(let name, let searched):
      return "executable '\(name)' not found; searched: \(searched.joined(separator: ", "))"
    case .launchFailed(let command, let reason):
      return "could not launch `\(command.joined(separator: " "))`: \(reason)"
    case .timedOut(let command, let seconds, let stdout, let stderr):
      return "`\(command.joined(separator: " "))` timed out after \(seconds) s (process group killed)\n"
        + "--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }
  }
}

/// Serialises tests that launch MPI jobs (2 cores: concurrent mpirun jobs oversubscribe
/// the machine and make timings and timeouts unreliable). Process-wide.
public enum SubprocessLock {
  private static let lock = NSLock()
  /// Held while a subprocess is spawned and while singleton MPI initialises (which forks
  /// an `orted` that lives as long as the test process): a fork in the middle of a spawn
  /// would hand the child's exit-notification socket and pipes to that orted.
  static let forkLock = NSLock()

  /// Runs `body` while no other exclusive subprocess runs in this process.
  public static func withExclusiveAccess<R>(_ body: () throws -> R) rethrows -> R {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}

/// The environment for test subprocesses: `base` without any OMPI_*, PMIX_*, ORTE_*,
/// HYDRA_* or OPAL_* variable, plus mpirun-as-root permission, one BLAS thread and no
/// Swift backtracer; then `extra`.
public func scrubbedEnvironment(
  _ base: [String: String] = ProcessInfo.processInfo.environment, extra: [String: String] = [:]
) -> [String: String] {
  let prefixes = ["OMPI_", "PMIX_", "ORTE_", "HYDRA_", "OPAL_"]
  var env = base.filter { key, _ in !prefixes.contains { key.hasPrefix($0) } }
  env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
  env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
  env["OPENBLAS_NUM_THREADS"] = "1"
  env["SWIFT_BACKTRACE"] = "enable=no"
  env.merge(extra) { _, new in new }
  return env
}

/// Runs `executable` with `arguments` in a scrubbed environment (`scrubbedEnvironment`)
/// and returns its exit code and output. Throws `ProcessFailure.timedOut` after `timeout`
/// seconds (the process group is killed first). `exclusive` holds `SubprocessLock`.
public func runProcess(
  _ executable: URL, _ arguments: [String] = [], environment extra: [String: String] = [:],
  currentDirectory: URL? = nil, timeout: Double = 120, exclusive: Bool = false
) throws -> ProcessResult {
  if exclusive {
    return try SubprocessLock.withExclusiveAccess {
      try runProcess(executable, arguments, environment: extra, currentDirectory: currentDirectory,
                     timeout: timeout, exclusive: false)
    }
  }
  let command = [executable.path] + arguments
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  process.environment = scrubbedEnvironment(extra: extra)
  if let currentDirectory { process.currentDirectoryURL = currentDirectory }
  let files = try ProcessOutputFiles(command: command)
  defer { files.remove() }
  process.standardOutput = files.outHandle
  process.standardError = files.errHandle
  process.standardInput = FileHandle.nullDevice
  let exited = DispatchSemaphore(value: 0)
  process.terminationHandler = { _ in exited.signal() }

  let start = Date()
  do {
    SubprocessLock.forkLock.lock()
    defer { SubprocessLock.forkLock.unlock() }
    try process.run()
  } catch {
    throw ProcessFailure.launchFailed(command: command, reason: "\(error)")
  }
  let pid = process.processIdentifier
  var status = waitForExit(process, pid: pid, exited: exited, seconds: timeout)
  let timedOut = status == nil
  if timedOut { status = killGroup(process, pid: pid, exited: exited) }
  let seconds = Date().timeIntervalSince(start)
  let (outText, errText) = files.texts()
  if timedOut {
    throw ProcessFailure.timedOut(command: command, seconds: timeout, stdout: outText, stderr: errText)
  }
  return ProcessResult(exitCode: status ?? 128 + SIGKILL, stdout: outText, stderr: errText,
                       seconds: seconds, command: command)
}

/// Kills the timed-out child's process group (SIGTERM, then SIGKILL 10 s later) and
/// returns its exit code, or nil when it still has not exited.
private func killGroup(_ process: Process, pid: pid_t, exited: DispatchSemaphore) -> Int32? {
  let group = -pid  // the child leads its own process group
  kill(group, SIGTERM)
  // mpirun needs about 3 s to take its ranks down (they run in their own groups).
  var status = waitForExit(process, pid: pid, exited: exited, seconds: 10)
  if status == nil {
    kill(group, SIGKILL)
    status = waitForExit(process, pid: pid, exited: exited, seconds: 10)
  }
  return status
}

/// Waits up to `seconds` for the child to exit; returns its exit code (128 + signal when
/// signalled) or nil on timeout.
///
/// Foundation learns of a child's exit from EOF on a socket the child inherits. Any other
/// process that inherited that socket (an `orted` forked by a singleton MPI_Init while the
/// spawn was in progress) keeps Foundation waiting forever, so this also reaps the child
/// itself with waitpid(WNOHANG) and uses whichever answer comes first.
private func waitForExit(_ process: Process, pid: pid_t, exited: DispatchSemaphore, seconds: Double) -> Int32? {
  let deadline = Date().addingTimeInterval(seconds)
  while true {
    if exited.wait(timeout: .now() + 0.01) == .success {
      exited.signal()  // keep it signalled for later calls
      return foundationStatus(process)
    }
    var raw: Int32 = 0
    let r = waitpid(pid, &raw, WNOHANG)
    if r == pid {
      let signal = raw & 0x7f
      return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
    if r == -1 && errno == ECHILD {
      // Foundation reaped it and is about to report: give it a moment.
      if exited.wait(timeout: .now() + 5) == .success {
        exited.signal()
        return foundationStatus(process)
      }
      return 128 + SIGKILL  // unknown status; should not happen
    }
    if Date() >= deadline { return nil }
  }
}

private func foundationStatus(_ process: Process) -> Int32 {
  let status = process.terminationStatus
  return process.terminationReason == .uncaughtSignal ? 128 + status : status
}

