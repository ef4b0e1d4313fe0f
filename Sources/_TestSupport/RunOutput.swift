// RunOutput: what the end-to-end tests read back from a run directory.
import Foundation

/// A run directory written by `macroopt run`: summary.json, diagnostics.jsonl, the
/// checkpoints. One reader for every test that launches the program.
public struct RunOutput: Sendable {
  public let path: String

  public init(_ path: String) { self.path = path }

  /// summary.json as a dictionary.
  public func summary() throws -> [String: Any] {
    try Self.jsonObject(path + "/summary.json")
  }

  /// diagnostics.jsonl, one dictionary a line.
  public func diagnostics() throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path + "/diagnostics.jsonl", encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
  }

  /// The run's state digest (summary.json's `state_digest`), nil if absent.
  public func stateDigest() throws -> String? { try summary()["state_digest"] as? String }

  /// Names of the checkpoint files, oldest first.
  public func checkpoints() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path + "/checkpoints")) ?? [])
      .filter { $0.hasPrefix("round-") && $0.hasSuffix(".h5") }.sorted()
  }

  /// A JSON file's top-level object.
  public static func jsonObject(_ file: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any] ?? [:]
  }
}
