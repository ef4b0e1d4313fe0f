import Foundation
import MacroCore
import MacroEngine
import MPIKit
import Testing
import _TestSupport
@testable import MacroIO

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// One Grid of a parsed snapshots.xdmf.
struct XDMFGrid {
  typealias Item = (file: String, dataset: String, dims: [Int])
  var time: Int
  var topology: String
  var elements: Int
  var nodesPerElement: Int
  /// The Topology's connectivity DataItems.
  var connectivity: [Item]
  var geometry: String
  /// (file, dataset, dims) of each Geometry DataItem.
  var items: [Item]
  /// Attribute name → its DataItem (node-centred scalars only are accepted).
  var attributes: [String: Item]
}

/// Parses snapshots.xdmf with FoundationXML (a well-formed XML document, root Xdmf 3.0,
/// one temporal collection). Throws on malformed XML.
func parseXDMF(_ path: String) throws -> [XDMFGrid] {
  let doc = try XMLDocument(contentsOf: URL(fileURLWithPath: path), options: [])
  guard let root = doc.rootElement(), root.name == "Xdmf", root.attribute(forName: "Version")?.stringValue == "3.0" else {
    throw OutputFileError(path: path, reason: "root is not <Xdmf Version=\"3.0\">")
  }
  let collections = try root.nodes(forXPath: "Domain/Grid")
  guard collections.count == 1, let c = collections[0] as? XMLElement,
        c.attribute(forName: "GridType")?.stringValue == "Collection",
        c.attribute(forName: "CollectionType")?.stringValue == "Temporal" else {
    throw OutputFileError(path: path, reason: "no single temporal collection")
  }
  return try c.elements(forName: "Grid").map { g in
    func attr(_ e: XMLElement?, _ n: String) -> String { e?.attribute(forName: n)?.stringValue ?? "" }
    let time = g.elements(forName: "Time").first
    let topo = g.elements(forName: "Topology").first
    let geo = g.elements(forName: "Geometry").first
    func items(_ e: XMLElement?) -> [XDMFGrid.Item] {
      (e?.elements(forName: "DataItem") ?? []).map { item -> XDMFGrid.Item in
        let text = (item.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        #expect(attr(item, "Format") == "HDF" && attr(item, "NumberType") == "Float" && attr(item, "Precision") == "8")
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "", attr(item, "Dimensions").split(separator: " ").compactMap { Int($0) })
      }
    }
    var attributes: [String: XDMFGrid.Item] = [:]
    for a in g.elements(forName: "Attribute") {
      #expect(attr(a, "AttributeType") == "Scalar" && attr(a, "Center") == "Node")
      if let item = items(a).first { attributes[attr(a, "Name")] = item }
    }
    guard let t = Int(attr(time, "Value")) else { throw OutputFileError(path: path, reason: "Grid without a Time value") }
    return XDMFGrid(time: t, topology: attr(topo, "TopologyType"), elements: Int(attr(topo, "NumberOfElements")) ?? -1,
                    nodesPerElement: Int(attr(topo, "NodesPerElement")) ?? -1, connectivity: items(topo),
                    geometry: attr(geo, "GeometryType"), items: items(geo), attributes: attributes)
  }
}

/// Every Grid against the HDF5 files it names: N vertex cells (Polyvertex, 1 node each) with
/// an explicit N × 1 connectivity (/global_id), Geometry XYZ from the N × 3 /points, the
/// attributes global_id and travelled (N × 1); every dataset exists with the Dimensions the
/// XDMF declares and the file's `round` attribute equals the Time. Returns the Time values.
func validateXDMF(directory: String, agents n: Int, dimension d: Int) throws -> [Int] {
  let grids = try parseXDMF(directory + "/" + SnapshotFormat.seriesFileName)
  for g in grids {
    #expect(g.topology == "Polyvertex" && g.elements == n && g.nodesPerElement == 1)
    #expect(g.connectivity.map(\.dataset) == ["/global_id"] && g.connectivity.first?.dims == [n, 1])
    #expect(g.geometry == "XYZ")
    #expect(g.items.map(\.dataset) == ["/points"] && g.items.first?.dims == [n, 3])
    #expect(g.attributes.keys.sorted() == ["global_id", "travelled"])
    #expect(g.attributes["travelled"]?.dataset == "/travelled" && g.attributes["travelled"]?.dims == [n, 1])
    for item in g.items + g.connectivity + g.attributes.values {
      #expect(item.file == SnapshotFormat.fileName(round: g.time))
      let f = try H5File.open(path: directory + "/" + item.file, comm: nil)
      let ds = try f.openDataset(item.dataset)
      #expect([ds.rows, ds.cols] == item.dims, "\(item.file):/\(item.dataset)")
      #expect(try f.int64Attribute("round") == Int64(g.time))
      try ds.close()
      try f.close()
    }
  }
  return grids.map(\.time)
}

