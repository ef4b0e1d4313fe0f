import Foundation
import Testing
import _TestSupport
import HashKit
import MacroCore
@testable import MacroIO

@Suite struct CanonicalTOMLTests {
  /// The exact canonical text of the default scenario (a golden file written by hand).
  static let defaultCanonical = """
    [agents]
    count = 1000
    dimension = 2
    init = "uniform"
    file = ""
    seed = 1

    [graph]
    kind = "geometric"
    mean_degree = 10.0
    probability = 0.01
    file = ""
    weights = "metropolis"

    [basis]
    degree = 6
    quadrature_nodes = 40

    [lower]
    lambda = 0.01
    method = "newton"
    gamma = 1.0

    [upper]
    cost = "forward_kl"
    motion_cost = 0.0

    [target]
    kind = "mixture"
    weights = [0.3, 0.3, 0.4]
    means = [[-0.45, -0.4], [0.5, -0.35], [0.05, 0.5]]
    covariances = [[[0.04, 0.015], [0.015, 0.03]], [[0.03, -0.01], [-0.01, 0.05]], [[0.06, 0.0], [0.0, 0.025]]]
    file = ""

    [run]
    algorithm = "distributed"
    rounds = 3000
    warmup = 300
    alpha = 0.001
    cg_iterations = 2
    diag_every = 50
    consensus_steps = 10
    consensus_acceleration = "chebyshev"

    [output]
    dir = "run"
    checkpoint_every = 500
    checkpoint_seconds = 0.0
    keep_checkpoints = 2
    snapshot_every = 250

    """

  @Test func defaultCanonicalTextIsTheGolden() {
    #expect(canonicalTOML(.default) == Self.defaultCanonical)
  }

  @Test func canonicalKeysAreTheDesignKeysInOrder() throws {
    let doc = try ConfigNode.parseDocument(canonicalTOML(.default), source: "canonical")
    // TOMLKit may reorder keys; check the text order directly.
    var sections: [String] = []
    var keys: [String: [String]] = [:]
    for line in canonicalTOML(.default).split(separator: "\n") {
      if line.hasPrefix("[") {
        sections.append(String(line.dropFirst().dropLast()))
      } else if let eq = line.firstIndex(of: "=") {
        keys[sections.last ?? "", default: []].append(line[..<eq].trimmingCharacters(in: .whitespaces))
      }
    }
    #expect(sections == designKeys.map(\.0))
    for (section, expected) in designKeys { #expect(keys[section] == expected) }
    #expect(doc.count == designKeys.count)
  }

  @Test func defaultRoundTrips() throws {
    #expect(try parseOK(canonicalTOML(.default)) == .default)
  }

  /// Random valid configurations (random bits for doubles, awkward strings) parse back to
  /// themselves, and canonicalization is idempotent.
  @Test func randomConfigsRoundTrip() throws {
    var rng = SplitMix(seed: 42)
    for trial in 0..<200 {
      var c = RunConfig.default
      c.agents.count = 2 + Int(rng.next() % 100_000)
      c.agents.seed = Int(rng.next() >> 1)
      c.graph.kind = [.ring, .grid, .torus, .erdosRenyi][Int(rng.next() % 4)]
      c.graph.meanDegree = rng.positiveDouble()
      c.graph.probability = rng.unit()
      c.graph.weights = rng.next() % 2 == 0 ? .metropolis : .lazyMetropolis
      c.basis.degree = 1 + Int(rng.next() % 12)
      c.basis.quadratureNodes = c.basis.degree + 1 + Int(rng.next() % 100)
      c.lower.lambda = rng.positiveDouble()
      c.lower.gamma = rng.positiveDouble()
      c.lower.method = rng.next() % 2 == 0 ? .newton : .gradient
      c.upper.motionCost = rng.positiveDouble() * Double(rng.next() % 2)
      c.upper.cost = rng.next() % 2 == 0 ? .forwardKL : .reverseKL
      let w = rng.unit() * 0.5
      c.target.weights = [w, 1 - w]
      c.target.means = [[rng.unit() * 2 - 1, -rng.unit()], [rng.unit(), 0.125]]
      let off = rng.unit() * 0.01
      c.target.covariances = [[[0.1, off], [off, 0.2]], [[0.3, -off], [-off, 0.05]]]
      c.target.file = "/data/run \(trial)/\"quoted\" \\ tab\t é ✓.png"
      c.run.rounds = 1 + Int(rng.next() % 1_000_000)
      c.run.warmup = Int(rng.next() % UInt64(c.run.rounds + 1))
      c.run.alpha = rng.positiveDouble()
      c.run.cgIterations = 1 + Int(rng.next() % 1000)
      c.run.algorithm = rng.next() % 2 == 0 ? .distributed : .centralized
      c.output.dir = "out/run-\(trial) with spaces"
      c.output.checkpointSeconds = rng.positiveDouble()
      c.output.snapshotEvery = Int(rng.next() % 1000)
      let text = canonicalTOML(c)
      let back = try parseOK(text)
      #expect(back == c, "trial \(trial):\n\(text)")
      #expect(canonicalTOML(back) == text)
    }
  }

  @Test func extremeDoublesRoundTrip() throws {
    for x in [5e-324, 2.2250738585072014e-308, 1e-5, 0.1 + 0.2, 1e16, 1.7976931348623157e308,
              123456789.123456789, 1.0 / 3.0] {
      var c = RunConfig.default
      c.run.alpha = x
      let back = try parseOK(canonicalTOML(c))
      #expect(back.run.alpha.bitPattern == x.bitPattern, "\(x)")
    }
  }

  @Test func hashIsSHA256OfTheCanonicalText() throws {
    let h = configHash(.default)
    #expect(h.count == 64)
    #expect(h.allSatisfy { "0123456789abcdef".contains($0) })
    // Independent truth: coreutils sha256sum.
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { return }
    let reference = try runTool("/usr/bin/sha256sum", ["-"], stdin: Data(canonicalTOML(.default).utf8))
    #expect(reference.hasPrefix(h + " "))
  }

  @Test func hashChangesWithAnyValue() {
    var c = RunConfig.default
    c.run.alpha = 1e-3.nextUp
    #expect(configHash(c) != configHash(.default))
    var d = RunConfig.default
    d.target.file = "x"
    #expect(configHash(d) != configHash(.default))
    #expect(configHash(.default) == configHash(RunConfig.default))
  }
}

typealias SplitMix = TestRandom
