import Foundation
import Testing
import MacroCore
@testable import MacroIO

/// The keys of DESIGN.md section 8 (plus output.checkpoint_seconds, run.consensus_steps and
/// run.consensus_acceleration), written out independently of the schema.
let designKeys: [(String, [String])] = [
  ("agents", ["count", "dimension", "init", "file", "seed"]),
  ("graph", ["kind", "mean_degree", "probability", "file", "weights"]),
  ("basis", ["degree", "quadrature_nodes"]),
  ("lower", ["lambda", "method", "gamma"]),
  ("upper", ["cost", "motion_cost"]),
  ("target", ["kind", "weights", "means", "covariances", "file"]),
  ("run", ["algorithm", "rounds", "warmup", "alpha", "cg_iterations", "diag_every", "consensus_steps",
           "consensus_acceleration"]),
  ("output", ["dir", "checkpoint_every", "checkpoint_seconds", "keep_checkpoints", "snapshot_every"]),
]

@Suite struct ConfigDefaultTests {
  @Test func emptyTextIsTheDefaultScenario() throws {
    #expect(try parseOK("") == RunConfig.default)
  }

  @Test func exampleDefaultTomlEqualsEmbeddedDefault() throws {
    let path = repositoryRoot.appendingPathComponent("examples/default.toml").path
    let loaded = try ConfigLoader.load(path: path)
    #expect(loaded == RunConfig.default)
  }

  @Test func exampleDefaultTomlHasEveryKey() throws {
    let path = repositoryRoot.appendingPathComponent("examples/default.toml").path
    let doc = try ConfigNode.parseDocument(String(contentsOfFile: path, encoding: .utf8), source: path)
    #expect(Set(doc.map(\.0)) == Set(designKeys.map(\.0)))
    for (section, keys) in designKeys {
      guard case let .table(entries)? = doc.first(where: { $0.0 == section })?.1 else {
        Issue.record("section [\(section)] missing")
        continue
      }
      #expect(Set(entries.map(\.0)) == Set(keys), "keys of [\(section)]")
    }
  }

  /// The default scenario's numbers, from DESIGN.md section 1.
  @Test func defaultMatchesDesignSection1() {
    let c = RunConfig.default
    #expect(c.agents.count == 1000 && c.agents.dimension == 2 && c.agents.initialization == .uniform)
    #expect(c.agents.seed == 1)
    #expect(c.graph.kind == .geometric && c.graph.meanDegree == 10 && c.graph.weights == .metropolis)
    #expect(c.basis.degree == 6 && c.basis.quadratureNodes == 40)
    #expect(c.lower.lambda == 0.01 && c.lower.method == .newton && c.lower.gamma == 1)
    #expect(c.upper.cost == .forwardKL && c.upper.motionCost == 0)
    #expect(c.target.weights == [0.3, 0.3, 0.4])
    #expect(c.target.means == [[-0.45, -0.4], [0.5, -0.35], [0.05, 0.5]])
    #expect(c.target.covariances[1] == [[0.03, -0.01], [-0.01, 0.05]])
    #expect(c.run.alpha == 1e-3 && c.run.rounds == 3000 && c.run.warmup == 300)
    // Not in DESIGN §1 (its round mixes once): 10 Chebyshev steps make its α = 1e-3 stable.
    #expect(c.run.consensusSteps == 10 && c.run.consensusAcceleration == .chebyshev)
    #expect(c.run.cgIterations == 2 && c.run.diagEvery == 50)
    #expect(c.output.dir == "run" && c.output.checkpointEvery == 500 && c.output.keepCheckpoints == 2)
    #expect(c.output.snapshotEvery == 250 && c.output.checkpointSeconds == 0)
  }

  @Test func enumSpellingsAreTheTomlOnes() {
    #expect(RunConfig.GraphKind.erdosRenyi.rawValue == "erdos_renyi")
    #expect(RunConfig.WeightRule.lazyMetropolis.rawValue == "lazy_metropolis")
    #expect(RunConfig.UpperCost.forwardKL.rawValue == "forward_kl")
    #expect(RunConfig.UpperCost.reverseKL.rawValue == "reverse_kl")
    #expect(RunConfig.GraphKind.allCases.map(\.rawValue)
      == ["ring", "grid", "torus", "geometric", "erdos_renyi", "file"])
  }
}

