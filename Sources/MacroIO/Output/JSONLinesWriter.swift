import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Appends one JSON value (an object, by convention) a line to a file, e.g.
/// `diagnostics.jsonl`. Local; used by rank 0 only.
///
/// Each ``write(_:)`` issues one `write(2)` of the whole line (FileHandle does no buffering),
/// so a line is in the kernel as soon as the call returns and a reader (`tail -f`, a killed
/// job's output) never sees half a line unless the process dies inside that call. Nothing is
/// fsync'ed. Call ``close()`` when done (also done by `deinit`).
public final class JSONLinesWriter {
  public let path: String
  private var handle: FileHandle?

  /// Opens `path`: truncated (`append: false`) or appended to (`append: true`, created when
  /// missing). When appending, a partial last line left by a crash is cut off first, so the
  /// file stays one complete value a line.
  public init(path: String, append: Bool) throws(OutputFileError) {
    self.path = path
    let fm = FileManager.default
    if !append || !fm.fileExists(atPath: path) {
      guard fm.createFile(atPath: path, contents: nil) else {
        throw OutputFileError(path: path, reason: pathIsDirectoryReason(path) ?? "cannot create the file (\(String(cString: strerror(errno))))")
      }
    }
    do {
      let h = try FileHandle(forUpdating: URL(fileURLWithPath: path))
      handle = h
      if append { try Self.dropPartialLastLine(h) }
      try h.seekToEnd()
    } catch {
      try? handle?.close()
      handle = nil
      throw OutputFileError(path: path, reason: fileErrorReason(error))
    }
  }

  deinit {
    try? handle?.close()
  }

  /// Appends `value` serialized on one line followed by "\n".
  public func write(_ value: JSONValue) throws(OutputFileError) {
    guard let handle else { throw OutputFileError(path: path, reason: "writer is closed") }
    do {
      try handle.write(contentsOf: Data((value.serialized() + "\n").utf8))
    } catch {
      throw OutputFileError(path: path, reason: fileErrorReason(error))
    }
  }

  /// Closes the file; later writes throw.
  public func close() throws(OutputFileError) {
    guard let h = handle else { return }
    handle = nil
    do { try h.close() } catch { throw OutputFileError(path: path, reason: fileErrorReason(error)) }
  }

  private static func dropPartialLastLine(_ h: FileHandle) throws {
    let size = try h.seekToEnd()
    guard size > 0 else { return }
    // Read backwards in blocks until a newline is found.
    var end = size
    let newline = UInt8(ascii: "\n")
    while end > 0 {
      let start = end >= 65536 ? end - 65536 : 0
      try h.seek(toOffset: start)
      let block = try h.read(upToCount: Int(end - start)) ?? Data()
      if let i = block.lastIndex(of: newline) {
        let keep = start + UInt64(i - block.startIndex) + 1
        if keep != size { try h.truncate(atOffset: keep) }
        return
      }
      end = start
    }
    try h.truncate(atOffset: 0)  // no complete line at all
  }
}
