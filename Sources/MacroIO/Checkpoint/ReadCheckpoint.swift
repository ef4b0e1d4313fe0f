// ReadCheckpoint: open, validate and read a checkpoint into any rank count (N-to-M).
import Foundation
import MacroCore
import MacroEngine
import MPIKit

public enum CheckpointReader {
  /// What the reading run requires of a checkpoint.
  public struct Expectation: Sendable {
    public var agents: Int
    public var dimension: Int
    public var m: Int
    /// The current config for `run --resume auto` (its ``resumeHash(_:)`` must match); nil
    /// when the config comes from the checkpoint itself (`resume FILE`).
    public var config: RunConfig?
    /// The config whose input files (x0, edges, image) must still have the contents the
    /// checkpoint recorded (both resume modes); nil skips the check.
    public var inputs: RunConfig?

    public init(agents: Int, dimension: Int, m: Int, config: RunConfig?, inputs: RunConfig? = nil) {
      self.agents = agents
      self.dimension = dimension
      self.m = m
      self.config = config
      self.inputs = inputs
    }

    /// The shapes implied by `config` (m from the basis degree and dimension).
    public init(config c: RunConfig, matchConfig: Bool) {
      self.init(agents: c.agents.count, dimension: c.agents.dimension,
                m: LegendreBasis.size(dimension: c.agents.dimension, degree: c.basis.degree),
                config: matchConfig ? c : nil, inputs: c)
    }
  }

  /// Opens `path` on every rank (MPI-IO) and reads and checks its attributes: HDF5 file,
  /// `format` and `format_version`, every attribute present, `config_hash` = SHA-256 of the
  /// stored config text. Collective over `comm`; every rank throws the same error.
  public static func header(path: String, comm: Communicator) throws(CheckpointError) -> CheckpointHeader {
    let file = try open(path: path, comm: comm)
    defer { try? file.close() }
    return try readHeader(file, path: path, comm: comm)
  }

  /// Opens, validates and reads the rows `partition.range(of: comm.rank)` of every dataset.
  /// Checks in order, each failure with its own ``CheckpointError/Kind``: unreadable
  /// (missing, not HDF5, truncated), foreign (format, version, attributes), configMismatch
  /// (agents/dimension/m, resume hash), shape (dataset dimensions), checksum (per dataset,
  /// SHA-256 of the whole dataset in global-id order recomputed from the rows all ranks read).
  /// Collective over `comm`; every rank throws the same error.
  public static func load(path: String, expect: Expectation, partition: Partition,
                          comm: Communicator) throws(CheckpointError) -> (header: CheckpointHeader, rows: CheckpointRows) {
    let file = try open(path: path, comm: comm)
    defer { try? file.close() }
    let h = try readHeader(file, path: path, comm: comm)
    let inputs = try currentInputs(expect.inputs, path: path, comm: comm)
    try CollectiveAgreement.agree(comm, path: path) { () throws(CheckpointError) in
      try checkInputs(recorded: h.inputDigests, current: inputs, path: path)
      if h.agents != expect.agents || h.dimension != expect.dimension || h.m != expect.m {
        throw CheckpointError(.configMismatch, path: path,
                              "checkpoint has agents = \(h.agents), dimension = \(h.dimension), m = \(h.m); the configuration needs agents = \(expect.agents), dimension = \(expect.dimension), m = \(expect.m)")
      }
      if let c = expect.config, h.resumeHash != resumeHash(c, inputs: inputs) {
        let diff = configDifferences(stored: h.config, current: canonicalTOML(c))
        throw CheckpointError(.configMismatch, path: path,
                              "written with a different configuration (resume_hash \(h.resumeHash.prefix(12))…, current \(resumeHash(c).prefix(12))…)"
                              + (diff.isEmpty ? "" : "; differing keys: " + diff.joined(separator: ", ")))
      }
    }
    let range = partition.range(of: comm.rank)
    var rows = CheckpointRows(x: [], x0: [], sigma: [], theta: [], v: [])
    for name in CheckpointFormat.datasets {
      let width = h.width(of: name)
      let ds = try CollectiveAgreement.agree(comm, path: path) { () throws(CheckpointError) -> H5Dataset in
        let exists: Bool
        do { exists = try file.contains(name) } catch { throw CheckpointError(.foreign, path: path, "\(error)") }
        guard exists else { throw CheckpointError(.shape, path: path, "dataset /\(name) is missing") }
        let ds: H5Dataset
        do throws(HDF5Error) { ds = try file.openDataset(name) } catch { throw CheckpointError(.shape, path: path, "dataset /\(name): \(error.reason)") }
        if ds.rows != h.agents || ds.cols != width {
          throw CheckpointError(.shape, path: path, "dataset /\(name) is \(ds.rows) × \(ds.cols), expected \(h.agents) × \(width)")
        }
        return ds
      }
      let local = try CollectiveAgreement.agree(comm, path: path) { () throws(CheckpointError) -> [Double] in
        do throws(HDF5Error) { return try ds.readRows(start: range.lowerBound, count: range.count) } catch {
          throw CheckpointError(.unreadable, path: path, "reading /\(name): \(error.reason)")
        }
      }
      try? ds.close()
      try CollectiveAgreement.agree(comm, path: path) { () throws(CheckpointError) in
        let digest: String
        do { digest = try local.withUnsafeBufferPointer { (p) throws(MPIError) in try StreamedDigest.sha256(p, width: width, partition: partition, comm: comm) } }
        catch { throw CheckpointError(.unreadable, path: path, "checksum of /\(name): \(error)") }
        if comm.rank == 0, digest != h.checksums[name] {
          throw CheckpointError(.checksum, path: path, "dataset /\(name): SHA-256 \(digest.prefix(16))… but checksum_\(name) = \((h.checksums[name] ?? "").prefix(16))…")
        }
      }
      rows.set(name, local)
    }
    return (h, rows)
  }

