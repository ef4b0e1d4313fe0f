// SnapshotWriter: the collective parallel-HDF5 write of one snapshot, then the XDMF rewrite.
import Foundation
import MacroEngine
import MPIKit

/// A snapshot could not be written; the same error on every rank.
public struct SnapshotError: Error, CustomStringConvertible, Sendable, Equatable {
  public let path: String
  public let reason: String
  public var description: String { "cannot write snapshot \(path): \(reason)" }
}

public enum SnapshotWriter {
  /// Writes the engine's positions at its current round to
  /// `OUT/snapshots/snapshot-NNNNNNNN.h5` and rewrites `snapshots.xdmf` to list every
  /// snapshot with round ≤ the current one. Collective over the engine's communicator;
  /// returns the path.
  @discardableResult
  public static func write(engine: DistributedEngine, outputDir: String) throws(SnapshotError) -> String {
    try write(x: engine.state.x, x0: engine.state.x0, round: engine.round, dimension: engine.state.dimension,
              partition: engine.partition, comm: engine.comm, directory: SnapshotFormat.directory(outputDir: outputDir))
  }

  /// Writes `directory/snapshot-NNNNNNNN.h5` from every rank's owned rows `x` and initial
  /// positions `x0` (rank r owns `partition.range(of: r)`, row-major count × d) and rewrites
  /// the XDMF:
  ///
  /// 1. rank 0 creates `directory`;
  /// 2. `snapshot-NNNNNNNN.h5.tmp` is created with MPI-IO, its whole size reserved on disk
  ///    (rank 0, ``SpaceReservation``), `/x` written collectively (each
  ///    rank its hyperslab of rows; ranks without agents select nothing), then `/points`,
  ///    `/global_id`, `/travelled` (``SnapshotFormat``); attributes `round`, `agents`,
  ///    `dimension`; closed;
  /// 3. rank 0 renames it over the final name and rewrites `snapshots.xdmf` (temporary +
  ///    rename).
  ///
  /// Ranks agree after every step: a failure anywhere throws the same error on every rank
  /// and removes the temporary file. Collective over `comm`.
  @discardableResult
  public static func write(x: [Double], x0: [Double], round: Int, dimension d: Int, partition: Partition,
                           comm: Communicator, directory: String) throws(SnapshotError) -> String {
    let final = directory + "/" + SnapshotFormat.fileName(round: round)
    let tmp = final + ".tmp"
    let range = partition.range(of: comm.rank)
    let n = partition.agentCount
    precondition(x.count == range.count * d && x0.count == x.count,
                 "SnapshotWriter: \(x.count) and \(x0.count) values, expected \(range.count) × \(d)")
    try agree(comm, final) { () throws(SnapshotError) in
      guard comm.rank == 0 else { return }
      do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
        throw SnapshotError(path: final, reason: "cannot create directory \(directory): \(error.localizedDescription)")
      }
      if FileManager.default.fileExists(atPath: tmp) { try? FileManager.default.removeItem(atPath: tmp) }
    }
    let file = try agree(comm, final) { () throws(SnapshotError) -> H5File? in
      do { return try H5File.create(path: tmp, comm: comm) } catch { throw SnapshotError(path: final, reason: "\(error)") }
    }
    guard let file else { throw SnapshotError(path: final, reason: "internal: no file") }
    do throws(SnapshotError) {
      try agree(comm, final) { () throws(SnapshotError) in
        guard comm.rank == 0 else { return }
        let bytes = SpaceReservation.size(doubles: n * (d + 3 + 1 + 1), attributeBytes: 1024)
        if let e = SpaceReservation.reserve(tmp, bytes: bytes) { throw SnapshotError(path: final, reason: e) }
      }
      try agree(comm, final) { () throws(SnapshotError) in
        do {
          for (name, cols, rows) in perAgentColumns(x: x, x0: x0, dimension: d, firstID: range.lowerBound) {
            let ds = try file.createDataset(name, rows: n, cols: cols)
            try rows.withUnsafeBufferPointer { (p) throws(HDF5Error) in try ds.writeRows(p, start: range.lowerBound, count: range.count) }
            try ds.close()
          }
          try file.setAttribute("round", Int64(round))
          try file.setAttribute("agents", Int64(n))
          try file.setAttribute("dimension", Int64(d))
        } catch { throw SnapshotError(path: final, reason: "\(error)") }
      }
    } catch {
      try? file.close()
      if comm.rank == 0 { try? FileManager.default.removeItem(atPath: tmp) }
      throw error
    }
    try agree(comm, final) { () throws(SnapshotError) in
      do { try file.close() } catch { throw SnapshotError(path: final, reason: "closing: \(error)") }
    }
    try agree(comm, final) { () throws(SnapshotError) in
      guard comm.rank == 0 else { return }
      SpaceReservation.release(tmp)
      if let e = CheckpointDirectory.rename(tmp, final) {
        try? FileManager.default.removeItem(atPath: tmp)
        throw SnapshotError(path: final, reason: e)
      }
      do { try SnapshotSeries.write(directory: directory, upTo: round, agents: n, dimension: d) } catch {
        throw SnapshotError(path: final, reason: "\(error)")
      }
    }
    return final
  }

  /// The datasets of one snapshot as (name, columns, this rank's rows): `/x`, `/points`
  /// (padded to 3 components), `/global_id` (firstID …), `/travelled` (|x_i − x_i⁰|). Local.
  static func perAgentColumns(x: [Double], x0: [Double], dimension d: Int, firstID: Int) -> [(String, Int, [Double])] {
    let count = x.count / max(d, 1)
    var points = [Double](repeating: 0, count: count * 3)
    var ids = [Double](repeating: 0, count: count)
    var travelled = [Double](repeating: 0, count: count)
    for i in 0..<count {
      var s = 0.0
      for k in 0..<d {
        points[i * 3 + k] = x[i * d + k]
        let delta = x[i * d + k] - x0[i * d + k]
        s += delta * delta
      }
      ids[i] = Double(firstID + i)
      travelled[i] = s.squareRoot()
    }
    return [(SnapshotFormat.datasetName, d, x), (SnapshotFormat.pointsDatasetName, 3, points),
            (SnapshotFormat.globalIDDatasetName, 1, ids), (SnapshotFormat.travelledDatasetName, 1, travelled)]
  }

  /// Removes every snapshot file and temporary in `directory` (a fresh run into an old
  /// output directory). Local (rank 0).
  public static func clear(directory: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names where name.hasPrefix("snapshot-") && (name.hasSuffix(".h5") || name.hasSuffix(".h5.tmp")) {
      try? FileManager.default.removeItem(atPath: directory + "/" + name)
    }
    try? FileManager.default.removeItem(atPath: directory + "/" + SnapshotFormat.seriesFileName)
  }

  /// Runs `body` on this rank, then agrees over `comm`: if any rank failed, every rank throws
  /// the error text of the lowest failing rank. Collective.
  static func agree<T>(_ comm: Communicator, _ path: String, _ body: () throws(SnapshotError) -> T) throws(SnapshotError) -> T {
    var local: Result<T, SnapshotError>
    do { local = .success(try body()) } catch { local = .failure(error) }
    let failure: SnapshotError? = if case .failure(let e) = local { e } else { nil }
    let first: Int
    do { first = try comm.allreduce(failure == nil ? Int.max : comm.rank, .min) } catch {
      throw SnapshotError(path: path, reason: "MPI failure while agreeing: \(error)")
    }
    if first != Int.max {
      let text: String
      do { text = try comm.broadcast(string: failure?.reason ?? "", root: first) } catch {
        throw SnapshotError(path: path, reason: "MPI failure while agreeing: \(error)")
      }
      throw SnapshotError(path: path, reason: text)
    }
    guard case .success(let value) = local else { fatalError("unreachable: agreement passed with a local failure") }
    return value
  }
}
