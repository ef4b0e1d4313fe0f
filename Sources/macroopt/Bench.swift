// `macroopt bench`: kernel and round throughput, against a DGEMM of the same shapes
// measured in the same process (so the ratios mean something on any machine).
import ArgumentParser
import BLASKit
import Foundation
import MPIKit
import MacroCore
import MacroEngine
import MacroIO

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure kernel GFLOP/s and round throughput against a same-process DGEMM.")

  @Flag(help: "Print one JSON object instead of the table.")
  var json = false

  @Option(help: "Agents per batched kernel call (block size).")
  var block: Int = 256

  @Option(help: "Agents of the round benchmark (per rank).")
  var agents: Int = 2000

  @Option(help: "Rounds of the round benchmark.")
  var rounds: Int = 20

  @Option(help: "Minimum seconds per measurement.")
  var seconds: Double = 0.5

  /// Every option in range (exit 2 with a message otherwise; ranges keep the measurement
  /// meaningful and its memory bounded).
  func validate() throws {
    if !(1...65_536).contains(block) { throw ValidationError("--block must be an integer in 1...65536 agents (got \(block))") }
    if !(1...10_000_000).contains(agents) { throw ValidationError("--agents must be an integer in 1...10000000 agents per rank (got \(agents))") }
    if !(1...1_000_000).contains(rounds) { throw ValidationError("--rounds must be an integer in 1...1000000 (got \(rounds))") }
    if !seconds.isFinite || seconds <= 0 || seconds > 3600 { throw ValidationError("--seconds must be a number of seconds in (0, 3600] (got \(seconds))") }
  }

  /// Best time of repeated calls of `body` (at least `seconds` in total).
  func measure(_ body: () -> Void) -> Double { Self.measure(seconds: seconds, body) }

  /// Best time of repeated calls of `body` after one warm-up call (at least `seconds` in total).
  static func measure(seconds: Double, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity, total = 0.0
    while total < seconds {
      let t0 = MonotonicClock.seconds()
      body()
      let t = MonotonicClock.seconds() - t0
      best = min(best, t)
      total += t
    }
    return best
  }

  func dgemmRate(m: Int, n: Int, k: Int) -> Double {
    let a = [Double](repeating: 0.5, count: m * k), b = [Double](repeating: 0.25, count: k * n)
    var c = [Double](repeating: 0, count: m * n)
    let t = measure { BLAS.dgemm(.none, .none, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &c, ldc: n) }
    return 2 * Double(m * n * k) / t / 1e9
  }

  /// What `run` measures: the kernels against same-shape DGEMMs, the round on this rank count,
  /// the mixing kernel and the vector math.
  struct Results {
    var d = 2, K = 6, nq = 40, B = 0, m = 0, Q = 0, M2 = 0
    var dgemmZ = 0.0, dgemmMu = 0.0, dgemmPsi = 0.0, dgemmSquare = 0.0
    var rows: [(String, Double, Double)] = []
    var totalAgents = 0, tRound = 0.0, agentRoundsPerSecond = 0.0, roundGflops = 0.0
    var flopsNewton = 0.0, flopsGradient = 0.0
    var mixing = (fast: 0.0, reference: 0.0, bandwidth: 0.0, memcpy: 1.0)
  }

  func run() throws {
    let world = Communicator.world
    var res = Results()
    measureKernels(&res)
    try measureRound(&res, world: world)
    let vectorMath = VectorMathRates.measure(seconds: seconds)
    guard world.rank == 0 else { return }
    if json { printJSON(res, vectorMath: vectorMath, ranks: world.size) } else { printTable(res, vectorMath: vectorMath, ranks: world.size) }
  }

  /// The exp-family kernels (A/μ/π, H v, fused A/μ/π/H) and the same-shape DGEMMs. Local.
  func measureKernels(_ res: inout Results) {
    let d = res.d, K = res.K, nq = res.nq
    let fam = ExpFamily(dimension: d, degree: K, quadratureNodes: nq, lambda: 1e-2, blockSize: block)
    let B = block, m = fam.m, Q = fam.q, M2 = fam.momentCount
    let theta = (0..<(B * m)).map {
      0.3 * (2 * CounterRNG.uniform(seed: 3, id: UInt64($0), stream: 99, index: 0) - 1)
    }
    var logA = [Double](repeating: 0, count: B), mean = [Double](repeating: 0, count: B * m)
    var pi = [Double](repeating: 0, count: B * Q), out = mean
    var hess = [Double](repeating: 0, count: B * m * m)
    let ws = fam.makeWorkspace()
    // Same-shape DGEMMs.
    let dgemmZ = dgemmRate(m: B, n: Q, k: m)       // Z = Θ Φᵀ
    let dgemmMu = dgemmRate(m: B, n: m, k: Q)      // μ = π Φ
    let dgemmPsi = dgemmRate(m: B, n: M2, k: Q)    // moments = π Ψ
    let dgemmSquare = dgemmRate(m: 512, n: 512, k: 512)
    // A/μ/π kernel.
    let tEval = measure {
      theta.withUnsafeBufferPointer { t in logA.withUnsafeMutableBufferPointer { a in mean.withUnsafeMutableBufferPointer { mu in
        pi.withUnsafeMutableBufferPointer { p in
          fam.computeExpFamily(theta: t.baseAddress!, count: B, logPartition: a.baseAddress!, mean: mu.baseAddress!, pi: p.baseAddress!)
        } } } }
    }
    let evalFlops = Double(B) * (4 * Double(Q * m))
    // H v kernel.
    let tHv = measure {
      pi.withUnsafeBufferPointer { p in mean.withUnsafeBufferPointer { mu in theta.withUnsafeBufferPointer { v in
        out.withUnsafeMutableBufferPointer { o in
          fam.computeHessianVector(pi: p.baseAddress!, mean: mu.baseAddress!, v: v.baseAddress!, count: B, out: o.baseAddress!, workspace: ws)
        } } } }
    }
    let hvFlops = Double(B) * 4 * Double(Q * m)
    // Fused A/μ/π/H kernel as the round uses it (forward KL: π left unscaled).
    let tFused = measure {
      theta.withUnsafeBufferPointer { t in logA.withUnsafeMutableBufferPointer { a in mean.withUnsafeMutableBufferPointer { mu in
        pi.withUnsafeMutableBufferPointer { p in hess.withUnsafeMutableBufferPointer { h in
          fam.computeExpFamilyWithHessian(theta: t.baseAddress!, count: B, logPartition: a.baseAddress!, mean: mu.baseAddress!,
                                          pi: p.baseAddress!, hessian: h.baseAddress!, normalizedPi: false, workspace: ws)
        } } } } }
    }
    let fusedFlops = Double(B) * (fam.linearPredictorFlopsPerAgent + fam.momentFlopsPerAgent + fam.gramFlopsPerAgent)
    res.B = B; res.m = m; res.Q = Q; res.M2 = M2
    res.dgemmZ = dgemmZ; res.dgemmMu = dgemmMu; res.dgemmPsi = dgemmPsi; res.dgemmSquare = dgemmSquare
    res.rows = [
      ("A/mu/pi kernel (2 DGEMM + log-sum-exp)", evalFlops / tEval / 1e9, dgemmZ),
      ("H v kernel (2 DGEMM)", hvFlops / tHv / 1e9, dgemmZ),
      (fam.usesSumFactorization ? "fused A/mu/pi/H kernel (4 DGEMM, sum-factorized)" : "fused A/mu/pi/H kernel (3 DGEMM)", fusedFlops / tFused / 1e9, dgemmZ),
    ]
  }

  /// Round throughput of the default scenario on this rank count, and the mixing kernel on
  /// its rows. Collective.
  func measureRound(_ res: inout Results, world: Communicator) throws {
    var c = RunConfig.default
    c.agents.count = agents * world.size
    c.run.rounds = rounds
    c.run.warmup = 0
    let sc = try RunDriver.makeScenario(c)
    let engine = try DistributedEngine(scenario: sc, comm: world)
    try world.barrier()
    let t0 = MonotonicClock.seconds()
    for _ in 0..<rounds { try engine.step() }
    try world.barrier()
    let tRound = MonotonicClock.seconds() - t0
    let agentRoundsPerSecond = Double(c.agents.count * rounds) / tRound
    let roundGflops = engine.updater.flops / tRound / 1e9 * Double(world.size)
    let mixing = mixingKernelRates(engine: engine)
    let fam = engine.updater.family, T = c.run.cgIterations
    res.flopsNewton = AgentUpdater.flopsPerAgentRound(family: fam, method: .newton, cgIterations: T)
    res.flopsGradient = AgentUpdater.flopsPerAgentRound(family: fam, method: .gradient, cgIterations: T)
    res.totalAgents = c.agents.count; res.tRound = tRound
    res.agentRoundsPerSecond = agentRoundsPerSecond; res.roundGflops = roundGflops; res.mixing = mixing
  }

  func printJSON(_ res: Results, vectorMath: VectorMathRates, ranks: Int) {
    let (B, m, Q) = (res.B, res.m, res.Q), (dgemmZ, dgemmMu, dgemmPsi, dgemmSquare) = (res.dgemmZ, res.dgemmMu, res.dgemmPsi, res.dgemmSquare)
    let (rows, mixing, agentRoundsPerSecond, roundGflops, tRound) = (res.rows, res.mixing, res.agentRoundsPerSecond, res.roundGflops, res.tRound)
    let obj: JSONValue = .object([
      ("block", .int(B)), ("m", .int(m)), ("Q", .int(Q)), ("blas_core", .string(BLAS.coreName)),
      ("dgemm_gflops", .object([("BxQxm", .number(dgemmZ)), ("BxmxQ", .number(dgemmMu)), ("BxM2xQ", .number(dgemmPsi)), ("512^3", .number(dgemmSquare))])),
      ("kernels", .array(rows.map { .object([("name", .string($0.0)), ("gflops", .number($0.1)), ("dgemm_same_shape_gflops", .number($0.2)), ("ratio", .number($0.1 / $0.2))]) })),
      ("round", .object([("ranks", .int(ranks)), ("agents", .int(res.totalAgents)), ("rounds", .int(rounds)),
                         ("agent_rounds_per_second", .number(agentRoundsPerSecond)), ("gflops", .number(roundGflops)),
                         ("microseconds_per_agent_round_per_rank", .number(tRound / Double(agents * rounds) * 1e6))])),
      ("model_flops_per_agent_round", .object([("newton", .number(res.flopsNewton)), ("gradient", .number(res.flopsGradient))])),
      ("mixing_kernel", .object([("fast_ns_per_agent_step", .number(mixing.fast)), ("reference_ns_per_agent_step", .number(mixing.reference)),
                                 ("neighbour_gb_per_s", .number(mixing.bandwidth)), ("memcpy_gb_per_s", .number(mixing.memcpy))])),
      ("vector_math", .object([("variant", .string(vectorMath.variant.name)), ("exp_ns_per_element", .number(vectorMath.exp)),
                               ("glibc_exp_ns_per_element", .number(vectorMath.expReference)),
                               ("logsumexp_ns_per_element", .number(vectorMath.logSumExp)),
                               ("logsumexp_reference_ns_per_element", .number(vectorMath.logSumExpReference))])),
    ])
    print(obj.prettySerialized())
  }

  func printTable(_ res: Results, vectorMath: VectorMathRates, ranks: Int) {
    let (d, K, nq, B, m, Q, M2) = (res.d, res.K, res.nq, res.B, res.m, res.Q, res.M2)
    let (dgemmZ, dgemmMu, dgemmPsi, dgemmSquare) = (res.dgemmZ, res.dgemmMu, res.dgemmPsi, res.dgemmSquare)
    let (rows, mixing, agentRoundsPerSecond, roundGflops, tRound) = (res.rows, res.mixing, res.agentRoundsPerSecond, res.roundGflops, res.tRound)
    print("macroopt bench: K = \(K), d = \(d), m = \(m), n_q = \(nq) (Q = \(Q)), block = \(B) agents, OpenBLAS core \(BLAS.coreName), \(BLAS.threadCount) thread(s)")
    print(String(format: "DGEMM same shapes: %dx%dx%d %.1f GFLOP/s, %dx%dx%d %.1f GFLOP/s, %dx%dx%d %.1f GFLOP/s; 512^3 %.1f GFLOP/s",
                 B, Q, m, dgemmZ, B, m, Q, dgemmMu, B, M2, Q, dgemmPsi, dgemmSquare))
    for (name, rate, ref) in rows {
      print(String(format: "%-40@ %7.2f GFLOP/s  = %5.1f%% of the same-shape DGEMM", name as NSString, rate, 100 * rate / ref))
    }
    print(String(format: "round (N = %d on %d rank(s), %d rounds): %.0f agent-rounds/s, %.1f us per agent-round per rank, %.2f GFLOP/s (model count)",
                 res.totalAgents, ranks, rounds, agentRoundsPerSecond, tRound / Double(agents * rounds) * 1e6, roundGflops))
    print(String(format: "mixing step (sigma and theta rows of every owned agent): %.0f ns per agent (reference loop %.0f ns, %.1fx); neighbour rows read at %.1f GB/s = %.0f%% of a same-process memcpy (%.1f GB/s)",
                 mixing.fast, mixing.reference, mixing.reference / mixing.fast, mixing.bandwidth, 100 * mixing.bandwidth / mixing.memcpy, mixing.memcpy))
    for line in vectorMath.lines { print(line) }
  }

  /// One consensus step's neighbour sums (σ and θ) over this rank's owned agents with the fast
  /// kernel and the plain reference, in ns per agent; the neighbour-row bytes the fast kernel
  /// reads per second; and a memcpy of the σ array as the same-process bandwidth reference.
  func mixingKernelRates(engine: DistributedEngine) -> (fast: Double, reference: Double, bandwidth: Double, memcpy: Double) {
    let st = engine.state, rows = engine.rows, m = st.m, n = st.ownedCount
    guard n > 0 else { return (0, 0, 0, 1) }
    var out = [Double](repeating: 0, count: 2 * n * m)
    func sweep(_ body: (Int, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Int32>, UnsafePointer<Double>,
                        UnsafeMutablePointer<Double>) -> Void) -> Double {
      measure {
        rows.slots.withUnsafeBufferPointer { rs in rows.weights.withUnsafeBufferPointer { rw in
          out.withUnsafeMutableBufferPointer { o in
            st.sigma.withUnsafeBufferPointer { sp in
              st.theta.withUnsafeBufferPointer { tp in
                for i in 0..<n { body(i, sp.baseAddress!, tp.baseAddress!, rs.baseAddress!, rw.baseAddress!, o.baseAddress!) }
              }
            }
          } } }
      } / Double(n) * 1e9
    }
    let fast = sweep { i, sp, tp, rs, rw, o in
      let lo = rows.offsets[i]
      NeighbourSums.rowSum2(sp, tp, slots: rs, weights: rw, range: lo..<rows.offsets[i + 1], selfAt: lo + Int(rows.selfPosition[i]),
                           selfSlot: i, selfWeight: rows.selfWeight[i], m: m, outA: o + i * m, outB: o + (n + i) * m)
    }
    let reference = sweep { i, sp, tp, rs, rw, o in
      let lo = rows.offsets[i], range = lo..<rows.offsets[i + 1], at = lo + Int(rows.selfPosition[i]), w = rows.selfWeight[i]
      MixingKernel.rowSumReference(src: sp, slots: rs, weights: rw, range: range, selfAt: at, selfSlot: i, selfWeight: w, m: m,
                                   out: o + i * m)
      MixingKernel.rowSumReference(src: tp, slots: rs, weights: rw, range: range, selfAt: at, selfSlot: i, selfWeight: w, m: m,
                                   out: o + (n + i) * m)
    }
    let bytes = Double(2 * (rows.slots.count + n) * m * 8 + 2 * n * m * 8) / Double(n)
    var copy = [Double](repeating: 0, count: st.sigma.count)
    let tCopy = measure {
      st.sigma.withUnsafeBufferPointer { s in copy.withUnsafeMutableBufferPointer { c in c.baseAddress!.update(from: s.baseAddress!, count: s.count) } }
    }
    return (fast, reference, bytes / fast, Double(2 * st.sigma.count * 8) / tCopy / 1e9)
  }
}

