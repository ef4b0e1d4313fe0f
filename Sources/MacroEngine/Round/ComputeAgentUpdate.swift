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
    let eval = 2 * q * mm + family.momentFlopsPerAgent + 2 * M2 * P + 4 * q
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
    for a in 0..<c {
      let i = slots[a]
      moveAgent(i, moving: moving, state: s)
      injectAndMixRow(i, state: s, rows: rows)
      for k in 0..<m {
        sigBlock[a * m + k] = s.sigmaNext[i * m + k]
        block[a * m + k] = s.thetaNext[i * m + k]
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
        for k in 0..<d {
          var gk = 0.0
          for al in 0..<m { gk += jac[al * d + k] * s.v[i * m + al] }
          gk += rho * (xp[i * d + k] - s.x0[i * d + k])
          xp[i * d + k] = projectToBox(xp[i * d + k] - alpha * gk)
        }
      }
    }
    s.x.withUnsafeBufferPointer { xp in
      phiNew.withUnsafeMutableBufferPointer { vp in
        family.basis.evaluate(points: xp.baseAddress! + i * d, count: 1, values: vp.baseAddress!, jacobians: nil)
      }
    }
  }

  // MARK: - Rounds with several consensus steps (k > 1)

  /// First phase of a k-step round for `agents`: move (after warm-up), then
  /// σNext_i = Σ_j w_ij σ_j + φ(x_i^new) − φ(x_i^old) and θNext_i = Σ_j w_ij θ_j — the same
  /// sums, in the same order, as the one-step round. Local; neighbours' rows must be current.
  public func moveAndMix(agents: [Int], round: Int, state s: AgentState, rows: MixingRows) {
    let moving = round >= parameters.warmup && parameters.alpha != 0
    for i in agents {
      moveAgent(i, moving: moving, state: s)
      injectAndMixRow(i, state: s, rows: rows)
    }
  }

  /// One more mixing step for `agents`: σNext_i = Σ_j w_ij σ_j, θNext_i = Σ_j w_ij θ_j; or,
  /// with coefficients, a Chebyshev step yNext_i = a Σ_j w_ij y_j − b yPrevious_i for y = σ
  /// and y = θ (rows of the previous iterate in `previousSigma`, `previousTheta`, owned slots).
  /// Local; neighbours' rows must be current.
  public func mix(agents: [Int], state s: AgentState, rows: MixingRows,
                  chebyshev: (a: Double, b: Double)? = nil,
                  previousSigma: [Double] = [], previousTheta: [Double] = []) {
    let m = self.m
    rows.slots.withUnsafeBufferPointer { rs in
      rows.weights.withUnsafeBufferPointer { rw in
        s.sigma.withUnsafeBufferPointer { sp in
          s.theta.withUnsafeBufferPointer { tp in
            s.sigmaNext.withUnsafeMutableBufferPointer { sn in
              s.thetaNext.withUnsafeMutableBufferPointer { tn in
                previousSigma.withUnsafeBufferPointer { ps in
                  previousTheta.withUnsafeBufferPointer { pt in
                    for i in agents {
                      let range = rows.offsets[i]..<rows.offsets[i + 1]
                      let so = sn.baseAddress! + i * m, to = tn.baseAddress! + i * m
                      MixingKernel.rowSum(src: sp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!,
                                          range: range, m: m, out: so)
                      MixingKernel.rowSum(src: tp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!,
                                          range: range, m: m, out: to)
                      guard let (a, b) = chebyshev else { continue }
                      for k in 0..<m {
                        so[k] = a * so[k] - b * ps[i * m + k]
                        to[k] = a * to[k] - b * pt[i * m + k]
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// σNext_i = Σ_j w_ij σ_j + φ(x_i^new) − φ(x_i^old) (φ(x_i^new) in `phiNew`, which replaces
  /// the cached φ(x_i)) and θNext_i = Σ_j w_ij θ_j. Local.
  func injectAndMixRow(_ i: Int, state s: AgentState, rows: MixingRows) {
    rowSums(i, state: s, rows: rows)
    for k in 0..<m {
      s.sigmaNext[i * m + k] = sumSigma[k] + phiNew[k] - s.phiX[i * m + k]
      s.phiX[i * m + k] = phiNew[k]
      s.thetaNext[i * m + k] = sumTheta[k]
    }
  }

  /// First phase of a Chebyshev round, before any exchange: move (after warm-up) and inject,
  /// σ_i ← σ_i + φ(x_i^new) − φ(x_i^old) (y_0 of the recurrence). Local.
  public func moveAndInject(agents: [Int], round: Int, state s: AgentState) {
    let moving = round >= parameters.warmup && parameters.alpha != 0
    for i in agents {
      moveAgent(i, moving: moving, state: s)
      for k in 0..<m {
        s.sigma[i * m + k] += phiNew[k] - s.phiX[i * m + k]
        s.phiX[i * m + k] = phiNew[k]
      }
    }
  }

  /// Last phase of a k-step round: steps 3–4 for `agents` from the mixed σ_i, θ_i now in
  /// `state.sigma`, `state.theta`; `previousTheta` holds θ_i of the previous round (owned
  /// rows; the gradient method's λθ_i term, whose μ(θ_i) is cached). Writes θNext and v.
  public func solve(agents: [Int], state s: AgentState, previousTheta: [Double]) {
    var start = 0
    while start < agents.count {
      let c = min(B, agents.count - start)
      for a in 0..<c {
        let i = agents[start + a]
        slots[a] = i
        for k in 0..<m {
          block[a * m + k] = s.theta[i * m + k]
          sigBlock[a * m + k] = s.sigma[i * m + k]
        }
      }
      lowerLevelStep(count: c, state: s, previousTheta: previousTheta)
      hypergradientStep(count: c, state: s)
      flops += Double(c) * flopsPerAgentRound
      start += c
    }
  }

  /// Step 3: newton or gradient update of θ from the mixed estimate in `block` and σ_i in
  /// `sigBlock`; `previousTheta` holds θ_i (rows by local slot) whose μ the gradient method
  /// has cached.
  func lowerLevelStep(count c: Int, state s: AgentState, previousTheta: [Double]) {
    let lam = family.lambda
    switch parameters.method {
    case .gradient:
      let gamma = parameters.gamma
      for a in 0..<c {
        let i = slots[a]
        for k in 0..<m {
          let grad = s.meanTheta[i * m + k] + lam * previousTheta[i * m + k] - sigBlock[a * m + k]
          s.thetaNext[i * m + k] = block[a * m + k] - gamma * grad
        }
      }
    case .newton:
      evaluateBlock(count: c)
      for a in 0..<c {
        let i = slots[a]
        for k in 0..<m { g[k] = mean[a * m + k] + lam * block[a * m + k] - sigBlock[a * m + k] }
        let ok = hess.withUnsafeMutableBufferPointer { hp -> Bool in
          let h = hp.baseAddress! + a * m * m
          do { try LAPACK.dpotrf(n: m, a: h, lda: m) } catch { return false }
          dir = g
          dir.withUnsafeMutableBufferPointer { dp in
            try? LAPACK.dpotrs(n: m, nrhs: 1, a: h, lda: m, b: dp.baseAddress!, ldb: m)
          }
          return true
        }
        var dec = 0.0
        for k in 0..<m { dec += g[k] * dir[k] }
        if !ok || !(dec >= 0) {
          failures += 1
          for k in 0..<m { s.thetaNext[i * m + k] = .nan }
          continue
        }
        let delta = dec.squareRoot()
        let eta = delta > 0.25 ? 1 / (1 + delta) : 1
        for k in 0..<m { s.thetaNext[i * m + k] = block[a * m + k] - eta * dir[k] }
      }
    }
  }

  /// Step 4: T warm-started CG iterations on H(θ_i) v = ∇U(θ_i), with H explicit (moment
  /// identity), per agent.
  func hypergradientStep(count c: Int, state s: AgentState) {
    let t0 = MonotonicClock.seconds()
    for a in 0..<c { let i = slots[a]; for k in 0..<m { block[a * m + k] = s.thetaNext[i * m + k] } }
    evaluateBlock(count: c)
    let lam = family.lambda
    if cost.kind == .reverseKL {
      pi.withUnsafeBufferPointer { pp in
        cost.target.logDensityAtNodes.withUnsafeBufferPointer { lp in
          cov.withUnsafeMutableBufferPointer { cp in
            family.computeWeightedFeatureMean(pi: pp.baseAddress!, nodeValues: lp.baseAddress!,
                                              out: cp.baseAddress!, workspace: ws)
          }
        }
      }
    }
    let T = parameters.cgIterations
    for a in 0..<c {
      let i = slots[a]
      let hb = a * m * m
      if !s.meanTheta.isEmpty { for k in 0..<m { s.meanTheta[i * m + k] = mean[a * m + k] } }
      // b = ∇U(θ_i) into g.
      switch cost.kind {
      case .forwardKL:
        for k in 0..<m { g[k] = mean[a * m + k] - cost.target.mean[k] }
      case .reverseKL:
        var el = 0.0
        let lq = cost.target.logDensityAtNodes
        for j in 0..<Q { el += pi[a * Q + j] * lq[j] }
        for k in 0..<m {
          var ht = 0.0
          for l in 0..<m { ht += hess[hb + k * m + l] * block[a * m + l] }
          g[k] = ht - lam * block[a * m + k] - (cov[a * m + k] - mean[a * m + k] * el)
        }
      }
      // r = b − H v, p = r.
      var rr = 0.0
      for k in 0..<m {
        var hv = 0.0
        for l in 0..<m { hv += hess[hb + k * m + l] * s.v[i * m + l] }
        r[k] = g[k] - hv
        p[k] = r[k]
        rr += r[k] * r[k]
      }
      for _ in 0..<T {
        if rr == 0 { break }
        var pap = 0.0
        for k in 0..<m {
          var hv = 0.0
          for l in 0..<m { hv += hess[hb + k * m + l] * p[l] }
          ap[k] = hv
          pap += p[k] * hv
        }
        if !(pap > 0) { break }
        let step = rr / pap
        var rrNew = 0.0
        for k in 0..<m {
          s.v[i * m + k] += step * p[k]
          r[k] -= step * ap[k]
          rrNew += r[k] * r[k]
        }
        let beta = rrNew / rr
        for k in 0..<m { p[k] = r[k] + beta * p[k] }
        rr = rrNew
      }
    }
    cgSeconds += MonotonicClock.seconds() - t0
  }
}
