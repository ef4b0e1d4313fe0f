import Testing
@testable import MacroIO
import MacroEngine

/// One exit-status type, each cause mapped once (DESIGN §8), and the non-convergence rules
/// of ConvergenceMonitor on series whose answer is known by construction.
@Suite struct ExitStatusTests {
  @Test func everyCauseMapsToItsDocumentedCode() {
    #expect(RunError.config("x").exit.rawValue == 2)
    #expect(RunError.input("x").exit.rawValue == 2)
    #expect(RunError.setup("x").exit.rawValue == 2)
    #expect(RunError.mpi("x").exit.rawValue == 1)
    #expect(RunError.internalError("x").exit.rawValue == 1)
    #expect(RunError.launcherLost(round: 3).exit.rawValue == 1)
    #expect(RunError.output("x").exit.rawValue == 4)
    #expect(RunError.diverged(round: 0, reason: "x").exit.rawValue == 3)
    #expect(RunError.checkpoint(CheckpointError(.write, path: "p", "disk full")).exit.rawValue == 4)
    #expect(RunError.checkpoint(CheckpointError(.nonFinite, path: "p", "nan")).exit.rawValue == 3)
    for kind in [CheckpointError.Kind.unreadable, .foreign, .configMismatch, .shape, .checksum] {
      #expect(RunError.checkpoint(CheckpointError(kind, path: "p", "r")).exit.rawValue == 2)
    }
    #expect(MacroExit.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 85])
    #expect(MacroExit.helpTable.contains("4   output failure"))
  }

  private func record(_ round: Int, _ cost: Double, stationarity: Double = 1, consensus: Double = 0.01) -> DiagnosticRecord {
    DiagnosticRecord(round: round, cost: cost, stationarity: stationarity, consensusSigma: consensus, consensusTheta: 0,
                     invariant: 0, maxTheta: 0, boundaryFraction: 0, nonfinite: 0, directionError: 0, thetaStarError: 0,
                     newtonIterations: 0)
  }

  @Test func aDecreasingRunHasNoWarning() {
    var m = ConvergenceMonitor(warmup: 10)
    for r in stride(from: 0, through: 400, by: 10) { m.add(record(r, 1 / Double(r + 1) + 0.05, stationarity: 10 / Double(r + 1))) }
    #expect(m.warnings().isEmpty)
  }

  @Test func anOscillatingRunIsWarned() {
    var m = ConvergenceMonitor(warmup: 10)
    for r in stride(from: 0, through: 400, by: 10) { m.add(record(r, (r / 10) % 2 == 0 ? 2.6 : 5.0)) }
    let w = m.warnings()
    #expect(w.count == 1 && w[0].contains("not converging: F"), "\(w)")
  }

  @Test func growingStationarityAndLargeConsensusErrorAreWarned() {
    var m = ConvergenceMonitor(warmup: 10)
    for r in stride(from: 0, through: 400, by: 10) {
      m.add(record(r, 1 / Double(r + 1), stationarity: Double(r + 1), consensus: 0.9))
    }
    let w = m.warnings()
    #expect(w.contains { $0.contains("stationarity grew") }, "\(w)")
    #expect(w.contains { $0.contains("consensus error of sigma") }, "\(w)")
  }

  @Test func tooFewRecordsSayNothing() {
    var m = ConvergenceMonitor(warmup: 10)
    for r in stride(from: 0, through: 40, by: 10) { m.add(record(r, 5)) }
    #expect(m.warnings().isEmpty)
  }

  @Test func aGoodCheckpointIsFiniteAndNotFarAboveFInitial() {
    #expect(CheckpointRecord(round: 10, path: "p", cost: 0.9).isGood(fInitial: 0.8) == true)
    #expect(CheckpointRecord(round: 10, path: "p", cost: 82).isGood(fInitial: 0.78) == false)
    #expect(CheckpointRecord(round: 10, path: "p", cost: nil).isGood(fInitial: 0.78) == nil)
  }
}