@Suite struct ConfigParseTests {
  @Test func missingKeysTakeDefaults() throws {
    let c = try parseOK("[run]\nrounds = 10\nwarmup = 5\n[graph]\nkind = \"ring\"\n")
    var expected = RunConfig.default
    expected.run.rounds = 10
    expected.run.warmup = 5
    expected.graph.kind = .ring
    #expect(c == expected)
  }

  @Test func integerAcceptedForFloatKey() throws {
    let c = try parseOK("[run]\nalpha = 1\n[graph]\nmean_degree = 4\n")
    #expect(c.run.alpha == 1.0)
    #expect(c.graph.meanDegree == 4.0)
  }

  @Test func everyEnumSpellingParses() throws {
    for kind in RunConfig.GraphKind.allCases where kind != .file {
      #expect(try parseOK("[graph]\nkind = \"\(kind.rawValue)\"").graph.kind == kind)
    }
    #expect(try parseOK("[graph]\nweights = \"lazy_metropolis\"").graph.weights == .lazyMetropolis)
    #expect(try parseOK("[upper]\ncost = \"reverse_kl\"").upper.cost == .reverseKL)
    #expect(try parseOK("[lower]\nmethod = \"gradient\"").lower.method == .gradient)
    #expect(try parseOK("[run]\nalgorithm = \"centralized\"").run.algorithm == .centralized)
    let cheb = try parseOK("[run]\nconsensus_steps = 30\nconsensus_acceleration = \"chebyshev\"").run
    #expect(cheb.consensusSteps == 30 && cheb.consensusAcceleration == .chebyshev)
  }

  @Test func unknownSectionIsAnError() {
    let e = parseError("[agent]\ncount = 5\n")
    #expect(e == .unknownSection(section: "agent", known: ConfigSchema.sections))
    #expect(e?.description.contains("[agent]") == true)
  }

