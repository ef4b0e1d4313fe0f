import Foundation
import MPIKit

/// One rank's share of a text file's lines, read by byte range (DESIGN §3): rank r takes
/// the lines that start in bytes [r·S/P, (r+1)·S/P) of the S-byte file (a line starts at 0
/// or after a `\n`), so every line is read by exactly one rank and no rank reads the whole
/// file. Physical line numbers and data-line counts come from an exclusive scan.
struct ByteRangeLines {
  /// The bytes of the share (whole lines).
  let bytes: [UInt8]
  /// 1-based number of the share's first physical line.
  let firstLine: Int

  /// Reads this rank's share of `path`. Collective over `comm`; a missing or unreadable file
  /// is refused on every rank alike.
  static func read(path: String, comm: Communicator) throws -> ByteRangeLines {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    let handle = exists && !isDirectory.boolValue ? FileHandle(forReadingAtPath: path) : nil
    let ok = try comm.allreduce(handle == nil ? 0 : 1, .min)
    guard ok == 1, let handle else {
      throw InputFileError(path: path, line: nil, message: !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "cannot read the file")
    }
    defer { try? handle.close() }
    let size = Int((try? handle.seekToEnd()) ?? 0)
    let p = comm.size, r = comm.rank
    func lineStart(atOrAfter offset: Int) throws -> Int {
      if offset <= 0 { return 0 }
      if offset >= size { return size }
      try handle.seek(toOffset: UInt64(offset - 1))
      var at = offset - 1
      while at < size {
        let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
        if chunk.isEmpty { return size }
        if let k = chunk.firstIndex(of: 0x0A) { return at + (k - chunk.startIndex) + 1 }
        at += chunk.count
      }
      return size
    }
    let begin = try lineStart(atOrAfter: size * r / p)
    let end = try lineStart(atOrAfter: size * (r + 1) / p)
    var bytes: [UInt8] = []
    if end > begin {
      try handle.seek(toOffset: UInt64(begin))
      bytes = [UInt8](try handle.read(upToCount: end - begin) ?? Data())
    }
    var lines = 0
    for b in bytes where b == 0x0A { lines += 1 }
    if let last = bytes.last, last != 0x0A { lines += 1 }  // the file's unterminated last line
    return ByteRangeLines(bytes: bytes, firstLine: try comm.exclusiveScanSum(lines) + 1)
  }

  /// Calls `body` with the trimmed comma-separated fields and the physical line number of
  /// every line that is not blank or a `#` comment (the rules of `readPositions`). Local.
  func forEachDataLine(path: String, _ body: ([Substring], Int) throws -> Void) throws {
    var line = firstLine
    var start = 0
    while start < bytes.count {
      var stop = start
      while stop < bytes.count && bytes[stop] != 0x0A { stop += 1 }
      guard let text = String(bytes: bytes[start..<stop], encoding: .utf8) else {
        throw InputFileError(path: path, line: line, message: "not UTF-8 text")
      }
      if let fields = csvDataFields(text[...]) { try body(fields, line) }
      line += 1
      start = stop + 1
    }
  }
}

/// The trimmed comma-separated fields of a line, or nil for a blank or comment line.
func csvDataFields(_ raw: Substring) -> [Substring]? {
  var line = raw
  if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
  let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
  if trimmed.isEmpty { return nil }
  return trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
    Substring($0.trimmingCharacters(in: .whitespaces))
  }
}

/// Every rank throws the error of the earliest bad line of the file (the same one a
/// sequential read reports first), or none. Collective over `comm`.
func agreeOnFirstError(_ local: InputFileError?, comm: Communicator) throws {
  let mine = local.map { $0.line ?? 0 } ?? Int.max
  let first = try comm.allreduce(mine, .min)
  guard first != Int.max else { return }
  let holder = try comm.allreduce(mine == first ? comm.rank : Int.max, .min)
  let text = try comm.broadcast(string: local.map { $0.message } ?? "", root: holder)
  let path = try comm.broadcast(string: local.map { $0.path } ?? "", root: holder)
  throw InputFileError(path: path, line: first == 0 ? nil : first, message: text)
}
