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
  var time: Int
  var topology: String
  var elements: Int
  var geometry: String
  /// (file, dataset, dims) of each Geometry DataItem.
  var items: [(file: String, dataset: String, dims: [Int])]
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
    let items = (geo?.elements(forName: "DataItem") ?? []).map { item -> (String, String, [Int]) in
      let text = (item.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
      let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
      #expect(attr(item, "Format") == "HDF" && attr(item, "NumberType") == "Float" && attr(item, "Precision") == "8")
      return (parts.first ?? "", parts.count > 1 ? parts[1] : "", attr(item, "Dimensions").split(separator: " ").compactMap { Int($0) })
    }
    guard let t = Int(attr(time, "Value")) else { throw OutputFileError(path: path, reason: "Grid without a Time value") }
    return XDMFGrid(time: t, topology: attr(topo, "TopologyType"), elements: Int(attr(topo, "NumberOfElements")) ?? -1,
                    geometry: attr(geo, "GeometryType"), items: items)
  }
}

/// Every Grid against the HDF5 files it names: the dataset exists with the Dimensions the
/// XDMF declares, the Geometry type fits d, the file's `round` attribute equals the Time.
/// Returns the Time values.
func validateXDMF(directory: String, agents n: Int, dimension d: Int) throws -> [Int] {
  let grids = try parseXDMF(directory + "/" + SnapshotFormat.seriesFileName)
  for g in grids {
    #expect(g.topology == "Polyvertex" && g.elements == n)
    #expect(g.geometry == ["X_Y", "XY", "XYZ"][d - 1])
    #expect(g.items.count == (d == 1 ? 2 : 1))
    for item in g.items {
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
        try SnapshotWriter.write(x: positions(r), round: r, dimension: d, partition: partition, comm: .world, directory: dir)
      }
      #expect(try validateXDMF(directory: dir, agents: n, dimension: d) == [0, 10, 20, 25])
      for r in [0, 10, 20, 25] {
        let f = try H5File.open(path: dir + "/" + SnapshotFormat.fileName(round: r), comm: nil)
        let x = try f.openDataset("x").readRows(start: 0, count: n)
        #expect(x == positions(r))
        if d == 1 { #expect(try f.openDataset("zero").readRows(start: 0, count: n) == [Double](repeating: 0, count: n)) }
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
    let table = try #require(TargetTable(problem: sc.problem, target: try TargetTable.targetDensity(config: c)))
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
    #expect(TargetTable(problem: sc1.problem, target: try TargetTable.targetDensity(config: c1)) == nil)
  }
}