/// Snapshot files and the XDMF series (one rank in process), and target.json's table.
@Suite(.serialized) struct SnapshotFileTests {
  @Test func namesScheduleAndListing() throws {
    #expect(SnapshotFormat.fileName(round: 150) == "snapshot-00000150.h5")
    #expect(SnapshotFormat.round(fileName: "snapshot-00000150.h5") == 150)
    #expect(SnapshotFormat.round(fileName: "snapshot-00000150.h5.tmp") == nil)
    #expect(SnapshotFormat.round(fileName: "round-00000150.h5") == nil)
    let due = (0...230).filter { SnapshotFormat.isDue(round: $0, every: 100, finalRound: 230) }
    #expect(due == [0, 100, 200, 230])
    #expect(!(0...10).contains { SnapshotFormat.isDue(round: $0, every: 0, finalRound: 10) })
  }

  @Test(arguments: [1, 2, 3]) func writtenSnapshotsMatchTheXDMFAndThePositions(d: Int) throws {
    try SingletonMPI.initialize()
    try withHDF5 {
      let dir = try makeTemporaryDirectory("snap\(d)") + "/snapshots"
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let n = 37
      let partition = try Partition(agentCount: n, rankCount: 1, blockSize: 8)
      func positions(_ r: Int) -> [Double] { (0..<(n * d)).map { sin(Double($0 + 7 * r)) } }
      for r in [0, 10, 20, 25] {
        try SnapshotWriter.write(x: positions(r), x0: positions(0), round: r, dimension: d, partition: partition,
                                 comm: .world, directory: dir)
      }
      #expect(try validateXDMF(directory: dir, agents: n, dimension: d) == [0, 10, 20, 25])
      for r in [0, 10, 20, 25] {
        let f = try H5File.open(path: dir + "/" + SnapshotFormat.fileName(round: r), comm: nil)
        let x = try f.openDataset("x").readRows(start: 0, count: n)
        #expect(x == positions(r))
        // /points: x padded with zeros; /global_id: 0 … N−1; /travelled: |x_i − x_i⁰| (recomputed here).
        let points = try f.openDataset("points").readRows(start: 0, count: n)
        var padded = [Double](repeating: 0, count: n * 3)
        for i in 0..<n { for k in 0..<d { padded[i * 3 + k] = x[i * d + k] } }
        #expect(points == padded)
        #expect(try f.openDataset("global_id").readRows(start: 0, count: n) == (0..<n).map(Double.init))
        let x0 = positions(0)
        let travelled = try f.openDataset("travelled").readRows(start: 0, count: n)
        for i in 0..<n {
          var s = 0.0
          for k in 0..<d { s += (x[i * d + k] - x0[i * d + k]) * (x[i * d + k] - x0[i * d + k]) }
          #expect(abs(travelled[i] - s.squareRoot()) <= 1e-15)
        }
        if r == 0 { #expect(travelled.allSatisfy { $0 == 0 }) }
        try f.close()
      }
      // A later file (an interrupted run's) is not listed until the run gets there; no temporaries left.
      try FileManager.default.copyItem(atPath: dir + "/snapshot-00000025.h5", toPath: dir + "/snapshot-00000030.h5")
      try SnapshotSeries.write(directory: dir, upTo: 25, agents: n, dimension: d)
      #expect(try parseXDMF(dir + "/snapshots.xdmf").map(\.time) == [0, 10, 20, 25])
      #expect(!(try FileManager.default.contentsOfDirectory(atPath: dir)).contains { $0.contains(".tmp") })
      SnapshotWriter.clear(directory: dir)
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
  }

  /// The default mixture: the table's target integrates to 1 (trapezoid on the grid, an
  /// independent rule from the Gauss rule that normalized it), so does a fit; the KL of the
  /// uniform fit (θ = 0) matches the grid's Σ p log(p/q).
  @Test func targetTableIntegratesToOneAndKLMatchesTheGrid() throws {
    var c = RunConfig.default
    c.agents.count = 50
    c.basis.quadratureNodes = 30
    let sc = try Scenario(config: c)
    let table = try #require(TargetTable(problem: sc.problem, target: sc.target))
    let n = table.axis.count, h = table.axis[1] - table.axis[0]
    #expect(n == 121 && table.axis.first == -1 && table.axis.last == 1)
    func trapezoid(_ v: [Double]) -> Double {
      var s = 0.0
      for i in 0..<n { for j in 0..<n { s += (i == 0 || i == n - 1 ? 0.5 : 1) * (j == 0 || j == n - 1 ? 0.5 : 1) * v[i * n + j] } }
      return s * h * h
    }
    #expect(abs(trapezoid(table.target) - 1) < 1e-2)
    // Target peak near the third mean (0.05, 0.5): row follows y.
    let peak = try #require(table.target.indices.max { table.target[$0] < table.target[$1] })
    #expect(abs(table.axis[peak % n] - 0.05) < 0.2 && abs(table.axis[peak / n] - 0.5) < 0.2)
    let theta = try TargetTable.thetaStar(problem: sc.problem, positions: sc.ownedPositions)  // one rank: all agents
    let fit = table.fittedDensity(theta: theta)
    #expect(abs(trapezoid(fit) - 1) < 1e-2)
    let zero = [Double](repeating: 0, count: sc.problem.m)
    #expect(table.fittedDensity(theta: zero).allSatisfy { abs($0 - 0.25) < 1e-12 })
    let kl0 = TargetTable.kl(problem: sc.problem, target: sc.cost.target, theta: zero)
    let grid = trapezoid(table.target.map { $0 > 0 ? $0 * log($0 / 0.25) : 0 })
    #expect(abs(kl0 - grid) < 2e-2 * kl0, "KL(θ=0) = \(kl0), grid \(grid)")
    // Forward KL = the run's cost U at any θ.
    let p = sc.problem.evaluate(theta)
    #expect(abs(TargetTable.kl(problem: sc.problem, target: sc.cost.target, theta: theta) - sc.cost.value(theta: theta, logPartition: p.logPartition, mean: p.mean, pi: p.pi)) < 1e-12)
    // The JSON document: rows follow y, the fits carry their rounds.
    let doc = table.json(initial: .init(round: 0, theta: zero), latest: .init(round: 40, theta: theta), complete: true, target: sc.cost.target)
    guard case .array(let rows)? = doc["density"], case .array(let row0)? = rows.first else { Issue.record("no density"); return }
    #expect(rows.count == n && row0.count == n)
    #expect(doc["fit"]?["round"] == .int(40) && doc["fit_initial"]?["round"] == .int(0))
    #expect(doc["kl_target_fit_final"] == doc["kl_target_fit"] && doc["complete"] == .bool(true))
    let notDone = table.json(initial: .init(round: 0, theta: zero), latest: nil, complete: false, target: sc.cost.target)
    #expect(notDone["fit"] == nil && notDone["kl_target_fit_final"] == nil && notDone["kl_target_fit_initial"] != nil)
    // d ≠ 2: no table.
    var c1 = c
    c1.agents.dimension = 1
    c1.target.means = [[0.0]]
    c1.target.covariances = [[[0.1]]]
    c1.target.weights = [1.0]
    let sc1 = try Scenario(config: c1)
    #expect(TargetTable(problem: sc1.problem, target: sc1.target) == nil)
  }
}