  @Test func unknownKeyIsAnError() {
    let e = parseError("[run]\nround = 5\n")
    #expect(e?.key == "run.round")
    if case let .unknownKey(_, known)? = e {
      #expect(known == ["algorithm", "rounds", "warmup", "alpha", "cg_iterations", "diag_every",
                        "consensus_steps", "consensus_acceleration"])
    } else {
      Issue.record("expected unknownKey, got \(String(describing: e))")
    }
    #expect(e?.description.hasPrefix("unknown key run.round (known keys in [run]: algorithm, rounds") == true)
  }

  @Test func topLevelKeyAndNestedTableAreErrors() {
    #expect(parseError("rounds = 5\n")?.key == "rounds")
    #expect(parseError("rounds = 5\n")?.description.contains("top-level") == true)
    #expect(parseError("[run.extra]\nx = 1\n")?.key == "run.extra")
    if case .wrongType? = parseError("run = 5\n") {} else { Issue.record("run = 5 must be a type error") }
  }

  @Test(arguments: [
    ("[run]\nrounds = \"ten\"", "run.rounds", "run.rounds = \"ten\": expected an integer"),
    ("[run]\nrounds = 10.0", "run.rounds", "run.rounds = 10.0: expected an integer"),
    ("[run]\nalpha = \"small\"", "run.alpha", "run.alpha = \"small\": expected a number"),
    ("[graph]\nkind = 3", "graph.kind", "graph.kind = 3: expected a string"),
    ("[agents]\nfile = 3", "agents.file", "agents.file = 3: expected a string"),
    ("[target]\nweights = 0.5", "target.weights", "target.weights = 0.5: expected an array"),
    ("[target]\nmeans = [0.1, 0.2]", "target.means", "target.means = [0.1, 0.2]: expected an array of arrays"),
    ("[target]\nweights = [0.5, \"x\"]", "target.weights", "target.weights = [0.5, \"x\"]: expected an array of numbers"),
    ("[output]\ndir = true", "output.dir", "output.dir = true: expected a string"),
  ])
  func wrongTypesNameKeyAndValue(toml: String, key: String, prefix: String) {
    let e = parseError(toml)
    guard case .wrongType? = e else {
      Issue.record("expected wrongType for \(toml), got \(String(describing: e))")
      return
    }
    #expect(e?.key == key)
    #expect(e?.description.hasPrefix(prefix) == true, "\(e?.description ?? "")")
  }

  @Test func messageFormatOfTheBrief() {
    #expect(parseError("[run]\nalpha = -1.0")?.description == "run.alpha = -1.0: must be >= 0 and finite")
  }

  /// Each out-of-range value is refused with its key; the message shows the value.
  @Test(arguments: [
    ("[agents]\ncount = 1", "agents.count", "1"),
    ("[agents]\ncount = 1000000001", "agents.count", "1000000001"),
    ("[agents]\ndimension = 0", "agents.dimension", "0"),
    ("[agents]\ndimension = 4", "agents.dimension", "4"),
    ("[agents]\nseed = -1", "agents.seed", "-1"),
    ("[graph]\nmean_degree = 0.0", "graph.mean_degree", "0.0"),
    ("[graph]\nprobability = 0.0", "graph.probability", "0.0"),
    ("[graph]\nprobability = 1.5", "graph.probability", "1.5"),
    ("[graph]\nkind = \"erdos-renyi\"", "graph.kind", "\"erdos-renyi\""),
    ("[graph]\nweights = \"max_degree\"", "graph.weights", "\"max_degree\""),
    ("[basis]\ndegree = 0", "basis.degree", "0"),
    ("[basis]\ndegree = 13\nquadrature_nodes = 40", "basis.degree", "13"),
    ("[basis]\nquadrature_nodes = 201", "basis.quadrature_nodes", "201"),
    ("[basis]\nquadrature_nodes = 6", "basis.quadrature_nodes", "6"),
    ("[lower]\nlambda = 0.0", "lower.lambda", "0.0"),
    ("[lower]\ngamma = -1", "lower.gamma", "-1.0"),
    ("[lower]\nmethod = \"bfgs\"", "lower.method", "\"bfgs\""),
    ("[upper]\nmotion_cost = -0.5", "upper.motion_cost", "-0.5"),
    ("[upper]\ncost = \"kl\"", "upper.cost", "\"kl\""),
    ("[run]\nalpha = nan", "run.alpha", "nan"),
    ("[run]\nalpha = inf", "run.alpha", "inf"),
    ("[run]\nrounds = 0", "run.rounds", "0"),
    ("[run]\nrounds = 100\nwarmup = 101", "run.warmup", "101"),
    ("[run]\ncg_iterations = 0", "run.cg_iterations", "0"),
    ("[run]\ndiag_every = 0", "run.diag_every", "0"),
    ("[run]\nalgorithm = \"central\"", "run.algorithm", "\"central\""),
    ("[run]\nconsensus_steps = 0", "run.consensus_steps", "0"),
    ("[run]\nconsensus_steps = 1001", "run.consensus_steps", "1001"),
    ("[run]\nconsensus_acceleration = \"lanczos\"", "run.consensus_acceleration", "\"lanczos\""),
    ("[run]\nconsensus_steps = 1\nconsensus_acceleration = \"chebyshev\"", "run.consensus_acceleration", "\"chebyshev\""),
    ("[output]\ndir = \"\"", "output.dir", "\"\""),
    ("[output]\ncheckpoint_every = -1", "output.checkpoint_every", "-1"),
    ("[output]\ncheckpoint_seconds = -1.0", "output.checkpoint_seconds", "-1.0"),
    ("[output]\nkeep_checkpoints = 0", "output.keep_checkpoints", "0"),
    ("[output]\nsnapshot_every = -5", "output.snapshot_every", "-5"),
    ("[agents]\ncount = 5\n[graph]\nmean_degree = 10.0", "graph.mean_degree", "10.0"),
    ("[agents]\ndimension = 3\n[basis]\ndegree = 12\nquadrature_nodes = 200", "basis.quadrature_nodes", "200"),
  ])
  func invalidValuesNameKeyValueAndRule(toml: String, key: String, value: String) {
    let e = parseError(toml)
    guard case let .invalidValue(k, v, allowed)? = e else {
      Issue.record("expected invalidValue for \(toml), got \(String(describing: e))")
      return
    }
    #expect(k == key)
    #expect(v == value)
    #expect(!allowed.isEmpty)
    #expect(e?.description.hasPrefix("\(key) = \(value): ") == true)
  }

  @Test func rangeMessagesComeFromTheLimits() {
    #expect(parseError("[agents]\ndimension = 4")?.description
      == "agents.dimension = 4: must be an integer in 1...3")
    #expect(parseError("[graph]\nprobability = 0.0")?.description
      == "graph.probability = 0.0: must be in (0.0, 1.0]")
    #expect(parseError("[run]\nrounds = 100\nwarmup = 101")?.description
      == "run.warmup = 101: must be <= run.rounds = 100 (rounds include warm-up)")
    #expect(parseError("[graph]\nkind = \"star\"")?.description
      == "graph.kind = \"star\": must be one of \"ring\", \"grid\", \"torus\", \"geometric\", \"erdos_renyi\", \"file\"")
    #expect(parseError("[basis]\ndegree = 8\nquadrature_nodes = 8")?.description
      == "basis.quadrature_nodes = 8: must be > basis.degree = 8")
  }

  @Test func syntaxErrorCarriesLineAndColumn() {
    let e = parseError("[run]\nrounds = 10\nalpha = = 3\n")
    guard case let .syntax(source, line, column, message)? = e else {
      Issue.record("expected syntax error, got \(String(describing: e))")
      return
    }
    #expect(source == "<config>")
    #expect(line == 3)
    #expect(column != nil)
    #expect(!message.isEmpty)
    #expect(e?.description.hasPrefix("<config>:3:") == true)
  }

  @Test func duplicateKeyIsASyntaxError() {
    guard case .syntax(_, let line, _, _)? = parseError("[run]\nrounds = 1\nrounds = 2\n") else {
      Issue.record("duplicate key must be refused")
      return
    }
    #expect(line == 3)
  }

  @Test func loadReportsMissingFileAndNamesSourceInSyntaxErrors() throws {
    #expect(throws: ConfigError.unreadable(path: "/no/such/macroopt.toml", reason: "no such file")) {
      try ConfigLoader.load(path: "/no/such/macroopt.toml")
    }
    let dir = try makeTemporaryDirectory()
    let path = dir + "/bad.toml"
    try writeFile(path, "[run]\nrounds = [\n")
    do {
      _ = try ConfigLoader.load(path: path)
      Issue.record("expected a syntax error")
    } catch {
      #expect(error.description.hasPrefix("\(path):"))
    }
  }
}

