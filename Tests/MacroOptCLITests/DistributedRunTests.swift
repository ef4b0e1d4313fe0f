import Foundation
import Testing
import _TestSupport

/// Multi-rank runs of the real binary under mpirun (serialized; 3–4 ranks oversubscribe the
/// 2 cores, fine for correctness).
@Suite(.serialized) struct DistributedRunTests {
  static func tempDir(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("macroopt-tests-\(getpid())-\(name)").path
    try? FileManager.default.removeItem(atPath: dir)
    return dir
  }

  static func summary(_ dir: String) throws -> [String: Any] { try RunOutput(dir).summary() }

  static func diagnostics(_ dir: String) throws -> [[String: Any]] { try RunOutput(dir).diagnostics() }

  /// Halo exchange with irregular partitions compares every ghost row exactly.
  @Test(arguments: [1, 2, 3, 4])
  func haloExchangeDeliversExactRows(np: Int) throws {
    let r = try MPIRun.run(np: np, "engine-check", timeout: 120)
    #expect(r.exitCode == 0, "\(r)")
    #expect(r.stdoutLines.filter { $0.contains(": OK ") }.count == np, "\(r)")
  }

  /// Same config → same state_digest on 1, 2, 3 and 4 ranks (geometric graph, N = 500, 300
  /// rounds including 100 warm-up rounds, agents moving after warm-up; DESIGN's one-step round —
  /// `multiStepRoundsAreDeterministicAndResume` covers k > 1). The invariant
  /// |mean σ − s(x)| stays ≤ 1e-12 at every diagnostic round, and diagnostics.jsonl is
  /// byte-for-byte identical too.
  @Test func stateDigestIsIdenticalForAnyRankCount() throws {
    let args = ["run", "--set", "agents.count=500", "--set", "run.rounds=300", "--set", "run.warmup=100",
                "--set", "run.alpha=2e-4", "--set", "basis.degree=4", "--set", "basis.quadrature_nodes=24",
                "--set", "run.diag_every=25", "--set", "run.consensus_steps=1",
                "--set", "run.consensus_acceleration=\"none\"", "--no-progress"]
    var digests: [Int: String] = [:]
    var diagnosticsFiles: [Int: Data] = [:]
    for np in [1, 2, 3, 4] {
      let dir = Self.tempDir("det\(np)")
      let r = try MPIRun.run(np: np, "macroopt", args + ["--output", dir], timeout: 300)
      #expect(r.exitCode == 0, "\(r)")
      let s = try Self.summary(dir)
      digests[np] = s["state_digest"] as? String
      diagnosticsFiles[np] = try Data(contentsOf: URL(fileURLWithPath: dir + "/diagnostics.jsonl"))
      #expect(s["ranks"] as? Int == np)
      let inv = try Self.diagnostics(dir).compactMap { $0["invariant"] as? Double }
      #expect(inv.count == 13 && inv.allSatisfy { $0 <= 1e-12 }, "invariant \(inv)")
      print("determinism: np = \(np) digest = \(digests[np] ?? "?") F_final = \(s["F_final"] ?? "?")")
    }
    #expect(Set(digests.values).count == 1, "digests differ: \(digests)")
    #expect(digests[1]?.count == 64)
    // The diagnostics (exact F, stationarity, consensus errors: reproducible reductions) are
    // byte-for-byte the same file for every rank count.
    #expect(Set(diagnosticsFiles.values).count == 1, "diagnostics.jsonl differs between rank counts")
  }

  /// The one-step round at the default basis (K = 6, m = 27) and moving agents: the same
  /// digest and diagnostics.jsonl bytes on 1, 2 and 3 ranks. Its lower level is solved inside
  /// the halo overlap; with OpenBLAS's AVX-512 kernels (SkylakeX, Cooperlake) a row's bits
  /// depend on its place in a block, so the blocks must be groups of consecutive slots, not
  /// the interior/boundary order (before: different digests on 1 and 2 ranks at m = 27 on
  /// those kernels, the same at m = 14 — which is why the test above did not see it).
  @Test func oneStepRoundAtTheDefaultDegreeIsIdenticalForAnyRankCount() throws {
    let args = ["run", "--set", "agents.count=400", "--set", "run.rounds=30", "--set", "run.warmup=10",
                "--set", "run.alpha=1e-4", "--set", "run.diag_every=5", "--set", "run.consensus_steps=1",
                "--set", "run.consensus_acceleration=\"none\"", "--set", "output.snapshot_every=0", "--no-progress"]
    var results: [Int: (String?, Data)] = [:]
    for np in [1, 2, 3] {
      let dir = Self.tempDir("det1-\(np)")
      let r = try MPIRun.run(np: np, "macroopt", args + ["--output", dir], timeout: 300)
      #expect(r.exitCode == 0, "\(r)")
      results[np] = (try Self.summary(dir)["state_digest"] as? String,
                     try Data(contentsOf: URL(fileURLWithPath: dir + "/diagnostics.jsonl")))
    }
    #expect(Set(results.values.map(\.0)).count == 1, "digests differ: \(results.mapValues(\.0))")
    #expect(Set(results.values.map(\.1)).count == 1, "diagnostics.jsonl differs between rank counts")
  }

