import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Replaces the file at `path` with `contents` so a reader sees either the old file or the
/// complete new one, never a torn one (summary.json). Local.
///
/// Writes `path.tmp-<pid>-<random>` in the same directory, fsyncs it, renames it over `path`
/// (POSIX `rename(2)`, atomic on one file system), then fsyncs the directory (best effort) so
/// the rename survives a crash. On failure the temporary file is removed and `path` is left
/// as it was.
public func writeAtomically(path: String, contents: Data) throws(OutputFileError) {
  let fm = FileManager.default
  let tmp = "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
  guard fm.createFile(atPath: tmp, contents: nil) else {
    throw OutputFileError(path: path, reason: "cannot create temporary file \(tmp) (\(String(cString: strerror(errno))))")
  }
  do {
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
    do {
      try h.write(contentsOf: contents)
      try h.synchronize()
      try h.close()
    } catch {
      try? h.close()
      throw error
    }
  } catch {
    try? fm.removeItem(atPath: tmp)
    throw OutputFileError(path: path, reason: fileErrorReason(error))
  }
  guard rename(tmp, path) == 0 else {
    let reason = pathIsDirectoryReason(path) ?? String(cString: strerror(errno))
    try? fm.removeItem(atPath: tmp)
    throw OutputFileError(path: path, reason: "rename from \(tmp) failed: \(reason)")
  }
  let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
  if let dir = FileHandle(forReadingAtPath: directory) {
    try? dir.synchronize()
    try? dir.close()
  }
}

/// ``writeAtomically(path:contents:)`` for UTF-8 text.
public func writeAtomically(path: String, contents: String) throws(OutputFileError) {
  try writeAtomically(path: path, contents: Data(contents.utf8))
}