  /// Collective open (read-only, MPI-IO) after rank 0 checked that `path` is a regular file.
  static func open(path: String, comm: Communicator) throws(CheckpointError) -> H5File {
    try CollectiveAgreement.agree(comm, path: path) { () throws(CheckpointError) in
      guard comm.rank == 0 else { return }
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw CheckpointError(.unreadable, path: path, "no such file")
      }
      if isDir.boolValue { throw CheckpointError(.unreadable, path: path, "is a directory") }
    }
    return try CollectiveAgreement.agree(comm, path: path) { () throws(CheckpointError) -> H5File in
      do throws(HDF5Error) { return try H5File.open(path: path, comm: comm) } catch {
        throw CheckpointError(.unreadable, path: path, error.reason)
      }
    }
  }

  static func readHeader(_ file: H5File, path: String, comm: Communicator) throws(CheckpointError) -> CheckpointHeader {
    try CollectiveAgreement.agree(comm, path: path) { () throws(CheckpointError) -> CheckpointHeader in
      func attr<T>(_ name: String, _ read: (String) throws(HDF5Error) -> T) throws(CheckpointError) -> T {
        let has: Bool
        do { has = try file.hasAttribute(name) } catch { throw CheckpointError(.foreign, path: path, "\(error)") }
        guard has else { throw CheckpointError(.foreign, path: path, "attribute \(name) is missing") }
        do throws(HDF5Error) { return try read(name) } catch { throw CheckpointError(.foreign, path: path, "attribute \(name): \(error.reason)") }
      }
      let format = try attr("format", file.stringAttribute)
      guard format == CheckpointFormat.formatName else {
        throw CheckpointError(.foreign, path: path, "attribute format = \"\(format)\", expected \"\(CheckpointFormat.formatName)\"")
      }
      let version = try attr("format_version", file.int64Attribute)
      if version < CheckpointFormat.version {
        throw CheckpointError(.olderFormat, path: path, "format_version = \(version) was written by an older MacroOpt; this version reads format \(CheckpointFormat.version) only (its checksums are block-tree hashes); rerun from round 0 or resume with the MacroOpt that wrote it")
      }
      guard version == CheckpointFormat.version else {
        throw CheckpointError(.foreign, path: path, "format_version = \(version), expected \(CheckpointFormat.version)")
      }
      var sums: [String: String] = [:]
      for name in CheckpointFormat.datasets { sums[name] = try attr("checksum_\(name)", file.stringAttribute) }
      let h = CheckpointHeader(
        round: Int(try attr("round", file.int64Attribute)), formatVersion: Int(version),
        config: try attr("config", file.stringAttribute), configHash: try attr("config_hash", file.stringAttribute),
        resumeHash: try attr("resume_hash", file.stringAttribute), agents: Int(try attr("agents", file.int64Attribute)),
        dimension: Int(try attr("dimension", file.int64Attribute)), m: Int(try attr("m", file.int64Attribute)),
        seed: Int(try attr("seed", file.int64Attribute)), ranksWritten: Int(try attr("ranks_written", file.int64Attribute)),
        fInitial: try attr("F_initial", file.doubleAttribute), checksums: sums,
        inputDigests: try attr("input_digests", file.stringAttribute))
      try verifyHeader(h, version: version, path: path) { (name) throws(CheckpointError) -> String in try attr(name, file.stringAttribute) }
      var hasher = SHA256()
      hasher.update(string: h.config)
      if hasher.hexDigest != h.configHash {
        throw CheckpointError(.checksum, path: path, "the stored config text does not match config_hash")
      }
      if h.round < 0 || h.agents < 1 || h.dimension < 1 || h.m < 1 {
        throw CheckpointError(.foreign, path: path, "implausible attributes round = \(h.round), agents = \(h.agents), dimension = \(h.dimension), m = \(h.m)")
      }
      return h
    }
  }

  /// `section.key = value` lines that differ between two canonical TOML texts, ignoring the
  /// keys ``resumeHash(_:)`` normalizes (at most 6).
  static func configDifferences(stored: String, current: String) -> [String] {
    func entries(_ text: String) -> [String: String] {
      var out: [String: String] = [:], section = ""
      for line in text.split(separator: "\n") {
        if line.hasPrefix("[") { section = String(line.dropFirst().dropLast()); continue }
        guard let eq = line.range(of: " = ") else { continue }
        let key = section + "." + line[..<eq.lowerBound]
        if section == "output" || key == "run.rounds" || key == "run.diag_every" { continue }
        out[key] = String(line[eq.upperBound...])
      }
      return out
    }
    let a = entries(stored), b = entries(current)
    let keys = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    return keys.prefix(6).map { "\($0) (checkpoint \(a[$0] ?? "absent"), now \(b[$0] ?? "absent"))" }
  }
}
