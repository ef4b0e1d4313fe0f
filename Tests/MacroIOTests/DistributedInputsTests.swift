import Foundation
import MacroCore
import Testing
import _TestSupport
@testable import MacroIO

/// The distributed setup end to end (issue 15): for every graph kind and for x0 from CSV and
/// from HDF5, `state_digest` and diagnostics.jsonl are the same for 1, 2, 3 and 4 ranks; an
/// HDF5 /x holding the CSV's positions gives the CSV run's digest; bad inputs are refused on
/// every rank with exit 2 and the file's line. Small N (120 agents, 6 rounds), serialized.
@Suite(.serialized) struct DistributedInputsTests {
  static func toml(agents: String = "", graph: String) -> String {
    """
    [agents]
    count = 120
    \(agents)
    [graph]
    \(graph)
    [basis]
    degree = 3
    quadrature_nodes = 12
    [run]
    rounds = 6
    warmup = 2
    alpha = 2e-4
    diag_every = 3
    consensus_steps = 2
    consensus_acceleration = "none"
    [output]
    checkpoint_every = 0
    """
  }

  /// 120 positions on a jittered lattice (x0.csv, with a comment and a blank line) and a
  /// ring-with-chords edge list.
  static func inputs(_ dir: String) throws -> (csv: String, edges: String, positions: [Double]) {
    var lines = ["# x0 for DistributedInputsTests", ""]
    var xs: [Double] = []
    for i in 0..<120 {
      let x = -0.9 + 1.8 * Double(i % 12) / 11 + 0.01 * sin(Double(i)), y = -0.9 + 1.8 * Double(i / 12) / 9
      xs += [x, y]
      lines.append("\(x), \(y)")
    }
    try writeFile(dir + "/x0.csv", lines.joined(separator: "\n") + "\n")
    var edges = ["# ring with chords"]
    for i in 0..<120 {
      edges.append("\(i),\((i + 1) % 120)")
      if i % 7 == 0 { edges.append("\((i + 31) % 120),\(i)") }
    }
    try writeFile(dir + "/edges.csv", edges.joined(separator: "\n") + "\n")
    return (dir + "/x0.csv", dir + "/edges.csv", xs)
  }

  /// Runs `text` on each rank count; expects one digest and one diagnostics file. Returns the digest.
  func runAll(_ name: String, _ text: String, dir: String, ranks: [Int] = [1, 2, 3, 4]) throws -> String {
    try writeFile(dir + "/\(name).toml", text)
    var digests = Set<String>(), diagnostics = Set<Data>()
    for np in ranks {
      let out = dir + "/\(name)-\(np)"
      let r = try MPIRun.run(np: np, "macroopt", ["run", dir + "/\(name).toml", "--output", out, "--no-progress"], timeout: 120)
      #expect(r.exitCode == 0, "\(name) np = \(np): \(r)")
      digests.insert(try RunOutput(out).stateDigest() ?? "")
      diagnostics.insert(try Data(contentsOf: URL(fileURLWithPath: out + "/diagnostics.jsonl")))
    }
    #expect(digests.count == 1 && digests.first?.count == 64, "\(name): digests differ between rank counts: \(digests)")
    #expect(diagnostics.count == 1, "\(name): diagnostics.jsonl differs between rank counts")
    return digests.first ?? ""
  }

  @Test func everyGraphKindAndPositionsFileGiveOneDigestForOneToFourRanks() throws {
    let dir = try makeTemporaryDirectory()
    let (csv, edges, xs) = try Self.inputs(dir)
    let kinds = [("geometric", "kind = \"geometric\"\nmean_degree = 6.0"), ("erdos_renyi", "kind = \"erdos_renyi\"\nprobability = 0.08"),
                 ("ring", "kind = \"ring\""), ("grid", "kind = \"grid\""),
                 ("torus", "kind = \"torus\"\nweights = \"lazy_metropolis\""), ("file", "kind = \"file\"\nfile = \"\(edges)\"")]
    var seen = Set<String>()
    for (name, graph) in kinds { seen.insert(try runAll(name, Self.toml(graph: graph), dir: dir)) }
    #expect(seen.count == kinds.count, "two graph kinds gave the same digest")
    // The CSV's positions as an HDF5 /x (N × d) give the same run, bit for bit.
    let h5 = dir + "/x0.h5"
    try withHDF5 {
      let f = try H5File.create(path: h5, comm: nil)
      let ds = try f.createDataset("x", rows: 120, cols: 2)
      try xs.withUnsafeBufferPointer { try ds.writeRows($0, start: 0, count: 120) }
      try ds.close()
      try f.close()
    }
    let geometric = "kind = \"geometric\"\nmean_degree = 6.0"
    let a = try runAll("x0csv", Self.toml(agents: "init = \"file\"\nfile = \"\(csv)\"", graph: geometric), dir: dir)
    let b = try runAll("x0h5", Self.toml(agents: "init = \"file\"\nfile = \"\(h5)\"", graph: geometric), dir: dir)
    #expect(a == b, "x0 from CSV and from HDF5 differ: \(a) vs \(b)")
  }

  /// Bad inputs: refused by every rank with exit 2 and the message of a sequential read,
  /// also when the bad line lies in another rank's byte range.
  @Test(arguments: [2, 3]) func badInputsAreRefusedCollectively(np: Int) throws {
    let dir = try makeTemporaryDirectory("badInputs\(np)")
    let (csv, _, _) = try Self.inputs(dir)
    var x0 = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    x0[111] = "0.5, abc"  // line 112: in the last rank's range
    try writeFile(dir + "/bad-x0.csv", x0.joined(separator: "\n"))
    var ring = (0..<120).map { "\($0),\(($0 + 1) % 120)" }
    ring[100] = "100,120"  // line 101: an id ≥ N
    try writeFile(dir + "/bad-id.csv", ring.joined(separator: "\n") + "\n")
    let halves = (0..<120).map { $0 < 60 ? "\($0),\(($0 + 1) % 60)" : "\($0),\(60 + ($0 - 59) % 60)" }
    try writeFile(dir + "/halves.csv", halves.joined(separator: "\n") + "\n")
    let short = x0.prefix(100).joined(separator: "\n") + "\n"  // 98 data lines
    try writeFile(dir + "/short.csv", short)
    let cases: [(String, String, String)] = [
      ("x0", Self.toml(agents: "init = \"file\"\nfile = \"\(dir)/bad-x0.csv\"", graph: "kind = \"ring\""),
       "\(dir)/bad-x0.csv:112: coordinate 2 \"abc\" is not a number"),
      ("id", Self.toml(graph: "kind = \"file\"\nfile = \"\(dir)/bad-id.csv\""),
       "\(dir)/bad-id.csv:101: agent id 120 is out of range 0...119 (agents.count = 120)"),
      ("halves", Self.toml(graph: "kind = \"file\"\nfile = \"\(dir)/halves.csv\""),
       "the file graph is disconnected (2 connected components)"),
      ("short", Self.toml(agents: "init = \"file\"\nfile = \"\(dir)/short.csv\"", graph: "kind = \"ring\""),
       "98 agents, but agents.count = 120"),
    ]
    for (name, text, message) in cases {
      try writeFile(dir + "/\(name).toml", text)
      let r = try MPIRun.run(np: np, "macroopt", ["run", dir + "/\(name).toml", "--output", dir + "/out-\(name)", "--no-progress"], timeout: 60)
      #expect(r.exitCode == 2, "\(name): \(r)")
      #expect(r.stderr.contains(message), "\(name): \(r)")
      #expect(r.seconds < 30, "\(name) took \(r.seconds) s")
    }
  }
}
