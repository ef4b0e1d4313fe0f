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
  /// positions `x0` (rank r owns `partition.range(of: r)`, row-major count × d) by
  /// ``AtomicH5Write`` (temporary, space reserved, rename): `/x` written collectively (each
  /// rank its hyperslab of rows; ranks without agents select nothing), then `/points`,
  /// `/global_id`, `/travelled` (``SnapshotFormat``) and the attributes `round`, `agents`,
  /// `dimension`; once published, rank 0 rewrites `snapshots.xdmf` (temporary + rename).
  /// A failure anywhere throws the same error on every rank. Collective over `comm`.
  @discardableResult
  public static func write(x: [Double], x0: [Double], round: Int, dimension d: Int, partition: Partition,
                           comm: Communicator, directory: String) throws(SnapshotError) -> String {
    let final = directory + "/" + SnapshotFormat.fileName(round: round)
    let range = partition.range(of: comm.rank)
    let n = partition.agentCount
    precondition(x.count == range.count * d && x0.count == x.count,
                 "SnapshotWriter: \(x.count) and \(x0.count) values, expected \(range.count) × \(d)")
    let columns = perAgentColumns(x: x, x0: x0, dimension: d, firstID: range.lowerBound)
    let bytes = SpaceReservation.size(doubles: n * columns.map(\.1).reduce(0, +), attributeBytes: 1024)
    try AtomicH5Write.write(final, comm: comm, reserving: bytes, durable: false, body: { (file) throws(SnapshotError) in
      try CollectiveAgreement.agree(comm, path: final) { () throws(SnapshotError) in
        do throws(HDF5Error) {
          for (name, cols, rows) in columns {
            let ds = try file.createDataset(name, rows: n, cols: cols)
            try rows.withUnsafeBufferPointer { (p) throws(HDF5Error) in try ds.writeRows(p, start: range.lowerBound, count: range.count) }
            try ds.close()
          }
          try file.setAttribute("round", Int64(round))
          try file.setAttribute("agents", Int64(n))
          try file.setAttribute("dimension", Int64(d))
        } catch { throw SnapshotError(path: final, reason: error.reason) }
      }
    }, published: { () throws(SnapshotError) in
      do { try SnapshotSeries.write(directory: directory, upTo: round, agents: n, dimension: d) } catch {
        throw SnapshotError(path: final, reason: "\(error)")
      }
    })
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
}
