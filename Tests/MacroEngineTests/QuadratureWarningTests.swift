import Foundation
import Testing
import _TestSupport
import MacroCore
import MacroEngine
import MPIKit

/// A run warns once when its quadrature is too coarse for the θ* it reaches (A(θ*) on n_q vs
/// 2 n_q nodes), and stays quiet when the rule is fine. In-process, singleton MPI.
@Suite(.serialized) struct QuadratureWarningTests {
  func warning(nodes: Int) throws -> String? {
    try SingletonMPI.initialize()
    var cfg = RunConfig.default
    cfg.agents.count = 200
    cfg.basis.quadratureNodes = nodes
    cfg.run.warmup = 0
    let engine = try DistributedEngine(scenario: try Scenario(config: cfg), comm: .world)
    _ = try engine.diagnostics()
    for _ in 0..<5 { try engine.step() }
    _ = try engine.diagnostics()
    return engine.quadratureWarning
  }

  @Test func coarseRuleWarns() throws {
    let w = try warning(nodes: 7)
    print("n_q = 7: \(w ?? "no warning")")
    #expect(w?.contains("raise basis.quadrature_nodes") == true)
  }

  @Test func defaultRuleIsQuiet() throws {
    #expect(try warning(nodes: 40) == nil)
  }
}