@Suite struct ConfigCrossKeyTests {
  @Test func mixtureLengthsMustAgree() {
    #expect(parseError("[target]\nweights = [0.5, 0.5]")?.key == "target.means")
    #expect(parseError("""
      [target]
      weights = [0.5, 0.5]
      means = [[0.0, 0.0], [0.1, 0.1]]
      """)?.key == "target.covariances")
    #expect(parseError("[target]\nweights = []\nmeans = []\ncovariances = []")?.key == "target.weights")
  }

  @Test func meansAndCovariancesFollowTheDimension() throws {
    // d = 3 with the 2-D default mixture.
    #expect(parseError("[agents]\ndimension = 3")?.key == "target.means[0]")
    let c = try parseOK("""
      [agents]
      dimension = 3
      [target]
      weights = [1.0]
      means = [[0.0, 0.1, -0.2]]
      covariances = [[[0.1, 0.0, 0.0], [0.0, 0.2, 0.05], [0.0, 0.05, 0.3]]]
      """)
    #expect(c.agents.dimension == 3)
    #expect(c.target.covariances[0][1] == [0.0, 0.2, 0.05])
    #expect(parseError("""
      [agents]
      dimension = 1
      [target]
      weights = [1.0]
      means = [[0.0]]
      covariances = [[[0.1, 0.0]]]
      """)?.key == "target.covariances[0]")
  }

  @Test func weightsMustBeNonNegativeAndSumToOne() throws {
    let base = "[target]\nmeans = [[0.0, 0.0], [0.1, 0.1]]\ncovariances = [[[0.1, 0.0], [0.0, 0.1]], [[0.1, 0.0], [0.0, 0.1]]]\n"
    #expect(parseError(base + "weights = [0.5, 0.6]")?.key == "target.weights")
    #expect(parseError(base + "weights = [1.5, -0.5]")?.key == "target.weights[1]")
    // Within 1e-9 of 1 is accepted, 1e-8 off is not.
    #expect(try parseOK(base + "weights = [0.5, 0.5000000005]").target.weights[1] == 0.5000000005)
    #expect(parseError(base + "weights = [0.5, 0.50000001]")?.key == "target.weights")
  }

  @Test func covarianceMustBeSymmetricPositiveDefinite() {
    let head = "[target]\nweights = [1.0]\nmeans = [[0.0, 0.0]]\n"
    #expect(parseError(head + "covariances = [[[0.1, 0.02], [0.0, 0.1]]]")?.description
      .contains("must be symmetric") == true)
    // Symmetric, indefinite (eigenvalues 0.3, -0.1).
    #expect(parseError(head + "covariances = [[[0.1, 0.2], [0.2, 0.1]]]")?.description
      .contains("positive definite") == true)
    // Singular.
    #expect(parseError(head + "covariances = [[[0.1, 0.1], [0.1, 0.1]]]")?.key == "target.covariances[0]")
    #expect(parseError(head + "covariances = [[[0.1, 0.0], [0.0, 0.1], [0.0, 0.0]]]")?.key
      == "target.covariances[0]")
  }

  @Test func meansMustLieInTheBox() {
    let e = parseError("""
      [target]
      weights = [1.0]
      means = [[0.0, 1.5]]
      covariances = [[[0.1, 0.0], [0.0, 0.1]]]
      """)
    #expect(e?.key == "target.means[0]")
  }

  @Test func filesAreRequiredAndMustExist() throws {
    #expect(parseError("[agents]\ninit = \"file\"")?.description
      == "agents.file = \"\": a file is required when agents.init = \"file\"")
    #expect(parseError("[graph]\nkind = \"file\"")?.key == "graph.file")
    #expect(parseError("[target]\nkind = \"image\"")?.key == "target.file")
    let missing = parseError("[agents]\ninit = \"file\"\nfile = \"x0.csv\"", base: "/nonexistent-base")
    #expect(missing?.description == "agents.file = \"/nonexistent-base/x0.csv\": no such file")
    let dir = try makeTemporaryDirectory()
    #expect(parseError("[graph]\nkind = \"file\"\nfile = \".\"", base: dir)?.description
      .hasSuffix("is a directory, not a file") == true)
  }

  @Test func relativeFilesResolveAgainstTheBaseDirectory() throws {
    let dir = try makeTemporaryDirectory()
    try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
    try writeFile(dir + "/data/x0.csv", "0,0\n")
    try writeFile(dir + "/edges.csv", "0,1\n")
    let c = try parseOK("""
      [agents]
      init = "file"
      file = "data/x0.csv"
      [graph]
      kind = "file"
      file = "./data/../edges.csv"
      """, base: dir)
    let real = URL(fileURLWithPath: dir).standardizedFileURL.path
    #expect(c.agents.file == real + "/data/x0.csv")
    #expect(c.graph.file == real + "/edges.csv")
    // An unused file key keeps its (resolved) value and is not checked.
    #expect(try parseOK("[target]\nfile = \"nothing.png\"", base: "/b").target.file == "/b/nothing.png")
  }

  @Test func imageTargetNeedsTwoDimensions() throws {
    let dir = try makeTemporaryDirectory()
    try writeFile(dir + "/shape.pgm", "P2\n1 1\n255\n0\n")
    #expect(try parseOK("[target]\nkind = \"image\"\nfile = \"shape.pgm\"", base: dir).target.kind == .image)
    let e = parseError("""
      [agents]
      dimension = 1
      [target]
      kind = "image"
      file = "shape.pgm"
      weights = [1.0]
      means = [[0.0]]
      covariances = [[[0.1]]]
      """, base: dir)
    #expect(e?.key == "target.kind")
  }
}

@Suite struct ConfigOverrideTests {
  @Test func overridesApplyOnTopOfTheFile() throws {
    let c = try parseOK("[run]\nrounds = 50\nwarmup = 10\n", overrides: [
      "run.rounds=100", "graph.kind=\"ring\"", "lower.method=gradient", "run.alpha = 2e-3",
    ])
    #expect(c.run.rounds == 100)
    #expect(c.run.warmup == 10)
    #expect(c.graph.kind == .ring)
    #expect(c.lower.method == .gradient)
    #expect(c.run.alpha == 0.002)
  }

  @Test func arrayOverrides() throws {
    let c = try parseOK("", overrides: [
      "target.weights=[0.5,0.5]",
      "target.means=[[0.1,0.2],[-0.3,0.4]]",
      "target.covariances=[[[0.05,0],[0,0.05]],[[0.02,0.01],[0.01,0.03]]]",
    ])
    #expect(c.target.weights == [0.5, 0.5])
    #expect(c.target.means == [[0.1, 0.2], [-0.3, 0.4]])
    #expect(c.target.covariances[1] == [[0.02, 0.01], [0.01, 0.03]])
  }

  @Test func laterOverrideWinsAndCanRepairTheFile() throws {
    #expect(try parseOK("", overrides: ["run.rounds=1000", "run.rounds=2000"]).run.rounds == 2000)
    #expect(try parseOK("[run]\nalpha = -1.0", overrides: ["run.alpha=0.5"]).run.alpha == 0.5)
  }

  @Test func bareWordPathResolvesAgainstTheOverrideDirectory() throws {
    let c = try parseOK("", overrides: ["target.file=shapes/star.png"])
    #expect(c.target.file == "/nonexistent-cwd/shapes/star.png")
  }

  @Test(arguments: ["run.rounds", "rounds=5", "run.rounds.x=5", "run.=5", ".rounds=5", "run.rounds=",
                    "target.weights=[0.5,0.5", "graph.kind=\"ring", "run.rounds=1, x = 2"])
  func malformedOverridesNameThemselves(text: String) {
    let e = parseError("", overrides: [text])
    guard case .malformedOverride? = e else {
      Issue.record("expected malformedOverride for \(text), got \(String(describing: e))")
      return
    }
    #expect(e?.description.hasPrefix("--set \(text): ") == true, "\(e?.description ?? "")")
  }

  @Test func overrideProblemsAreWrappedWithTheOverride() {
    let unknown = parseError("", overrides: ["run.round=100"])
    #expect(unknown?.description.hasPrefix("--set run.round=100: unknown key run.round") == true)
    #expect(unknown?.key == "run.round")
    let section = parseError("", overrides: ["runs.rounds=100"])
    #expect(section?.description.hasPrefix("--set runs.rounds=100: unknown section [runs]") == true)
    let type = parseError("", overrides: ["run.rounds=ten"])
    #expect(type?.description == "--set run.rounds=ten: run.rounds = \"ten\": expected an integer")
    let choice = parseError("", overrides: ["graph.kind=rng"])
    #expect(choice?.description.hasPrefix("--set graph.kind=rng: graph.kind = \"rng\": must be one of") == true)
  }

  @Test func overrideRangeErrorsAreValidatedLikeTheFile() {
    #expect(parseError("", overrides: ["run.alpha=-1.0"])?.description
      == "run.alpha = -1.0: must be >= 0 and finite")
    #expect(parseError("", overrides: ["run.warmup=5000"])?.key == "run.warmup")
  }
}
