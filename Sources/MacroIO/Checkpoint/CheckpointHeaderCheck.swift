// CheckpointHeaderCheck: the hash-protected header and the input files' digests of a
// checkpoint (issue 16: no attribute that affects the trajectory or the outputs is trusted).
import Foundation
import HashKit
import MacroCore
import MPIKit

extension CheckpointReader {
  /// Refuses a checkpoint whose `header` text does not match `header_hash`, or whose
  /// attributes differ from the values the header recorded when it was written; the message
  /// names the attribute. Local (inside the caller's agreement).
  static func verifyHeader(_ h: CheckpointHeader, version: Int64, path: String,
                           _ read: (String) throws(CheckpointError) -> String) throws(CheckpointError) {
    let header = try read("header"), headerHash = try read("header_hash")
    guard SHA256.hex(SHA256.digest(bytes: Array(header.utf8))) == headerHash else {
      throw CheckpointError(.checksum, path: path, "the header text does not match header_hash: the checkpoint was edited after it was written")
    }
    var recorded: [String: String] = [:]
    for line in header.split(separator: "\n", omittingEmptySubsequences: false) {
      guard let eq = line.range(of: " = ") else { continue }
      recorded[String(line[..<eq.lowerBound])] = String(line[eq.upperBound...])
    }
    var actual: [String: String] = [
      "format_version": "\(version)", "round": "\(h.round)", "F_initial": headerValue(h.fInitial), "config_hash": h.configHash,
      "resume_hash": h.resumeHash, "agents": "\(h.agents)", "dimension": "\(h.dimension)", "m": "\(h.m)", "seed": "\(h.seed)",
      "ranks_written": "\(h.ranksWritten)", "input_digests": h.inputDigests,
    ]
    for (name, sum) in h.checksums { actual["checksum_" + name] = sum }
    for name in headerAttributes where recorded[name] != actual[name] {
      func show(_ v: String?) -> String {
        guard let v else { return "absent" }
        if name == "F_initial", let bits = UInt64(v, radix: 16) { return "\(Double(bitPattern: bits))" }
        return v
      }
      throw CheckpointError(.checksum, path: path, "attribute \(name) = \(show(actual[name])) differs from the value \(show(recorded[name])) recorded in the hash-protected header when the checkpoint was written: the file was edited; refused")
    }
  }

  /// The input files' digests of `c` now ("" for nil). Collective over `comm`.
  static func currentInputs(_ c: RunConfig?, path: String, comm: Communicator) throws(CheckpointError) -> String {
    guard let c else { return "" }
    do { return try InputFileDigest.text(c, comm: comm) } catch {
      throw CheckpointError(.unreadable, path: path, "digests of the input files: \(error)")
    }
  }

  /// Refuses the resume when an input file recorded in the checkpoint has other contents
  /// now, naming the config key and the file. Local.
  static func checkInputs(recorded: String, current: String, path: String) throws(CheckpointError) {
    guard !current.isEmpty else { return }
    func entries(_ s: String) -> [String: String] {
      var out: [String: String] = [:]
      for e in s.split(separator: ";") {
        guard let eq = e.firstIndex(of: "=") else { continue }
        out[String(e[..<eq])] = String(e[e.index(after: eq)...])
      }
      return out
    }
    let then = entries(recorded), now = entries(current)
    for key in then.keys.sorted() {
      guard let a = then[key], let b = now[key], a != b else { continue }
      throw CheckpointError(.configMismatch, path: path, "input file \(key) changed since the checkpoint was written (content digest \(a.prefix(12))… then, \(b.prefix(12))… now); restore the file, or start a fresh run in another output directory")
    }
  }
}
