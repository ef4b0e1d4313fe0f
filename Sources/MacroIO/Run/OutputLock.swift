// OutputLock: one run per output directory (OUT/.macroopt.lock, an flock(2)ed file naming
// its holder).
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The lock of an output directory, held by rank 0 for the whole run.
///
/// `OUT/.macroopt.lock` is opened (created if missing) and locked with flock(LOCK_EX |
/// LOCK_NB); the holder then writes one line `host=H pid=P job=J started=T`. The kernel
/// releases the lock when the process dies, however it dies, so a lock file left by a killed
/// run is *stale*: the next run takes the lock and says whose it was (`staleHolder`). A
/// second run while the holder lives fails to lock and is refused with the holder's line.
/// A clean release empties the file; the file itself is never removed (removing it would
/// let two runs lock two different files of the same name). Local (rank 0); the driver
/// agrees on the outcome over all ranks.
final class OutputLock {
  static let fileName = ".macroopt.lock"
  let path: String
  private var fd: Int32
  /// The holder line found in a lock file nobody held (a run that died), or nil.
  let staleHolder: String?

  enum Failure: Error {
    /// Another live process holds the lock; its holder line.
    case held(String)
    /// The lock file cannot be opened or locked.
    case unusable(String)
  }

  /// Takes the lock of `directory` (which must exist).
  init(directory: String) throws(Failure) {
    path = directory + "/" + Self.fileName
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .unusable("cannot open \(path): \(String(cString: strerror(errno)))") }
    let previous = Self.read(fd)
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let why = errno
      close(fd)
      if why == EWOULDBLOCK {
        throw .held(previous.isEmpty ? "another process (its lock file is still empty)" : previous)
      }
      throw .unusable("cannot lock \(path): \(String(cString: strerror(why)))")
    }
    staleHolder = previous.isEmpty ? nil : previous
    let line = "host=\(Self.hostName) pid=\(getpid()) job=\(ProcessInfo.processInfo.environment["SLURM_JOB_ID"] ?? "none") "
      + "started=\(ISO8601DateFormatter().string(from: Date()))\n"
    if ftruncate(fd, 0) != 0 || pwrite(fd, line, line.utf8.count, 0) != line.utf8.count {
      let why = String(cString: strerror(errno))
      close(fd)
      throw .unusable("cannot write \(path): \(why)")
    }
  }

  deinit { release() }

  /// Empties the file and releases the lock (idempotent).
  func release() {
    guard fd >= 0 else { return }
    _ = ftruncate(fd, 0)
    close(fd)
    fd = -1
  }

  static var hostName: String {
    var buf = [UInt8](repeating: 0, count: 256)
    guard gethostname(&buf, buf.count - 1) == 0 else { return "unknown" }
    return String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
  }

  private static func read(_ fd: Int32) -> String {
    var buf = [UInt8](repeating: 0, count: 512)
    let n = pread(fd, &buf, buf.count, 0)
    guard n > 0 else { return "" }
    return String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
