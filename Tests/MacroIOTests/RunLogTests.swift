import Testing
import MacroCore
import MacroEngine
@testable import BLASKit
import MacroIO

/// The run log's formatting: numbers with significant digits, the periodic progress line, the
/// aligned phase table and the start-up header.
@Suite struct RunLogTests {
  @Test func numbersAreRoundedForPeople() {
    #expect(NumberFormat.sig(25114.22233237618, 4) == "2.511e+04")
    #expect(NumberFormat.sig(0.044417328, 4) == "0.04442")
    #expect(NumberFormat.sig(.nan) == "nan")
    #expect(NumberFormat.rate(25114.22233237618) == "25,114")
    #expect(NumberFormat.rate(1234567.4) == "1,234,567")
    #expect(NumberFormat.rate(42.123) == "42.1")
    #expect(NumberFormat.duration(42.4) == "42 s")
    #expect(NumberFormat.duration(65) == "1 min 05 s")
    #expect(NumberFormat.duration(3 * 3600 + 125) == "3 h 02 min")
    #expect(NumberFormat.duration(.nan) == "?")
  }

  static func record(round: Int) -> DiagnosticRecord {
    DiagnosticRecord(round: round, cost: 0.0444173, stationarity: 1.234567, consensusSigma: 3.2e-7,
                     consensusTheta: 4.5e-6, invariant: 0, maxTheta: 3, boundaryFraction: 0, nonfinite: 0,
                     directionError: 0.1, thetaStarError: 0.01, newtonIterations: 7)
  }

  /// 100 rounds in 10 s from round 0 of 1000: 10 rounds/s, 900 rounds left → ETA 90 s.
  @Test func logLineCarriesRoundCostErrorsRateAndETA() throws {
    let p = ProgressReport(style: .log, totalRounds: 1000, startRound: 0, startSeconds: 5)
    let line = p.line(Self.record(round: 100), now: 15)
    #expect(line == "progress: round 100/1000  F 0.0444173  stationarity 1.23  consensus σ 3.2e-07 θ 4.5e-06  10 rounds/s  ETA 1 min 30 s")
    #expect(!line.contains("\r") && !line.contains("\n"))
    #expect(p.header != nil)
    // A resumed run measures its rate from the round it resumed at.
    let q = ProgressReport(style: .live, totalRounds: 1000, startRound: 500, startSeconds: 0)
    let live = q.line(Self.record(round: 600), now: 20)
    #expect(live.hasPrefix("\rround 600/1000") && live.contains(" 5 rounds/s  ETA 1 min 20 s"))
    #expect(q.header == nil)
  }

  @Test func timerTableIsAlignedWithPercentOfTheLoop() {
    let rows: [TimerTable.Row] = [
      (.setup, 0.5, 0.55, 0.6, 1), (.step, 80, 81, 82, 3000), (.haloWait, 1.25, 2.5, 4.1, 30000),
      (.cg, 10, 11, 12.3, 6000), (.output, 0, 0, 0, 0),
    ]
    let text = TimerTable.format(rows, ranks: 2)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 3 + 4, "\(text)")   // title, header, rule, 4 phases (output: count 0)
    let widths = Set(lines.dropFirst().filter { !$0.hasPrefix("-") }.map(\.count))
    #expect(widths.count == 1, "columns not aligned:\n\(text)")
    #expect(lines.contains { $0.hasPrefix("step") && $0.hasSuffix("100.0") })
    #expect(lines.contains { $0.hasPrefix("halo wait") && $0.hasSuffix("5.0") && $0.contains(" 3.28 ") })
  }

  @Test func headerNamesWhatAUserChecksFirst() {
    var c = RunConfig.default
    c.agents.count = 1000
    let h = RunHeader(config: c, ranks: 2, m: 27,
                      graph: .init(meanDegree: 9.1234, connected: true, radius: 0.1131),
                      outputDir: "runs/a").lines
    let text = h.joined(separator: "\n")
    for needle in ["N = 1000 agents", "on 2 rank(s)", "500 agents a rank", "geometric, mean degree 9.123",
                   "target 10", "connected", "K = 6, m = 27, n_q = 40", "λ = 0.01", "α = 0.001",
                   "10 consensus step(s) a round (chebyshev)", "output: runs/a/",
                   "kernels: OpenBLAS core \(BLAS.coreName), ", "vector kernels \(VectorMath.active.name)"] {
      #expect(text.contains(needle), "missing '\(needle)' in\n\(text)")
    }
    #expect(h.allSatisfy { $0.hasPrefix("macroopt: ") })
  }
}
