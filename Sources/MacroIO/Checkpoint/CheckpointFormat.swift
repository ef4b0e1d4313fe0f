// CheckpointFormat: file names, the format version, attribute names and the error type of
// MacroOpt checkpoints (DESIGN.md sections 4 and 8).
import Foundation
import HashKit
import MacroCore

/// The layout of `OUT/checkpoints/round-NNNNNNNN.h5`:
///
/// * datasets `/x`, `/x0` (N × d), `/sigma`, `/theta`, `/v` (N × m), doubles, row = global id;
/// * root attributes: `format` ("macroopt-checkpoint"), `format_version` (2), `round`,
///   `config` (canonical TOML), `config_hash` (SHA-256 of `config`), `resume_hash` (see
///   ``resumeHash(_:)``), `agents`, `dimension`, `m`, `seed`, `ranks_written`, `F_initial`,
///   and `checksum_<dataset>` = the block-tree SHA-256 (``BlockTreeHash``, blocks of
///   ``hashBlockRows`` rows) of the dataset's doubles as little-endian bytes (independent of
///   the rank count that wrote it; version 1 hashed the whole dataset through rank 0).
public enum CheckpointFormat {
  public static let formatName = "macroopt-checkpoint"
  public static let version: Int64 = 2
  /// Rows a leaf of the checksums' hash tree (the partition's block alignment).
  public static let hashBlockRows = 32
  /// Dataset names in file order; widths are d for x, x0 and m for the others.
  public static let datasets = ["x", "x0", "sigma", "theta", "v"]

  /// `round-NNNNNNNN.h5` (8 digits, zero-padded).
  public static func fileName(round: Int) -> String { String(format: "round-%08d.h5", round) }

  /// The round of a completed checkpoint's file name, nil for anything else (`.tmp` files,
  /// foreign names).
  public static func round(fileName: String) -> Int? {
    guard fileName.hasPrefix("round-"), fileName.hasSuffix(".h5") else { return nil }
    let digits = fileName.dropFirst(6).dropLast(3)
    guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(digits)
  }

  /// `OUT/checkpoints`.
  public static func directory(outputDir: String) -> String { outputDir + "/checkpoints" }
}

/// The hash that must match for `run --resume auto`: SHA-256 of the canonical TOML with the
/// keys that do not change the trajectory normalized (`run.rounds`, `run.diag_every` and the
/// whole `[output]` section), so a job may extend `rounds` or move its output directory,
/// followed by the input files' content digests (`InputFileDigest.text`, "" for none).
public func resumeHash(_ c: RunConfig, inputs: String = "") -> String {
  var h = SHA256()
  h.update(string: canonicalTOML(trajectoryNormalized(c)))
  if !inputs.isEmpty { h.update(string: "\n[inputs]\n" + inputs) }
  return h.hexDigest
}

/// The checkpoint attributes covered by the hash-protected `header` text (every one that
/// affects the trajectory or the outputs; `config` itself is covered by `config_hash`).
let headerAttributes = ["format_version", "round", "F_initial", "config_hash", "resume_hash", "agents", "dimension", "m",
                        "seed", "ranks_written", "input_digests"] + CheckpointFormat.datasets.map { "checksum_" + $0 }

/// `name = value` lines of the header attributes (doubles as exact bit patterns).
func headerText(_ values: [String: String]) -> String {
  headerAttributes.map { "\($0) = \(values[$0] ?? "")" }.joined(separator: "\n")
}

/// A double as an exact header value: its bit pattern in hex.
func headerValue(_ x: Double) -> String { String(x.bitPattern, radix: 16) }

/// `c` with the keys that do not affect the trajectory set to their defaults.
func trajectoryNormalized(_ c: RunConfig) -> RunConfig {
  var n = c
  n.run.rounds = RunConfig.default.run.rounds
  n.run.diagEvery = RunConfig.default.run.diagEvery
  n.output = RunConfig.default.output
  return n
}

/// A checkpoint could not be written, or was refused on reading. Thrown on every rank alike.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Kind: Int, Sendable {
    /// Writing failed (directory not writable, disk full, ...).
    case write = 1
    /// Not openable as HDF5: missing, not an HDF5 file, or truncated.
    case unreadable
    /// An HDF5 file, but not a MacroOpt checkpoint of this format version.
    case foreign
    /// Written with a different configuration.
    case configMismatch
    /// A dataset's shape disagrees with the attributes or the configuration.
    case shape
    /// A dataset's contents do not match its stored checksum (corrupt).
    case checksum
    /// The state is not finite: not written.
    case nonFinite
    /// A MacroOpt checkpoint of an older format version (e.g. version 1's checksums).
    case olderFormat
  }

  public let kind: Kind
  public let path: String
  public let reason: String

  public init(_ kind: Kind, path: String, _ reason: String) {
    self.kind = kind
    self.path = path
    self.reason = reason
  }

  public var description: String {
    switch kind {
    case .write: return "cannot write checkpoint \(path): \(reason)"
    case .nonFinite: return "checkpoint \(path) not written: \(reason)"
    case .unreadable: return "checkpoint \(path) refused (unreadable or truncated): \(reason)"
    case .foreign: return "checkpoint \(path) refused (not a MacroOpt checkpoint of format version \(CheckpointFormat.version)): \(reason)"
    case .olderFormat: return "checkpoint \(path) refused (older format): \(reason)"
    case .configMismatch: return "checkpoint \(path) refused (configuration mismatch): \(reason)"
    case .shape: return "checkpoint \(path) refused (dataset shape): \(reason)"
    case .checksum: return "checkpoint \(path) refused (checksum mismatch, corrupt data): \(reason)"
    }
  }
}

/// The root attributes of a checkpoint.
public struct CheckpointHeader: Sendable, Equatable {
  public var round: Int
  public var formatVersion: Int
  public var config: String
  public var configHash: String
  public var resumeHash: String
  public var agents: Int
  public var dimension: Int
  public var m: Int
  public var seed: Int
  public var ranksWritten: Int
  /// F at the initial positions of the original run (summary.json's F_initial after a resume).
  public var fInitial: Double
  /// dataset name → SHA-256 hex
  public var checksums: [String: String]
  /// `key=digest` entries (";"-joined) of the input files when written (``InputFileDigest``).
  public var inputDigests: String

  public init(round: Int, formatVersion: Int, config: String, configHash: String, resumeHash: String, agents: Int,
              dimension: Int, m: Int, seed: Int, ranksWritten: Int, fInitial: Double, checksums: [String: String],
              inputDigests: String = "") {
    self.inputDigests = inputDigests
    self.round = round
    self.formatVersion = formatVersion
    self.config = config
    self.configHash = configHash
    self.resumeHash = resumeHash
    self.agents = agents
    self.dimension = dimension
    self.m = m
    self.seed = seed
    self.ranksWritten = ranksWritten
    self.fInitial = fInitial
    self.checksums = checksums
  }

  /// The width (columns) of a dataset.
  public func width(of dataset: String) -> Int { dataset == "x" || dataset == "x0" ? dimension : m }
}
