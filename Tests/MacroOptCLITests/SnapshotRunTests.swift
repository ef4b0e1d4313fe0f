import Foundation
import Testing
import _TestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The tiny scenario, 200 rounds, checkpoints every 100 (3 kept), snapshots every 50 rounds.
private let snapshotConfig = tinyScenarioTOML(rounds: 200, checkpointEvery: 100, keepCheckpoints: 3, snapshotEvery: 50)

private func temporaryDirectory(_ tag: String) throws -> String { try makeTemporaryDirectory(prefix: "snap", tag) }

/// `mpirun -np P macroopt ARGS` (the caller holds SubprocessLock).
private func macroopt(np: Int, _ args: [String]) throws -> ProcessResult {
  try MPIRun.run(np: np, "macroopt", args, timeout: 150, exclusive: false)
}

private func jsonObject(_ path: String) throws -> [String: Any] { try RunOutput.jsonObject(path) }

private func snapshotRounds(_ out: String) -> [Int] {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: out + "/snapshots")) ?? []
  return names.compactMap { n in n.hasPrefix("snapshot-") && n.hasSuffix(".h5") ? Int(n.dropFirst(9).dropLast(3)) : nil }.sorted()
}

/// h5dump's view of a dataset: its dims and its values (printed with 17 significant
/// digits, so they parse back to the same doubles). Independent of MacroIO's HDF5 layer.
private func h5dump(_ file: String, _ dataset: String) throws -> (dims: [Int], values: [Double]) {
  let r = try runProcess(URL(fileURLWithPath: "/usr/bin/h5dump"), ["-d", dataset, "-m", "%.17g", "-w", "0", "-y", file])
  guard r.exitCode == 0 else { throw ProcessFailure.launchFailed(command: r.command, reason: r.stderr) }
  let dims = r.stdout.firstMatch(of: /DATASPACE\s+SIMPLE\s*\{\s*\(\s*([0-9, ]+)\)/).map {
    $0.1.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
  } ?? []
  guard let data = r.stdout.range(of: "DATA {") else { return (dims, []) }
  let body = r.stdout[data.upperBound...].prefix { $0 != "}" }
  let values = body.split(whereSeparator: { $0 == "," || $0.isWhitespace }).compactMap { Double($0) }
  return (dims, values)
}

/// h5dump of a scalar integer attribute of the root group.
private func h5attribute(_ file: String, _ name: String) throws -> Int? {
  let r = try runProcess(URL(fileURLWithPath: "/usr/bin/h5dump"), ["-a", "/" + name, file])
  return r.stdout.firstMatch(of: /\(0\):\s*(-?\d+)/).flatMap { Int($0.1) }
}

/// snapshots.xdmf checked against the files (XML parsed by FoundationXML, shapes by h5dump):
/// one temporal collection, a Polyvertex Grid per file with N one-node elements and the
/// connectivity /global_id (= 0 … N−1), Geometry XYZ whose DataItem names the file's /points
/// with its real dims (= /x with z = 0), Time = the file's `round` attribute. Returns the Time values.
private func validateSeries(_ out: String, agents n: Int) throws -> [Int] {
  let dir = out + "/snapshots"
  let doc = try XMLDocument(contentsOf: URL(fileURLWithPath: dir + "/snapshots.xdmf"), options: [])
  let root = try #require(doc.rootElement())
  #expect(root.name == "Xdmf" && root.attribute(forName: "Version")?.stringValue == "3.0")
  let collection = try #require(try root.nodes(forXPath: "Domain/Grid").first as? XMLElement)
  #expect(collection.attribute(forName: "CollectionType")?.stringValue == "Temporal")
  var times: [Int] = []
  for g in collection.elements(forName: "Grid") {
    let time = try #require(Int(g.elements(forName: "Time").first?.attribute(forName: "Value")?.stringValue ?? ""))
    times.append(time)
    let topo = g.elements(forName: "Topology").first
    #expect(topo?.attribute(forName: "TopologyType")?.stringValue == "Polyvertex")
    #expect(topo?.attribute(forName: "NumberOfElements")?.stringValue == "\(n)")
    #expect(topo?.attribute(forName: "NodesPerElement")?.stringValue == "1")
    let file = dir + "/" + String(format: "snapshot-%08d.h5", time)
    let connectivity = try #require(topo?.elements(forName: "DataItem").first)
    #expect((connectivity.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines) == String(format: "snapshot-%08d.h5:/global_id", time))
    let ids = try h5dump(file, "/global_id")
    #expect(ids.dims == [n, 1] && ids.values == (0..<n).map(Double.init))
    let geo = try #require(g.elements(forName: "Geometry").first)
    #expect(geo.attribute(forName: "GeometryType")?.stringValue == "XYZ")
    let item = try #require(geo.elements(forName: "DataItem").first)
    let ref = (item.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(ref == String(format: "snapshot-%08d.h5:/points", time))
    let dumped = try h5dump(file, "/points")
    let declared = (item.attribute(forName: "Dimensions")?.stringValue ?? "").split(separator: " ").compactMap { Int($0) }
    #expect(dumped.dims == declared && declared == [n, 3], "\(file)")
    let x = try h5dump(file, "/x").values
    var padded: [Double] = []
    for i in 0..<n { padded += [x[2 * i], x[2 * i + 1], 0.0] }
    #expect(dumped.values == padded, "\(file): /points ≠ (/x, 0)")
    #expect(try h5attribute(file, "round") == time)
  }
  return times
}

private func trapezoid(_ z: [[Double]], h: Double) -> Double {
  let n = z.count
  var s = 0.0
  for i in 0..<n {
    for j in 0..<z[i].count {
      s += (i == 0 || i == n - 1 ? 0.5 : 1) * (j == 0 || j == z[i].count - 1 ? 0.5 : 1) * z[i][j]
    }
  }
  return s * h * h
}

/// Snapshots (HDF5 + XDMF) and target.json of real 2-rank runs.
@Suite(.serialized) struct SnapshotRunTests {
  @Test func snapshotsOfATwoRankRunMatchTheCheckpointAndSurviveAResume() throws {
    try SubprocessLock.withExclusiveAccess {
      let dir = try temporaryDirectory("run")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let config = dir + "/tiny.toml"
      try Data(snapshotConfig.utf8).write(to: URL(fileURLWithPath: config))
      // Straight: 200 rounds on 2 ranks.
      let straight = dir + "/straight"
      let a = try macroopt(np: 2, ["run", config, "--output", straight])
      #expect(a.exitCode == 0, "\(a)")
      #expect(snapshotRounds(straight) == [0, 50, 100, 150, 200])
      #expect(try validateSeries(straight, agents: 200) == [0, 50, 100, 150, 200])
      // /x of a snapshot = /x of the checkpoint of the same round (written independently).
      for r in [100, 200] {
        let snap = try h5dump(straight + String(format: "/snapshots/snapshot-%08d.h5", r), "/x")
        let ckpt = try h5dump(straight + String(format: "/checkpoints/round-%08d.h5", r), "/x")
        #expect(snap.values.count == 400 && snap.values == ckpt.values, "round \(r)")
      }
      let first = try h5dump(straight + "/snapshots/snapshot-00000000.h5", "/x").values
      let last = try h5dump(straight + "/snapshots/snapshot-00000200.h5", "/x").values
      #expect(first != last && first.allSatisfy { abs($0) <= 1 } && last.allSatisfy { abs($0) <= 1 })
      // 100 rounds, then resume to 200 (on 3 ranks): the series continues, the same positions.
      let split = dir + "/split"
      let b = try macroopt(np: 2, ["run", config, "--output", split, "--set", "run.rounds=100"])
      #expect(b.exitCode == 0, "\(b)")
      #expect(snapshotRounds(split) == [0, 50, 100])
      // A stale snapshot beyond the checkpoint (as a crash could leave) is not listed on resume.
      try FileManager.default.copyItem(atPath: split + "/snapshots/snapshot-00000050.h5", toPath: split + "/snapshots/snapshot-00000150.h5")
      let c = try macroopt(np: 3, ["run", config, "--output", split, "--resume", "auto"])
      #expect(c.exitCode == 0, "\(c)")
      #expect(try validateSeries(split, agents: 200) == [0, 50, 100, 150, 200])
      for r in [150, 200] {
        let name = String(format: "/snapshots/snapshot-%08d.h5", r)
        #expect(try h5dump(split + name, "/x").values == h5dump(straight + name, "/x").values, "round \(r)")
      }
      // A fresh run into the same directory starts a new series.
      let d = try macroopt(np: 1, ["run", config, "--output", split, "--set", "run.rounds=60", "--set", "output.checkpoint_every=0"])
      #expect(d.exitCode == 0, "\(d)")
      #expect(snapshotRounds(split) == [0, 50, 60])
      #expect(try validateSeries(split, agents: 200) == [0, 50, 60])
    }
  }

  @Test func targetJSONIntegratesToOneAndTheKLFalls() throws {
    try SubprocessLock.withExclusiveAccess {
      let dir = try temporaryDirectory("target")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let config = dir + "/tiny.toml"
      try Data(snapshotConfig.utf8).write(to: URL(fileURLWithPath: config))
      let out = dir + "/out"
      let r = try macroopt(np: 2, ["run", config, "--output", out, "--set", "run.rounds=300", "--set", "output.snapshot_every=0"])
      #expect(r.exitCode == 0, "\(r)")
      let t = try jsonObject(out + "/target.json")
      let x = try #require(t["x"] as? [Double]), y = try #require(t["y"] as? [Double])
      let density = try #require(t["density"] as? [[Double]])
      #expect(x.count == 121 && y.count == 121 && density.count == 121 && density.allSatisfy { $0.count == 121 })
      #expect(x.first == -1 && x.last == 1 && y == x)
      let h = x[1] - x[0]
      #expect(abs(trapezoid(density, h: h) - 1) < 1e-2)
      for key in ["fit", "fit_initial"] {
        let fit = try #require(t[key] as? [String: Any], "\(key)")
        let z = try #require(fit["density"] as? [[Double]], "\(key)")
        #expect(abs(trapezoid(z, h: h) - 1) < 1e-2, "\(key)")
      }
      #expect((t["fit"] as? [String: Any])?["round"] as? Int == 300)
      #expect(t["complete"] as? Bool == true)
      let s = try jsonObject(out + "/summary.json")
      let klInitial = try #require(s["kl_initial"] as? Double), klFinal = try #require(s["kl_final"] as? Double)
      #expect(klInitial >= 0 && klFinal >= 0 && klFinal < klInitial, "KL \(klInitial) → \(klFinal)")
      #expect(t["kl_target_fit_initial"] as? Double == klInitial && t["kl_target_fit_final"] as? Double == klFinal)
      // Forward KL without motion cost: F = KL(target ‖ p_θ*) at the same positions.
      let fi = try #require(s["F_initial"] as? Double), ff = try #require(s["F_final"] as? Double)
      #expect(abs(klInitial - fi) <= 1e-9 * fi && abs(klFinal - ff) <= 1e-9 * ff, "\(klInitial) vs \(fi), \(klFinal) vs \(ff)")
    }
  }
}
