// `macroopt check CONFIG`: validate a configuration without running it.
import ArgumentParser
import MPIKit
import MacroCore
import MacroEngine
import MacroIO

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Validate a configuration (every key, the files it names, the graph, the memory it needs, the lower level at round 0) without running.")

  @Argument(help: "The TOML configuration file.")
  var config: String

  @OptionGroup(title: "Configuration")
  var options: ConfigOptions

  func run() throws {
    let world = Communicator.world
    let c = try options.load(path: config, comm: world)
    // The memory estimate before anything is allocated (each rank checks its node).
    let estimate = MemoryEstimate(config: c, ranks: world.size)
    var failure: String? = nil
    if let (limit, source) = MemoryEstimate.availablePerRank(ranksOnNode: world.size), estimate.bytesPerRank > limit {
      failure = "\(estimate.summary) exceeds the \(MemoryEstimate.gib(limit)) a rank can have here (\(source)): lower agents.count or basis.degree, or use more ranks or nodes"
    }
    if world.rank == 0 { print("\(config): \(estimate.summary)") }
    if (try world.allreduce(failure == nil ? 0 : 1, .max)) > 0 {
      throw RunError.config(failure ?? "the memory estimate exceeds what another rank's node has")
    }
    // Build the scenario too: graph connectivity, files, target (collective).
    let sc = try RunDriver.makeScenario(c)
    // The lower level at round 0: θ*(s(x⁰)) must exist (a degenerate initial configuration or
    // a too small λ for the basis and quadrature diverges at round 0). Same on every rank.
    do { _ = try sc.problem.solveLowerLevel(s: sc.initialFeatureMean) } catch {
      throw RunError.config("the lower level has no solution at round 0, before any agent moved (\(error)): check the initial "
        + "configuration (agents.init, agents.file) or raise lower.lambda (= \(c.lower.lambda)) or basis.quadrature_nodes (= \(c.basis.quadratureNodes)), or lower basis.degree (= \(c.basis.degree))")
    }
    // The warm-up starts each agent's lower level from its own estimate σ_i = φ(x_i⁰)
    // (consensus has averaged nothing yet): θ*(σ_i) must exist too, or the warm-up diverges
    // before any agent moves. Tried for the owned agent nearest the box's boundary.
    let failed = Self.ownStartFailure(sc)
    if let first = try CollectiveAgreement.firstFailure(world, failed) {
      throw RunError.config(first)
    }
    if world.rank == 0 {
      print("\(config): OK (\(c.agents.count) agents, d = \(c.agents.dimension), m = \(sc.family.m), graph \(c.graph.kind.rawValue) with mean degree \(String(format: "%.2f", sc.meanDegree)), \(c.run.rounds) rounds)")
    }
  }

  /// nil, or why θ*(φ(x_i⁰)) has no solution for this rank's owned agent nearest the boundary
  /// of the box. Local.
  static func ownStartFailure(_ sc: Scenario) -> String? {
    let d = sc.config.agents.dimension, x = sc.ownedPositions
    guard x.count >= d, d > 0 else { return nil }
    let count = x.count / d
    let edge = (0..<count).max { a, b in
      (0..<d).map { abs(x[a * d + $0]) }.max() ?? 0 < (0..<d).map { abs(x[b * d + $0]) }.max() ?? 0
    } ?? 0
    let point = Array(x[(edge * d)..<(edge * d + d)])
    let s = point.withUnsafeBufferPointer { sc.problem.sumOfFeatures(x: $0.baseAddress!, count: 1) }
    do { _ = try sc.problem.solveLowerLevel(s: s, tolerance: 1e-8) } catch {
      let at = point.map { String(format: "%.3f", $0) }.joined(separator: ", ")
      let c = sc.config
      return "the warm-up would diverge before any agent moves: an agent starts its lower level from its own features "
        + "σ_i = φ(x_i⁰) and θ*(σ_i) has no solution for agent \(sc.partition.range(of: sc.comm.rank).lowerBound + edge) at (\(at)) "
        + "(\(error)): raise lower.lambda (= \(c.lower.lambda)) or basis.quadrature_nodes (= \(c.basis.quadratureNodes)), "
        + "or lower basis.degree (= \(c.basis.degree))"
    }
    return nil
  }
}
