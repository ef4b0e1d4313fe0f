import BLASKit
import MacroCore

/// The per-agent work of one distributed round (DESIGN §2) for lists of owned agents, in
/// blocks of the family's fixed block size (partial blocks padded), so that every agent's
/// result depends only on its own inputs and its neighbours' — never on which rank it sits
/// on. The steps, one file each: ``moveAgent`` (MoveStep.swift), ``MixingStep`` (plain,
/// inject, Chebyshev; MixingStep.swift), ``lowerLevelStep`` (LowerLevelStep.swift),
/// ``hypergradientStep`` (HypergradientStep.swift); the engine's round
/// (DistributedEngine+Round.swift) sequences them. Local: the caller guarantees that the σ, θ
/// rows of every neighbour (ghosts included) hold the current iterate.
public final class AgentUpdater {
  public let family: ExpFamily
  public let cost: MacroCost
  public let parameters: RoundParameters
  let ws: ExpFamilyWorkspace
  let B: Int, m: Int, d: Int, Q: Int
  // Block buffers.
  var block: [Double]        // B×m: mixed θ, then new θ
  var sigBlock: [Double]     // B×m: mixed σ
  var logA: [Double]         // B
  var mean: [Double]         // B×m
  var pi: [Double]           // B×Q
  var hess: [Double]         // B×m×m in SmallMatrix's lanes layout
  var featureMean: [Double]  // B×m (reverse KL)
  var grad: [Double]         // B×m: ∇U
  var slots: [Int]           // B
  // Scratch of the consensus step, one after another (`MixingBuffers` hands out the pieces):
  // the neighbour sums of σ and θ (m each), then for a chunk of `moveChunk` agents φ(x^old),
  // φ(x^new) (m each), J_φ (m·d) and the points (d).
  var agentScratch: [Double]
  // One group of 8 agents in lanes (batched Cholesky and CG): m×8 vectors and their scratch.
  var laneX: [Double], laneB: [Double], laneScratch: [Double]

  /// Time spent in the hypergradient step (∇U and CG, seconds), accumulated; read by the timers.
  public var cgSeconds = 0.0
  /// Flops performed by the kernels (model count), accumulated.
  public var flops = 0.0

  public init(family: ExpFamily, cost: MacroCost, parameters: RoundParameters) {
    self.family = family
    self.cost = cost
    self.parameters = parameters
    ws = family.makeWorkspace()
    B = family.blockSize; m = family.m; d = family.basis.dimension; Q = family.q
    block = [Double](repeating: 0, count: B * m)
    sigBlock = block; mean = block; featureMean = block; grad = block
    logA = [Double](repeating: 0, count: B)
    pi = [Double](repeating: 0, count: B * Q)
    hess = [Double](repeating: 0, count: SmallMatrix.lanesCount(agents: B, m: m))
    laneX = [Double](repeating: 0, count: m * SmallMatrix.lanes)
    laneB = laneX
    laneScratch = [Double](repeating: 0, count: max(m, 3) * m * SmallMatrix.lanes)
    slots = [Int](repeating: 0, count: B)
    agentScratch = [Double](repeating: 0, count: 2 * m + Self.moveChunk * (2 * m + m * d + d))
  }

  /// Model flop count of one agent-round (DGEMMs + Cholesky), for GFLOP/s reports.
  public var flopsPerAgentRound: Double {
    Self.flopsPerAgentRound(family: family, method: parameters.method, cgIterations: parameters.cgIterations)
  }

  /// Model flops of one agent-round: per evaluation of the family Z, the moments, the sparse
  /// Gram and 4Q for the log-sum-exp and weights; Newton adds a second evaluation, the
  /// Cholesky (m³/3) and its solves (4m²); the hypergradient's CG T + 1 products H·v (2m² each).
  public static func flopsPerAgentRound(family: ExpFamily, method: LowerMethod, cgIterations: Int) -> Double {
    let q = Double(family.q), mm = Double(family.m)
    let eval = family.linearPredictorFlopsPerAgent + family.momentFlopsPerAgent + family.gramFlopsPerAgent + 4 * q
    let newton = method == .newton ? eval + mm * mm * mm / 3 + 4 * mm * mm : 0
    return newton + eval + Double(cgIterations + 1) * 2 * mm * mm
  }

