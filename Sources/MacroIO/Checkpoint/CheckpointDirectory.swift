// CheckpointDirectory: the checkpoints of an output directory (listing, pruning, fsync).
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

public enum CheckpointDirectory {
  /// Completed checkpoints in `directory` (names `round-NNNNNNNN.h5`; `.tmp` files and
  /// anything else ignored), newest (highest round) first. Local.
  public static func list(_ directory: String) -> [(round: Int, path: String)] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.compactMap { name in CheckpointFormat.round(fileName: name).map { ($0, directory + "/" + name) } }
      .sorted { $0.round > $1.round }
  }

  /// Deletes all but the newest `keep` checkpoints and any leftover `.h5.tmp` file (from a
  /// killed write). Local (rank 0). Returns the deleted paths.
  @discardableResult
  public static func prune(_ directory: String, keep: Int) -> [String] {
    var removed: [String] = []
    for (_, path) in list(directory).dropFirst(max(1, keep)) where (try? FileManager.default.removeItem(atPath: path)) != nil {
      removed.append(path)
    }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names where name.hasPrefix("round-") && name.hasSuffix(".h5.tmp") {
      let path = directory + "/" + name
      if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
    }
    return removed
  }

  /// Deletes all but the newest `keep` (at least 1) of the checkpoints in `owned` — this run's,
  /// by path — and never any other file: checkpoints of another run, or files whose header
  /// could not be read, stay. Local (rank 0). Returns the deleted paths.
  @discardableResult
  public static func prune(_ directory: String, keep: Int, owned: Set<String>) -> [String] {
    var removed: [String] = []
    let mine = list(directory).filter { owned.contains($0.path) }
    for (_, path) in mine.dropFirst(max(1, keep)) where (try? FileManager.default.removeItem(atPath: path)) != nil {
      removed.append(path)
    }
    return removed
  }

  /// fsync(2) of a file or directory; returns an error text or nil. Local.
  static func fsync(path: String, directory: Bool) -> String? {
    let fd = open(path, directory ? (O_RDONLY | O_DIRECTORY) : O_RDWR)
    guard fd >= 0 else { return "open(\(path)): \(String(cString: strerror(errno)))" }
    defer { close(fd) }
    if Glibc.fsync(fd) != 0 { return "fsync(\(path)): \(String(cString: strerror(errno)))" }
    return nil
  }

  /// rename(2) `from` over `to` (atomic on one file system). Local.
  static func rename(_ from: String, _ to: String) -> String? {
    if Glibc.rename(from, to) != 0 { return "rename(\(from), \(to)): \(String(cString: strerror(errno)))" }
    return nil
  }
}
