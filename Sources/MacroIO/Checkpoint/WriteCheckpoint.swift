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
  /// `partition.range(of: r)`):
  ///
  /// 1. agree that every rank's rows are finite and that rank 0 created `directory`;
  /// 2. create `round-NNNNNNNN.h5.tmp` with MPI-IO, reserve its whole size on disk (rank 0;
  ///    a full disk or quota fails here, before any collective write: ``SpaceReservation``),
  ///    each dataset written collectively (each
  ///    rank its hyperslab; ranks without agents select nothing), checksums streamed to
  ///    rank 0 and broadcast, attributes written, file flushed and closed;
  /// 3. rank 0 fsyncs the file, renames it over the final name (rename(2)), fsyncs the
  ///    directory, then deletes all but the newest `keep` checkpoints.
  ///
  /// Ranks agree after every step, so a failure anywhere throws the same error on every rank;
  /// the temporary file is removed and older checkpoints are untouched. Collective over `comm`.
  public static func write(rows: CheckpointRows, metadata meta: Metadata, partition: Partition, comm: Communicator,
                           directory: String, keep: Int) throws(CheckpointError) -> String {
    let final = directory + "/" + CheckpointFormat.fileName(round: meta.round)
    let tmp = final + ".tmp"
    let range = partition.range(of: comm.rank)
    try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
      if !rows.isFinite { throw CheckpointError(.nonFinite, path: final, "the state at round \(meta.round) is not finite") }
      if comm.rank == 0 {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
          throw CheckpointError(.write, path: final, "cannot create directory \(directory): \(error.localizedDescription)")
        }
        if FileManager.default.fileExists(atPath: tmp) { try? FileManager.default.removeItem(atPath: tmp) }
      }
    }
    let file = try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) -> H5File? in
      do { return try H5File.create(path: tmp, comm: comm) } catch {
        throw CheckpointError(.write, path: final, "\(error)")
      }
    }
    guard let file else { throw CheckpointError(.write, path: final, "internal: no file") }
    do throws(CheckpointError) {
      try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
        guard comm.rank == 0 else { return }
        let widths = CheckpointFormat.datasets.map { $0.hasPrefix("x") ? meta.dimension : meta.m }
        let bytes = SpaceReservation.size(doubles: meta.agents * widths.reduce(0, +),
                                          attributeBytes: 2 * canonicalTOML(meta.config).utf8.count)
        if let e = SpaceReservation.reserve(tmp, bytes: bytes) { throw CheckpointError(.write, path: final, e) }
      }
      var checksums: [String] = []
      for name in CheckpointFormat.datasets {
        let width = name.hasPrefix("x") ? meta.dimension : meta.m
        let local = rows.rows(name)
        precondition(local.count == range.count * width, "CheckpointWriter: \(name) has \(local.count) values, expected \(range.count) × \(width)")
        try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
          do {
            let ds = try file.createDataset(name, rows: meta.agents, cols: width)
            try local.withUnsafeBufferPointer { (p) throws(HDF5Error) in try ds.writeRows(p, start: range.lowerBound, count: range.count) }
            try ds.close()
          } catch { throw CheckpointError(.write, path: final, "writing /\(name): \(error)") }
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
      let sums = joined.split(separator: ",").map(String.init)
      let inputs: String
      do { inputs = try InputFileDigest.text(meta.config, comm: comm) } catch {
        throw CheckpointError(.write, path: final, "digests of the input files: \(error)")
      }
      try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
        do {
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
          try file.setAttribute("ranks_written", Int64(comm.size))
          try file.setAttribute("F_initial", meta.fInitial)
          for (name, sum) in zip(CheckpointFormat.datasets, sums) { try file.setAttribute("checksum_\(name)", sum) }
          try file.setAttribute("input_digests", inputs)
          var values: [String: String] = [
            "format_version": "\(CheckpointFormat.version)", "round": "\(meta.round)", "F_initial": headerValue(meta.fInitial),
            "config_hash": configHash(c), "resume_hash": resumeHash(c, inputs: inputs), "agents": "\(meta.agents)",
            "dimension": "\(meta.dimension)", "m": "\(meta.m)", "seed": "\(c.agents.seed)", "ranks_written": "\(comm.size)",
            "input_digests": inputs,
          ]
          for (name, sum) in zip(CheckpointFormat.datasets, sums) { values["checksum_" + name] = sum }
          let header = headerText(values)
          try file.setAttribute("header", header)
          try file.setAttribute("header_hash", SHA256.hex(SHA256.digest(bytes: Array(header.utf8))))
          try file.flush()
        } catch { throw CheckpointError(.write, path: final, "writing attributes: \(error)") }
      }
    } catch {
      try? file.close()
      if comm.rank == 0 { try? FileManager.default.removeItem(atPath: tmp) }
      throw error
    }
    try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
      do { try file.close() } catch { throw CheckpointError(.write, path: final, "closing: \(error)") }
    }
    try CollectiveAgreement.agree(comm, path: final) { () throws(CheckpointError) in
      guard comm.rank == 0 else { return }
      SpaceReservation.release(tmp)
      if let e = CheckpointDirectory.fsync(path: tmp, directory: false) ?? CheckpointDirectory.rename(tmp, final) {
        try? FileManager.default.removeItem(atPath: tmp)
        throw CheckpointError(.write, path: final, e)
      }
      _ = CheckpointDirectory.fsync(path: directory, directory: true)
      CheckpointDirectory.prune(directory, keep: keep)
    }
    return final
  }
}