  /// Initializes the gradient method's cache μ(θ_i) + λθ_i of the owned agents from θ (at
  /// the start of a run and after a resume; bitwise the values the round itself caches).
  /// Local.
  public func initializeCaches(state s: AgentState) {
    let n = s.ownedCount, lam = family.lambda
    guard n > 0, !s.gradientBase.isEmpty else { return }
    var start = 0
    while start < n {
      let c = min(B, n - start)
      for a in 0..<c { for k in 0..<m { block[a * m + k] = s.theta[(start + a) * m + k] } }
      evaluateBlock(count: c)
      for a in 0..<c {
        for k in 0..<m { s.gradientBase[(start + a) * m + k] = mean[a * m + k] + lam * block[a * m + k] }
      }
      start += c
    }
  }

  /// A, μ, H of the θ rows in `block` (the fused kernel; H in the lanes layout), and π
  /// normalized when `weights` (the reverse KL's gradient reads it; otherwise `pi` holds the
  /// unscaled weights). Local.
  func evaluateBlock(count c: Int, weights: Bool = false) {
    block.withUnsafeBufferPointer { bp in
      logA.withUnsafeMutableBufferPointer { ap in
        mean.withUnsafeMutableBufferPointer { mp in
          pi.withUnsafeMutableBufferPointer { pp in
            hess.withUnsafeMutableBufferPointer { hp in
              family.computeExpFamilyWithHessian(
                theta: bp.baseAddress!, count: c, logPartition: ap.baseAddress!,
                mean: mp.baseAddress!, pi: pp.baseAddress!, hessian: hp.baseAddress!, lanesLayout: true,
                normalizedPi: weights, workspace: ws)
            }
          }
        }
      }
    }
  }

  /// One consensus step (`step`) for `agents` (local slots), writing σNext, θNext of those
  /// agents. Local; neighbours' rows must be current.
  public func mix<C: Collection<Int>>(agents: C, step: MixingStep, state s: AgentState, rows: MixingRows) {
    let basis = family.basis
    withMixingBuffers(state: s, rows: rows) { b in
      mixAgents(agents, step: step, basis: basis, buffers: b, rows: rows)
    }
  }

  /// Steps 3–4 for `agents` (local slots) from the mixed σ_i, θ_i in σNext, θNext, in blocks
  /// of B consecutive entries of `agents`. Writes θNext (the new θ), v and the cache. Local.
  public func solve<C: Collection<Int>>(agents: C, state s: AgentState) {
    var a = 0
    for i in agents {
      slots[a] = i
      a += 1
      if a == B { solveBlock(count: a, state: s); a = 0 }
    }
    if a > 0 { solveBlock(count: a, state: s) }
  }

  /// Steps 3–4 for the `c` agents in `slots`. Local.
  func solveBlock(count c: Int, state s: AgentState) {
    gatherRows(count: c, from: s.thetaNext, into: &block)
    gatherRows(count: c, from: s.sigmaNext, into: &sigBlock)
    lowerLevelStep(count: c, state: s)
    hypergradientStep(count: c, state: s)
    flops += Double(c) * flopsPerAgentRound
  }

  /// dst row a ← src row slots[a] (m values), a < c. Local.
  func gatherRows(count c: Int, from src: [Double], into dst: inout [Double]) {
    let m = self.m
    slots.withUnsafeBufferPointer { sl in
      src.withUnsafeBufferPointer { sp in
        dst.withUnsafeMutableBufferPointer { dp in
          for a in 0..<c { (dp.baseAddress! + a * m).update(from: sp.baseAddress! + sl[a] * m, count: m) }
        }
      }
    }
  }
}
