import BLASKit
import MacroCore

/// The per-agent work of one distributed round (DESIGN §2 steps 1–4) for a list of owned
/// agents, in blocks of the family's fixed block size (partial blocks padded), so that every
/// agent's result depends only on its own inputs and its neighbours' — never on which rank
/// or block it sits in. Local: the caller guarantees that the σ, θ rows of every neighbour
/// (ghosts included) hold the previous round's values.
public final class AgentUpdater {
  public let family: ExpFamily
  public let cost: MacroCost
  public let parameters: RoundParameters
  let ws: ExpFamilyWorkspace
  let B: Int, m: Int, d: Int, Q: Int
  // Block buffers.
  var block: [Double]      // B×m: mixed θ, then new θ
  var sigBlock: [Double]   // B×m
  var logA: [Double]       // B
  var mean: [Double]       // B×m
  var pi: [Double]         // B×Q
  var hess: [Double]       // B×m×m
  var cov: [Double]        // B×m
  var slots: [Int]         // B
  // Per-agent scratch.
  var phiNew: [Double], jac: [Double], g: [Double], dir: [Double], r: [Double], p: [Double], ap: [Double]
  var sumSigma: [Double], sumTheta: [Double]

  /// Time spent in CG (seconds), accumulated by `update`; read by the timers.
  public var cgSeconds = 0.0
  /// Flops performed by the kernels (model count), accumulated.
  public var flops = 0.0
  /// Agents whose Newton Cholesky failed (non-finite state), accumulated.
  public var failures = 0

  public init(family: ExpFamily, cost: MacroCost, parameters: RoundParameters) {
    self.family = family
    self.cost = cost
    self.parameters = parameters
    ws = family.makeWorkspace()
    B = family.blockSize; m = family.m; d = family.basis.dimension; Q = family.q
    block = [Double](repeating: 0, count: B * m)
    sigBlock = block; mean = block; cov = block
    logA = [Double](repeating: 0, count: B)
    pi = [Double](repeating: 0, count: B * Q)
    hess = [Double](repeating: 0, count: B * m * m)
    slots = [Int](repeating: 0, count: B)
    phiNew = [Double](repeating: 0, count: m)
    jac = [Double](repeating: 0, count: m * d)
    g = phiNew; dir = phiNew; r = phiNew; p = phiNew; ap = phiNew
    sumSigma = phiNew; sumTheta = phiNew
  }

  /// Model flop count of one agent-round (DGEMMs + Cholesky), for GFLOP/s reports.
  public var flopsPerAgentRound: Double {
    let P = Double(family.packedCount), M2 = Double(family.momentCount), q = Double(Q), mm = Double(m)
    let eval = family.linearPredictorFlopsPerAgent + family.momentFlopsPerAgent + 2 * M2 * P + 4 * q
    let newton = parameters.method == .newton ? eval + mm * mm * mm / 3 + 4 * mm * mm : 0
    return newton + eval + Double(parameters.cgIterations + 1) * 2 * mm * mm
  }

  /// Initializes the caches φ(x_i) and μ(θ_i) of the owned agents from x and θ (at the start
  /// of a run and after a resume; bitwise the values the round itself would have cached).
  public func initializeCaches(state s: AgentState) {
    let n = s.ownedCount
    guard n > 0 else { return }
    s.x.withUnsafeBufferPointer { xp in
      s.phiX.withUnsafeMutableBufferPointer { pp in
        family.basis.evaluate(points: xp.baseAddress!, count: n, values: pp.baseAddress!, jacobians: nil)
      }
    }
    var start = 0
    while start < n {
      let c = min(B, n - start)
      for a in 0..<c { for k in 0..<m { block[a * m + k] = s.theta[(start + a) * m + k] } }
      evaluateBlock(count: c)
      if !s.meanTheta.isEmpty { for a in 0..<c { for k in 0..<m { s.meanTheta[(start + a) * m + k] = mean[a * m + k] } } }
      start += c
    }
  }

  func evaluateBlock(count c: Int) {
    block.withUnsafeBufferPointer { bp in
      logA.withUnsafeMutableBufferPointer { ap in
        mean.withUnsafeMutableBufferPointer { mp in
          pi.withUnsafeMutableBufferPointer { pp in
            hess.withUnsafeMutableBufferPointer { hp in
              family.computeExpFamilyWithHessian(
                theta: bp.baseAddress!, count: c, logPartition: ap.baseAddress!,
                mean: mp.baseAddress!, pi: pp.baseAddress!, hessian: hp.baseAddress!, workspace: ws)
            }
          }
        }
      }
    }
  }

  /// Runs steps 1–4 for the owned agents `agents` (local slots) of `state` in round `round`.
  /// Writes x, φ(x), σNext, θNext, v, μ(θNext) of those agents.
  public func update(agents: [Int], round: Int, state s: AgentState, rows: MixingRows) {
    let moving = round >= parameters.warmup && parameters.alpha != 0
    var start = 0
    while start < agents.count {
      let c = min(B, agents.count - start)
      for a in 0..<c { slots[a] = agents[start + a] }
      consensusAndMove(count: c, moving: moving, state: s, rows: rows)
      lowerLevelStep(count: c, state: s, previousTheta: s.theta)
      hypergradientStep(count: c, state: s)
      flops += Double(c) * flopsPerAgentRound
      start += c
    }
  }

