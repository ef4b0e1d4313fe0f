import Foundation
import Testing
import _TestSupport

/// What a job log shows: with stdout a pipe (as under Slurm), rank 0 prints the start-up header,
/// then one progress line per diagnostic round, in order, with the documented fields — and the
/// live terminal line (carriage returns) only when MACROOPT_TTY=1 says the user's terminal is one.
@Suite(.serialized) struct ProgressLogTests {
  static let args = ["run", "--set", "agents.count=200", "--set", "run.rounds=60", "--set", "run.warmup=20",
                     "--set", "run.diag_every=20", "--set", "basis.degree=4", "--set", "basis.quadrature_nodes=16",
                     "--set", "output.checkpoint_every=0", "--set", "output.snapshot_every=0"]

  @Test func jobLogHasHeaderThenOneProgressLinePerDiagnosticRound() throws {
    let dir = try makeTemporaryDirectory(prefix: "progress", "log")
    let r = try MPIRun.run(np: 2, "macroopt", Self.args + ["--output", dir], environment: ["MACROOPT_TTY": "0"], timeout: 180)
    #expect(r.exitCode == 0, "\(r)")
    let lines = r.stdoutLines
    #expect(!r.stdout.contains("\r") && !r.stderr.contains("\r"), "no live line in a log")
    // Header: what a user checks first.
    let header = lines.filter { $0.hasPrefix("macroopt: ") }.joined(separator: "\n")
    for needle in ["N = 200 agents", "on 2 rank(s)", "graph: geometric, mean degree", "connected", "K = 4, m = 14, n_q = 16",
                   "λ = 0.01", "α = 0.001", "60 rounds (20 warm-up)", "10 consensus step(s) a round (chebyshev)",
                   "output: \(dir)/"] {
      #expect(header.contains(needle), "header lacks '\(needle)':\n\(header)")
    }
    // Progress: the legend, then rounds 20, 40, 60 in order, each with every field.
    let progress = lines.filter { $0.hasPrefix("progress: ") }
    #expect(progress.first?.contains("round/total") == true, "\(progress)")
    let rounds = progress.dropFirst().compactMap { line -> Int? in
      guard let r = line.split(separator: " ").dropFirst(2).first, let slash = r.firstIndex(of: "/") else { return nil }
      return Int(r[..<slash])
    }
    #expect(rounds == [20, 40, 60], "\(progress)")
    for line in progress.dropFirst() {
      for field in ["/60", " F ", " stationarity ", " consensus σ ", " θ ", " rounds/s ", " ETA "] {
        #expect(line.contains(field), "'\(field)' missing in: \(line)")
      }
    }
    // The header precedes the first progress line, which precedes the final line.
    let iHeader = lines.firstIndex { $0.contains("N = 200 agents") } ?? Int.max
    let iProgress = lines.firstIndex { $0.hasPrefix("progress: round 20/60") } ?? -1
    let iFinal = lines.firstIndex { $0.contains("agent-rounds/s") && $0.hasPrefix("macroopt: distributed run of") } ?? -1
    #expect(iHeader < iProgress && iProgress < iFinal, "order: header \(iHeader), progress \(iProgress), final \(iFinal)")
  }

  @Test func terminalGetsTheLiveLineAndNoProgressSilencesIt() throws {
    let dir = try makeTemporaryDirectory(prefix: "progress", "live")
    let r = try MPIRun.run(np: 1, "macroopt", Self.args + ["--output", dir], environment: ["MACROOPT_TTY": "1"], timeout: 180)
    #expect(r.exitCode == 0, "\(r)")
    #expect(r.stderr.contains("\rround 60/60"), "\(r.stderr)")
    #expect(!r.stdout.contains("progress: round"), "\(r.stdout)")
    let quiet = try MPIRun.run(np: 1, "macroopt", Self.args + ["--output", dir + "-quiet", "--no-progress"], timeout: 180)
    #expect(quiet.exitCode == 0, "\(quiet)")
    #expect(!quiet.stdout.contains("progress: ") && !quiet.stderr.contains("\r"), "\(quiet)")
  }
}
