import MacroEngine
import Testing

@testable import MacroIO

/// ConvergenceMonitor on hand-built diagnostic sequences: each warning branch fires on the
/// sequence built for it and on no other, and a converging run gets none. (The run-level test
/// in scripts/tests/test_faults_outputs.py checks that the warnings reach the log and
/// summary.json; which F branch a chaotic non-converging run takes depends on its round-off.)
@Suite struct ConvergenceMonitorTests {
  /// Records after a warm-up of 10: rounds 20, 30, … with the given costs; stationarity and
  /// consensus default to a decreasing, small sequence.
  func monitor(costs: [Double], stationarity: [Double]? = nil, consensus: [Double]? = nil) -> ConvergenceMonitor {
    var m = ConvergenceMonitor(warmup: 10)
    m.add(record(round: 10, cost: 1e9, stationarity: 1e9, consensus: 1e9))  // the warm-up: ignored
    for (i, c) in costs.enumerated() {
      let s = stationarity?[i] ?? 1.0 / Double(i + 1)
      let e = consensus?[i] ?? 1e-3 / Double(i + 1)
      m.add(record(round: 20 + 10 * i, cost: c, stationarity: s, consensus: e))
    }
    return m
  }

  func record(round: Int, cost: Double, stationarity: Double, consensus: Double, nonfinite: Int = 0) -> DiagnosticRecord {
    DiagnosticRecord(round: round, cost: cost, stationarity: stationarity, consensusSigma: consensus,
                     consensusTheta: consensus, invariant: 0, maxTheta: 1, boundaryFraction: 0,
                     nonfinite: nonfinite, directionError: 0, thetaStarError: 0, newtonIterations: 0)
  }

  @Test func aConvergingRunIsNotWarned() {
    let costs = (0..<12).map { 1.0 + 1.0 / Double($0 + 1) }
    #expect(monitor(costs: costs).warnings().isEmpty)
  }

  @Test func tooFewRecordsAreNotJudged() {
    // 2 × minimumWindow − 1 records are needed; one fewer, however bad, gives no warning.
    let n = 2 * ConvergenceMonitor.minimumWindow - 2
    let costs = (0..<n).map { Double($0) }
    #expect(monitor(costs: costs, consensus: Array(repeating: 9, count: n)).warnings().isEmpty)
  }

  @Test func aRisingCostIsNotDecreasing() {
    // The window is the last half: rounds 80–130, F 7 → 12.
    let w = monitor(costs: (0..<12).map { Double($0 + 1) }).warnings()
    #expect(w.count == 1)
    #expect(w.first?.contains("F did not decrease over rounds 80–130 (7.0 -> 12.0)") == true)
  }

  @Test func anOscillatingCostIsWarned() {
    // Ends lower than it starts, rises in 5 of the window's 11 steps (≥ a third), and
    // max/min − 1 = 0.5 > 0.2.
    let window: [Double] = [3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2.5]
    let w = monitor(costs: Array(repeating: 4, count: 12) + window).warnings()
    #expect(w.count == 1)
    #expect(w.first?.contains("F oscillates over rounds 140–250 (between 2.0 and 3.0)") == true)
  }

  @Test func aSmallOscillationIsNot() {
    // The same rises, but max/min − 1 = 0.1 ≤ 0.2: F wobbles while it settles.
    let window: [Double] = [2.2, 2, 2.2, 2, 2.2, 2, 2.2, 2, 2.2, 2, 2.2, 2.1]
    #expect(monitor(costs: Array(repeating: 4, count: 12) + window).warnings().isEmpty)
  }

  @Test func growingStationarityIsWarned() {
    let costs = (0..<12).map { 2.0 - Double($0) * 0.01 }
    let stationarity = (0..<12).map { $0 < 3 ? 1.0 : Double($0) * 5 }  // minimum 1, ends at 55
    let w = monitor(costs: costs, stationarity: stationarity).warnings()
    #expect(w.count == 1)
    #expect(w.first?.contains("stationarity grew to 55.0 (minimum 1.0") == true)
  }

  @Test func aLargeConsensusErrorIsWarned() {
    let costs = (0..<12).map { 2.0 - Double($0) * 0.01 }
    let w = monitor(costs: costs, consensus: Array(repeating: 0.5, count: 12)).warnings()
    #expect(w.count == 1)
    #expect(w.first?.contains("the consensus error of sigma is 0.5 at round 130") == true)
  }

  @Test func nonFiniteRecordsAreSkipped() {
    var m = monitor(costs: (0..<12).map { 1.0 + 1.0 / Double($0 + 1) })
    m.add(record(round: 140, cost: 1e9, stationarity: 1e9, consensus: 1e9, nonfinite: 1))
    #expect(m.warnings().isEmpty)
  }
}
