// WriteCheckpoint: the collective checkpoint write (temporary file, checksums, atomic rename,
// retention).
import Foundation
import MacroCore
import MacroEngine
import MPIKit

public enum CheckpointWriter {
  /// What a checkpoint records besides the rows.
  public struct Metadata: Sendable {
    public var round: Int
    public var config: RunConfig
    public var agents: Int
    public var dimension: Int
    public var m: Int
    public var fInitial: Double

    public init(round: Int, config: RunConfig, agents: Int, dimension: Int, m: Int, fInitial: Double) {
      self.round = round
      self.config = config
      self.agents = agents
      self.dimension = dimension
      self.m = m
      self.fInitial = fInitial
    }
  }

  /// Writes the engine's state at its current round to `OUT/checkpoints/round-NNNNNNNN.h5`
  /// and keeps the newest `keep`. Collective over the engine's communicator; returns the path.
  public static func write(engine: DistributedEngine, config: RunConfig, fInitial: Double, outputDir: String,
                           keep: Int) throws(CheckpointError) -> String {
    let meta = Metadata(round: engine.round, config: config, agents: engine.partition.agentCount,
                        dimension: engine.state.dimension, m: engine.state.m, fInitial: fInitial)
    return try write(rows: CheckpointRows(engine: engine), metadata: meta, partition: engine.partition, comm: engine.comm,
                     directory: CheckpointFormat.directory(outputDir: outputDir), keep: keep)
  }

  /// Writes `directory/round-NNNNNNNN.h5` from every rank's `rows` (rank r owns
  /// `partition.range(of: r)`) by ``AtomicH5Write`` (temporary, space reserved, rename, fsync),
  /// after agreeing that every rank's rows are finite: each dataset written collectively
  /// (each rank its hyperslab; ranks without agents select nothing), its block-tree checksum
  /// (``StreamedDigest``), then the header attributes; once published, all but the newest
  /// `keep` checkpoints of this run are deleted. A failure anywhere throws the same error on
  /// every rank; older checkpoints are untouched. Collective over `comm`.
  public static func write(rows: CheckpointRows, metadata meta: Metadata, partition: Partition, comm: Communicator,
                           directory: String, keep: Int) throws(CheckpointError) -> String {
    let final = directory + "/" + CheckpointFormat.fileName(round: meta.round)
    try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
      if !rows.isFinite { throw CheckpointError(.nonFinite, path: final, "the state at round \(meta.round) is not finite") }
    }
    let widths = CheckpointFormat.datasets.map { $0.hasPrefix("x") ? meta.dimension : meta.m }
    let bytes = SpaceReservation.size(doubles: meta.agents * widths.reduce(0, +),
                                      attributeBytes: 2 * canonicalTOML(meta.config).utf8.count)
    try AtomicH5Write.write(final, comm: comm, reserving: bytes, durable: true, body: { (file) throws(CheckpointError) in
      let sums = try writeDatasets(rows, meta, partition: partition, comm: comm, file: file, path: final)
      let inputs: String
      do { inputs = try InputFileDigest.text(meta.config, comm: comm) } catch {
        throw CheckpointError(.write, path: final, "digests of the input files: \(error)")
      }
      try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
        do throws(HDF5Error) { try writeHeader(file, meta, sums: sums, inputs: inputs, ranks: comm.size) } catch {
          throw CheckpointError(.write, path: final, "writing attributes: \(error.reason)")
        }
      }
    }, published: { () throws(CheckpointError) in
      CheckpointDirectory.prune(directory, keep: keep)
    })
    return final
  }

  /// Writes every dataset collectively and returns their checksums (rank 0's, broadcast).
  static func writeDatasets(_ rows: CheckpointRows, _ meta: Metadata, partition: Partition, comm: Communicator,
                            file: H5File, path final: String) throws(CheckpointError) -> [String] {
    let range = partition.range(of: comm.rank)
    var checksums: [String] = []
    for name in CheckpointFormat.datasets {
      let width = name.hasPrefix("x") ? meta.dimension : meta.m
      let local = rows.rows(name)
      precondition(local.count == range.count * width, "CheckpointWriter: \(name) has \(local.count) values, expected \(range.count) × \(width)")
      try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
        do throws(HDF5Error) {
          let ds = try file.createDataset(name, rows: meta.agents, cols: width)
          try local.withUnsafeBufferPointer { (p) throws(HDF5Error) in try ds.writeRows(p, start: range.lowerBound, count: range.count) }
          try ds.close()
        } catch { throw CheckpointError(.write, path: final, "writing /\(name): \(error.reason)") }
      }
      let digest = try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) -> String in
        do { return try local.withUnsafeBufferPointer { (p) throws(MPIError) in try StreamedDigest.sha256(p, width: width, partition: partition, comm: comm) } }
        catch { throw CheckpointError(.write, path: final, "checksum of /\(name): \(error)") }
      }
      checksums.append(digest)
    }
    let joined: String
    do { joined = try comm.broadcast(string: checksums.joined(separator: ","), root: 0) } catch {
      throw CheckpointError(.write, path: final, "\(error)")
    }
    return joined.split(separator: ",").map(String.init)
  }

  /// The header attributes, and the header hash that covers them. Local (every rank calls it).
  static func writeHeader(_ file: H5File, _ meta: Metadata, sums: [String], inputs: String, ranks: Int) throws(HDF5Error) {
    let c = meta.config
    try file.setAttribute("format", CheckpointFormat.formatName)
    try file.setAttribute("format_version", CheckpointFormat.version)
    try file.setAttribute("round", Int64(meta.round))
    try file.setAttribute("config", canonicalTOML(c))
    try file.setAttribute("config_hash", configHash(c))
    try file.setAttribute("resume_hash", resumeHash(c, inputs: inputs))
    try file.setAttribute("agents", Int64(meta.agents))
    try file.setAttribute("dimension", Int64(meta.dimension))
    try file.setAttribute("m", Int64(meta.m))
    try file.setAttribute("seed", Int64(c.agents.seed))
    try file.setAttribute("ranks_written", Int64(ranks))
    try file.setAttribute("F_initial", meta.fInitial)
    for (name, sum) in zip(CheckpointFormat.datasets, sums) { try file.setAttribute("checksum_\(name)", sum) }
    try file.setAttribute("input_digests", inputs)
    var values: [String: String] = [
      "format_version": "\(CheckpointFormat.version)", "round": "\(meta.round)", "F_initial": headerValue(meta.fInitial),
      "config_hash": configHash(c), "resume_hash": resumeHash(c, inputs: inputs), "agents": "\(meta.agents)",
      "dimension": "\(meta.dimension)", "m": "\(meta.m)", "seed": "\(c.agents.seed)", "ranks_written": "\(ranks)",
      "input_digests": inputs,
    ]
    for (name, sum) in zip(CheckpointFormat.datasets, sums) { values["checksum_" + name] = sum }
    let header = headerText(values)
    try file.setAttribute("header", header)
    try file.setAttribute("header_hash", SHA256.hex(SHA256.digest(bytes: Array(header.utf8))))
    try file.flush()
  }
}