  /// Steps 1–2, and the mixed θ: for each agent of the block, move x (after warm-up), then
  /// σ_i ← Σ_j w_ij σ_j + φ(x_i^new) − φ(x_i^old), m_i = Σ_j w_ij θ_j (ascending ids), also
  /// copied into the block buffers for the lower level.
  func consensusAndMove(count c: Int, moving: Bool, state s: AgentState, rows: MixingRows) {
    let m = self.m
    for a in 0..<c {
      let i = slots[a]
      moveAgent(i, moving: moving, state: s)
      injectAndMixRow(i, state: s, rows: rows)
      s.sigmaNext.withUnsafeBufferPointer { sn in
        sigBlock.withUnsafeMutableBufferPointer { sb in (sb.baseAddress! + a * m).update(from: sn.baseAddress! + i * m, count: m) }
      }
      s.thetaNext.withUnsafeBufferPointer { tn in
        block.withUnsafeMutableBufferPointer { bl in (bl.baseAddress! + a * m).update(from: tn.baseAddress! + i * m, count: m) }
      }
    }
  }

  /// Σ_j w_ij σ_j and Σ_j w_ij θ_j of agent `i` into `sumSigma`, `sumTheta` (``MixingKernel``):
  /// for every k the terms are added in ascending global id (the row order), which fixes the
  /// bits for any partition.
  func rowSums(_ i: Int, state s: AgentState, rows: MixingRows) {
    let range = rows.offsets[i]..<rows.offsets[i + 1], m = self.m
    rows.slots.withUnsafeBufferPointer { rs in
      rows.weights.withUnsafeBufferPointer { rw in
        s.sigma.withUnsafeBufferPointer { sp in
          sumSigma.withUnsafeMutableBufferPointer { out in
            MixingKernel.rowSum(src: sp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!,
                                range: range, m: m, out: out.baseAddress!)
          }
        }
        s.theta.withUnsafeBufferPointer { tp in
          sumTheta.withUnsafeMutableBufferPointer { out in
            MixingKernel.rowSum(src: tp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!,
                                range: range, m: m, out: out.baseAddress!)
          }
        }
      }
    }
  }

  /// Step 1 for agent `i`: x_i ← Π_X(x_i − α(J_φᵀv_i + ∇r)) when `moving`; leaves φ(x_i^new)
  /// in `phiNew` (φ(x_i^old) stays in the cache until the caller replaces it).
  func moveAgent(_ i: Int, moving: Bool, state s: AgentState) {
    let alpha = parameters.alpha, rho = parameters.rho
    if moving {
      s.x.withUnsafeMutableBufferPointer { xp in
        jac.withUnsafeMutableBufferPointer { jp in
          phiNew.withUnsafeMutableBufferPointer { vp in
            family.basis.evaluate(points: xp.baseAddress! + i * d, count: 1, values: vp.baseAddress!, jacobians: jp.baseAddress!)
          }
        }
        jac.withUnsafeBufferPointer { jp in
          s.v.withUnsafeBufferPointer { vp in
            s.x0.withUnsafeBufferPointer { x0 in
              let m = self.m, d = self.d
              for k in 0..<d {
                var gk = 0.0
                for al in 0..<m { gk += jp[al * d + k] * vp[i * m + al] }
                gk += rho * (xp[i * d + k] - x0[i * d + k])
                xp[i * d + k] = projectToBox(xp[i * d + k] - alpha * gk)
              }
            }
          }
        }
      }
    }
    s.x.withUnsafeBufferPointer { xp in
      phiNew.withUnsafeMutableBufferPointer { vp in
        family.basis.evaluate(points: xp.baseAddress! + i * d, count: 1, values: vp.baseAddress!, jacobians: nil)
      }
    }
  }

  /// σNext_i = Σ_j w_ij σ_j + φ(x_i^new) − φ(x_i^old) (φ(x_i^new) in `phiNew`, which replaces
  /// the cached φ(x_i)) and θNext_i = Σ_j w_ij θ_j. Local.
  func injectAndMixRow(_ i: Int, state s: AgentState, rows: MixingRows) {
    rowSums(i, state: s, rows: rows)
    let m = self.m
    sumSigma.withUnsafeBufferPointer { ss in
      phiNew.withUnsafeBufferPointer { pn in
        s.sigmaNext.withUnsafeMutableBufferPointer { sn in
          s.phiX.withUnsafeMutableBufferPointer { px in
            for k in 0..<m {
              sn[i * m + k] = ss[k] + pn[k] - px[i * m + k]
              px[i * m + k] = pn[k]
            }
          }
        }
      }
    }
    sumTheta.withUnsafeBufferPointer { st in
      s.thetaNext.withUnsafeMutableBufferPointer { tn in (tn.baseAddress! + i * m).update(from: st.baseAddress!, count: m) }
    }
  }

  /// Last phase of a k-step round: steps 3–4 for `agents` from the mixed σ_i, θ_i now in
  /// `state.sigma`, `state.theta`; `previousTheta` holds θ_i of the previous round (owned
  /// rows; the gradient method's λθ_i term, whose μ(θ_i) is cached). Writes θNext and v.
  public func solve(agents: [Int], state s: AgentState, previousTheta: [Double]) {
    var start = 0
    while start < agents.count {
      let c = min(B, agents.count - start)
      let m = self.m
      for a in 0..<c { slots[a] = agents[start + a] }
      slots.withUnsafeBufferPointer { sl in
        s.theta.withUnsafeBufferPointer { th in
          s.sigma.withUnsafeBufferPointer { sg in
            block.withUnsafeMutableBufferPointer { bl in
              sigBlock.withUnsafeMutableBufferPointer { sb in
                for a in 0..<c {
                  (bl.baseAddress! + a * m).update(from: th.baseAddress! + sl[a] * m, count: m)
                  (sb.baseAddress! + a * m).update(from: sg.baseAddress! + sl[a] * m, count: m)
                }
              }
            }
          }
        }
      }
      lowerLevelStep(count: c, state: s, previousTheta: previousTheta)
      hypergradientStep(count: c, state: s)
      flops += Double(c) * flopsPerAgentRound
      start += c
    }
  }
}