  /// Rounds with k consensus steps (plain W^k and Chebyshev) keep the guarantees of the
  /// one-step round: the same digest and diagnostics.jsonl bytes on 1, 2 and 3 ranks, and a
  /// run checkpointed at round 60 on 2 ranks and resumed on 3 ends with the uninterrupted
  /// digest (the recurrence's iterates live inside a round; a checkpoint holds x, σ, θ, v).
  /// "gradient": Chebyshev with the gradient lower level (its cache μ(θ_i) + λθ_i of the
  /// previous round lives across the k steps).
  @Test(arguments: ["none", "chebyshev", "gradient"])
  func multiStepRoundsAreDeterministicAndResume(acceleration: String) throws {
    var args = ["run", "--set", "agents.count=300", "--set", "run.rounds=120", "--set", "run.warmup=20",
                "--set", "run.alpha=1e-3", "--set", "basis.degree=4", "--set", "basis.quadrature_nodes=20",
                "--set", "run.consensus_steps=4",
                "--set", "run.consensus_acceleration=\"\(acceleration == "none" ? "none" : "chebyshev")\"",
                "--set", "run.diag_every=20", "--no-progress"]
    if acceleration == "gradient" { args += ["--set", "lower.method=\"gradient\"", "--set", "lower.gamma=0.02"] }
    var digests: [Int: String] = [:], files: [Int: Data] = [:]
    for np in [1, 2, 3] {
      let dir = Self.tempDir("multi-\(acceleration)-\(np)")
      let r = try MPIRun.run(np: np, "macroopt", args + ["--output", dir], timeout: 300)
      #expect(r.exitCode == 0, "\(r)")
      digests[np] = try Self.summary(dir)["state_digest"] as? String
      files[np] = try Data(contentsOf: URL(fileURLWithPath: dir + "/diagnostics.jsonl"))
      let d = try Self.diagnostics(dir)
      let inv = d.compactMap { $0["invariant"] as? Double }
      #expect(inv.count == 7 && inv.allSatisfy { $0 <= 1e-12 }, "invariant \(inv)")
      let f = d.compactMap { $0["F"] as? Double }
      #expect(f.count == 7 && f.last! < f.first!, "F \(f)")
      print("multi-step \(acceleration): np = \(np) digest = \(digests[np] ?? "?") F = \(f)")
    }
    #expect(Set(digests.values).count == 1, "digests differ: \(digests)")
    #expect(Set(files.values).count == 1, "diagnostics.jsonl differs between rank counts")
    let part = Self.tempDir("multi-\(acceleration)-part"), resumed = Self.tempDir("multi-\(acceleration)-resumed")
    let a = try MPIRun.run(np: 2, "macroopt", args + ["--set", "run.rounds=60", "--set", "output.checkpoint_every=60", "--output", part], timeout: 300)
    #expect(a.exitCode == 0, "\(a)")
    let b = try MPIRun.run(np: 3, "macroopt", ["resume", part + "/checkpoints/round-00000060.h5", "--rounds", "120", "--output", resumed], timeout: 300)
    #expect(b.exitCode == 0, "\(b)")
    #expect(try Self.summary(resumed)["state_digest"] as? String == digests[1], "resume 2 → 3 ranks changed the digest")
  }

  /// The default scenario (DESIGN's α = 1e-3, 10 Chebyshev consensus steps a round) with
  /// N = 300 on 2 ranks: the distributed run's F after 3000 rounds (300 warm-up rounds without
  /// moving) is within 1% of the centralized oracle's F after the same 2700 moving rounds (the
  /// oracle has no warm-up) — DESIGN §1's "within 1% of centralized projected gradient
  /// descent" (measured: +0.013%). Both curves, and the distance of the agents' directions
  /// J_φᵀv_i from the exact hypergradient directions, are printed. (With DESIGN's one-step
  /// round α = 1e-3 diverges on this graph; see the notes.)
  @Test func distributedTracksTheCentralizedOracle() throws {
    let common = ["run", "--set", "agents.count=300", "--set", "run.diag_every=100", "--no-progress"]
    let dd = Self.tempDir("track-distributed"), cd = Self.tempDir("track-centralized")
    let r1 = try MPIRun.run(np: 2, "macroopt", common + ["--set", "run.rounds=3000", "--output", dd], timeout: 600)
    #expect(r1.exitCode == 0, "\(r1)")
    let r2 = try MPIRun.run(np: 2, "macroopt", common + ["--set", "run.rounds=2700", "--set", "run.algorithm=centralized", "--output", cd], timeout: 600)
    #expect(r2.exitCode == 0, "\(r2)")
    let dist = try Self.diagnostics(dd), cen = try Self.diagnostics(cd)
    var cenF: [Int: Double] = [:]
    for d in cen { if let r = d["round"] as? Int, let f = d["F"] as? Double { cenF[r] = f } }
    print("round   F distributed   F centralized (round - 300)   direction error   consensus sigma   consensus theta")
    var last = (0.0, 0.0)
    for d in dist {
      guard let r = d["round"] as? Int, r >= 300, let f = d["F"] as? Double, let c = cenF[r - 300] else { continue }
      let de = d["direction_error"] as? Double ?? .nan
      print(String(format: "%5d   %.6f        %.6f                      %.3f             %.3e         %.3e", r, f, c, de,
                   d["consensus_sigma"] as? Double ?? .nan, d["consensus_theta"] as? Double ?? .nan))
      last = (f, c)
    }
    print("tracking: F_distributed(3000) / F_centralized(2700) = \(last.0 / last.1)")
    #expect(last.1 > 0 && abs(last.0 / last.1 - 1) <= 0.01)
  }
}
