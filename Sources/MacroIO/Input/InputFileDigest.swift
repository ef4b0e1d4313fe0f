import Foundation
import HashKit
import MacroCore
import MacroEngine
import MPIKit

/// Content digests of a run's input files (x0, edges, image), so a checkpoint can refuse a
/// resume whose inputs changed. A file's digest is the ``BlockTreeHash`` combination of the
/// SHA-256 of its fixed 1 MiB blocks, each rank hashing a share of the blocks: no rank reads
/// the whole file. Collective over `comm`.
public enum InputFileDigest {
  public static let blockBytes = 1 << 20

  /// The input files `c` reads: (config key, path), in key order.
  public static func files(_ c: RunConfig) -> [(key: String, path: String)] {
    var out: [(key: String, path: String)] = []
    if c.agents.initialization == .file { out.append(("agents.file", c.agents.file)) }
    if c.graph.kind == .file { out.append(("graph.file", c.graph.file)) }
    if c.target.kind == .image { out.append(("target.file", c.target.file)) }
    return out
  }

  /// `key=sha256` entries (joined by ";") of `c`'s input files (a missing file: `key=missing`), the same text
  /// on every rank. Collective over `comm`.
  public static func text(_ c: RunConfig, comm: Communicator) throws(MPIError) -> String {
    var lines: [String] = []
    for f in files(c) { lines.append("\(f.key)=\(try digest(path: f.path, comm: comm))") }
    return lines.joined(separator: ";")
  }

  /// The digest (hex) of the file at `path`, "missing" if it cannot be read. Collective.
  public static func digest(path: String, comm: Communicator) throws(MPIError) -> String {
    let handle = FileHandle(forReadingAtPath: path)
    let size = Int((try? handle?.seekToEnd()) ?? 0)
    let readable = try comm.allreduce(handle == nil ? 0 : 1, .min)
    guard readable == 1, let handle else { return "missing" }
    defer { try? handle.close() }
    let blocks = (size + blockBytes - 1) / blockBytes
    let p = comm.size, r = comm.rank
    let first = blocks * r / p, end = blocks * (r + 1) / p
    var leaves: [[UInt8]] = []
    var ok = 1
    do {
      if end > first { try handle.seek(toOffset: UInt64(first * blockBytes)) }
      for _ in first..<end {
        let data = try handle.read(upToCount: blockBytes) ?? Data()
        var h = SHA256()
        data.withUnsafeBytes { h.update(raw: $0) }
        leaves.append(h.finalize())
      }
    } catch { ok = 0 }
    guard try comm.allreduce(ok, .min) == 1 else { return "missing" }
    let root = try BlockTreeHash.combine(leaves: leaves, firstBlock: first, blockCount: blocks, comm: comm)
    return try comm.broadcast(string: root, root: 0)
  }
}
