import BLASKit
import MacroCore

/// The start-up header rank 0 prints before the first round: what a user checks first in a
/// job log (the problem size, the ranks, the graph actually built, the basis and the step
/// sizes, where the outputs go). Local, pure (the caller prints).
public struct RunHeader: Sendable {
  /// Facts measured at setup (not in the config).
  public struct Graph: Sendable {
    public var meanDegree: Double
    public var connected: Bool
    /// The radius of a geometric graph after growth (nil for other kinds).
    public var radius: Double?
    public init(meanDegree: Double, connected: Bool, radius: Double? = nil) {
      self.meanDegree = meanDegree
      self.connected = connected
      self.radius = radius
    }
  }

  public let config: RunConfig
  public let ranks: Int
  public let m: Int
  public let graph: Graph?
  public let outputDir: String
  public let resumedRound: Int?
  /// The kernels in use (OpenBLAS core and threads, the vector exp's instruction set): the
  /// speed of a run depends on them, so a job log names them.
  public var kernels = "OpenBLAS core \(BLAS.coreName), \(BLAS.threadCount) thread(s); vector kernels \(VectorMath.active.name)"

  public init(config: RunConfig, ranks: Int, m: Int, graph: Graph?, outputDir: String, resumedRound: Int? = nil) {
    self.config = config
    self.ranks = ranks
    self.m = m
    self.graph = graph
    self.outputDir = outputDir
    self.resumedRound = resumedRound
  }

  /// The header lines, each prefixed "macroopt: ".
  public var lines: [String] {
    let c = config, n = c.agents.count
    var out: [String] = []
    out.append("\(c.run.algorithm.rawValue) run: N = \(n) agents in [-1,1]^\(c.agents.dimension) on \(ranks) rank(s)"
               + " (\(NumberFormat.rate(Double(n) / Double(max(ranks, 1)))) agents a rank)")
    if c.run.algorithm == .distributed, let g = graph {
      var s = "graph: \(c.graph.kind.rawValue), mean degree \(NumberFormat.sig(g.meanDegree, 4))"
      if c.graph.kind == .geometric { s += ", target \(NumberFormat.sig(c.graph.meanDegree, 4))" }
      if let r = g.radius { s += ", radius \(NumberFormat.sig(r, 4))" }
      s += g.connected ? ", connected" : ", NOT connected"
      s += "; weights \(c.graph.weights.rawValue)"
      out.append(s)
    }
    out.append("basis: degree K = \(c.basis.degree), m = \(m), n_q = \(c.basis.quadratureNodes) nodes an axis"
               + "; lower level \(c.lower.method.rawValue), λ = \(NumberFormat.sig(c.lower.lambda, 4))"
               + (c.lower.method == .gradient ? ", γ = \(NumberFormat.sig(c.lower.gamma, 4))" : ""))
    var run = "run: \(c.run.rounds) rounds (\(c.run.warmup) warm-up), α = \(NumberFormat.sig(c.run.alpha, 4))"
      + ", cost \(c.upper.cost.rawValue)"
    if c.run.algorithm == .distributed {
      run += ", \(c.run.consensusSteps) consensus step(s) a round"
        + (c.run.consensusSteps > 1 ? " (\(c.run.consensusAcceleration.rawValue))" : "")
        + ", \(c.run.cgIterations) CG iteration(s)"
    }
    out.append(run)
    out.append("kernels: " + kernels)
    var outs = "output: \(outputDir)/ (diagnostics every \(c.run.diagEvery) rounds"
    outs += c.output.checkpointEvery > 0 ? ", checkpoints every \(c.output.checkpointEvery)" : ", no periodic checkpoints"
    outs += c.output.snapshotEvery > 0 ? ", snapshots every \(c.output.snapshotEvery))" : ")"
    out.append(outs)
    if let r = resumedRound { out.append("resumed at round \(r)") }
    return out.map { "macroopt: " + $0 }
  }
}
