// MPIRun: locate the package's build products and run them under mpirun from tests.
import Foundation

public enum MPIRun {
  /// The package root (three levels above this file: Sources/_TestSupport/MPIRun.swift).
  public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Directories searched for build products, in order: $MACROOPT_BIN_DIR, the directory
  /// of the running test executable (.build/<triple>/debug under `swift test`), and
  /// <package root>/.build/debug.
  public static var binDirectories: [URL] {
    var dirs: [URL] = []
    if let dir = ProcessInfo.processInfo.environment["MACROOPT_BIN_DIR"], !dir.isEmpty {
      dirs.append(URL(fileURLWithPath: dir))
    }
    if let exe = Bundle.main.executableURL {
      dirs.append(exe.resolvingSymlinksInPath().deletingLastPathComponent())
    }
    if let arg0 = CommandLine.arguments.first, arg0.contains("/") {
      dirs.append(URL(fileURLWithPath: arg0).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    dirs.append(packageRoot.appendingPathComponent(".build/debug"))
    return dirs
  }

  /// The build product `name` (e.g. "macroopt", "mpikit-check") from `binDirectories`.
  public static func executable(_ name: String) throws -> URL {
    let fm = FileManager.default
    let dirs = binDirectories
    for dir in dirs {
      let candidate = dir.appendingPathComponent(name)
      if fm.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw ProcessFailure.executableNotFound(name: name, searched: dirs.map(\.path))
  }

  /// mpirun from $MPIRUN or PATH.
  public static func mpirun() throws -> URL {
    let env = ProcessInfo.processInfo.environment
    if let explicit = env["MPIRUN"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
    let dirs = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    for dir in dirs {
      let candidate = URL(fileURLWithPath: dir).appendingPathComponent("mpirun")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw ProcessFailure.executableNotFound(name: "mpirun", searched: dirs)
  }

  /// The mpirun arguments for `np` ranks: `-np P`, plus `--oversubscribe` past 2 ranks or
  /// past the core count.
  public static func launchArguments(np: Int) -> [String] {
    let oversubscribe = np > 2 || np > ProcessInfo.processInfo.activeProcessorCount
    return ["-np", "\(np)"] + (oversubscribe ? ["--oversubscribe"] : [])
  }

  /// Runs `mpirun -np <np> [--oversubscribe] <bin>/<product> arguments…` with a scrubbed
  /// environment (see `scrubbedEnvironment`), holding `SubprocessLock` so MPI jobs never
  /// overlap — unless `exclusive` is false because the caller already holds it (tests that
  /// run several jobs in one locked section). Throws `ProcessFailure.timedOut` if the job
  /// outlives `timeout` seconds.
  public static func run(
    np: Int, _ product: String, _ arguments: [String] = [],
    environment: [String: String] = [:], timeout: Double = 120, exclusive: Bool = true
  ) throws -> ProcessResult {
    precondition(np >= 1, "MPIRun.run: np must be at least 1")
    let binary = try executable(product)
    return try runProcess(try mpirun(), launchArguments(np: np) + [binary.path] + arguments,
                          environment: environment, timeout: timeout, exclusive: exclusive)
  }
}
