import Foundation
import MacroEngine
import MPIKit

/// The owned rows (`partition.range(of: comm.rank)`, id order) of an initial-positions file:
/// `x0.csv` read by byte ranges (the n-th data line is global id n; rows travel to their
/// owners by one MPI_Alltoallv), or an HDF5 file (`.h5`/`.hdf5`) with the N × d dataset `/x`
/// read by hyperslab. Bad lines are refused on every rank with the first bad line's
/// message (file, line number, what is wrong); a wrong row count names both counts.
/// Collective over `comm`.
public func readOwnedPositions(path: String, dimension d: Int, partition: Partition, comm: Communicator) throws -> [Double] {
  let n = partition.agentCount
  if isHDF5Path(path) { return try readOwnedPositionsHDF5(path: path, dimension: d, partition: partition, comm: comm) }
  let share = try ByteRangeLines.read(path: path, comm: comm)
  var values: [Double] = []
  var problem: InputFileError? = nil
  do {
    try share.forEachDataLine(path: path) { fields, line in
      values.append(contentsOf: try parsePositionLine(fields, line: line, path: path, dimension: d))
    }
  } catch let e as InputFileError { problem = e }
  try agreeOnFirstError(problem, comm: comm)
  let rows = values.count / d
  let first = try comm.exclusiveScanSum(rows)
  let total = try comm.allreduce(rows, .sum)
  guard total == n else {
    throw InputFileError(path: path, line: nil, message: "\(total) agents, but agents.count = \(n)")
  }
  var counts = [Int](repeating: 0, count: partition.rankCount)
  for k in 0..<rows { counts[partition.owner(of: first + k)] += d }
  return try comm.alltoallv(values, counts: counts).data
}

/// This rank's share of an edge file's edges (`i,j` lines, read by byte ranges), each
/// validated as by `readEdges` (the same messages and line numbers); pass them to
/// `Scenario`, which sends each to the owners of both endpoints. Collective over `comm`.
public func readEdgeShare(path: String, agentCount: Int, comm: Communicator) throws -> [(Int, Int)] {
  let share = try ByteRangeLines.read(path: path, comm: comm)
  var edges: [(Int, Int)] = []
  var problem: InputFileError? = nil
  do {
    try share.forEachDataLine(path: path) { fields, line in
      edges.append(try parseEdgeLine(fields, line: line, path: path, agentCount: agentCount))
    }
  } catch let e as InputFileError { problem = e }
  try agreeOnFirstError(problem, comm: comm)
  return edges
}

/// Whether an input path names an HDF5 file (by extension: `.h5` or `.hdf5`).
public func isHDF5Path(_ path: String) -> Bool {
  let ext = (path as NSString).pathExtension.lowercased()
  return ext == "h5" || ext == "hdf5"
}

/// `/x` (N × d) of an HDF5 file, the owned rows by hyperslab (collective MPI-IO).
func readOwnedPositionsHDF5(path: String, dimension d: Int, partition: Partition, comm: Communicator) throws -> [Double] {
  let n = partition.agentCount
  let own = partition.range(of: comm.rank)
  let file: H5File
  do { file = try H5File.open(path: path, comm: comm) } catch {
    throw InputFileError(path: path, line: nil, message: "cannot open as HDF5 (agents.file ending in .h5/.hdf5 must be an HDF5 file with the dataset /x)")
  }
  defer { try? file.close() }
  guard (try? file.contains("x")) == true, let x = try? file.openDataset("x") else {
    throw InputFileError(path: path, line: nil, message: "no dataset /x (the N × d initial positions)")
  }
  defer { try? x.close() }
  guard x.rows == n, x.cols == d else {
    throw InputFileError(path: path, line: nil, message: "/x is \(x.rows) × \(x.cols), but agents.count × agents.dimension = \(n) × \(d)")
  }
  let rows: [Double]
  do { rows = try x.readRows(start: own.lowerBound, count: own.count) } catch {
    throw InputFileError(path: path, line: nil, message: "cannot read /x")
  }
  var bad = Int.max
  for (k, v) in rows.enumerated() where !(v.isFinite && v >= -1 && v <= 1) { bad = own.lowerBound + k / d; break }
  bad = try comm.allreduce(bad, .min)
  guard bad == Int.max else {
    throw InputFileError(path: path, line: nil, message: "/x row \(bad) (agent \(bad)) has a coordinate that is not a finite number in X = [-1, 1]")
  }
  return rows
}
