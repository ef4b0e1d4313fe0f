import MacroCore

/// What one consensus step (DESIGN §2 step 2; one halo exchange) does to agent i's rows.
/// Every variant reads the current σ, θ (neighbours' and ghosts' rows included) and writes
/// σNext_i, θNext_i; the neighbour sums are ``MixingKernel`` row sums in ascending global id.
public enum MixingStep: Sendable, Equatable {
  /// The first step of a plain round: move agent i (when `moving`), then
  /// σNext_i = Σ_j w_ij σ_j + φ(x_i^new) − φ(x_i^old), θNext_i = Σ_j w_ij θ_j.
  case moveAndInject(moving: Bool)
  /// σNext_i = Σ_j w_ij σ_j, θNext_i = Σ_j w_ij θ_j.
  case plain
  /// A step of the Chebyshev recurrence (``ChebyshevMixing``) for y = σ and y = θ:
  /// yNext_i = a Σ_j w_ij y_j − b y_{j−1,i}. y_{j−1} is the Next array's own row, overwritten
  /// in place (the engine swaps σ ↔ σNext after every step); on the `first` step (a = 1,
  /// b = 0) it is the current row, y_{−1} := y_0.
  case chebyshev(a: Double, b: Double, first: Bool)
}

extension AgentUpdater {
  /// Applies `step` to `agents` (local slots), in order; `.moveAndInject` moves them in
  /// chunks (`moveAgents`) first. Local; neighbours' rows must be current. (A move changes
  /// only the agent's own x, never a σ or θ that a neighbour sum reads.)
  func mixAgents<C: Collection<Int>>(_ agents: C, step: MixingStep, basis: LegendreBasis, buffers b: MixingBuffers,
                                     rows: MixingRows) {
    let m = self.m
    switch step {
    case .moveAndInject(let moving):
      forEachMoveChunk(agents) { ids, n in
        moveAgents(ids, count: n, moving: moving, basis: basis, buffers: b)
        for p in 0..<n {
          let i = ids[p], pn = b.phiNew + p * m, po = b.phiOld + p * m
          rowSums(i, buffers: b, rows: rows)
          let sn = b.sigmaNext + i * m
          for k in 0..<m { sn[k] = b.sumSigma[k] + pn[k] - po[k] }
          (b.thetaNext + i * m).update(from: b.sumTheta, count: m)
        }
      }
    case .plain:
      for i in agents {
        rowSums(i, buffers: b, rows: rows)
        (b.sigmaNext + i * m).update(from: b.sumSigma, count: m)
        (b.thetaNext + i * m).update(from: b.sumTheta, count: m)
      }
    case .chebyshev(let a, let c, let first):
      for i in agents {
        rowSums(i, buffers: b, rows: rows)
        Self.recurrence(a: a, b: c, sums: b.sumSigma, current: b.sigma + i * m, next: b.sigmaNext + i * m, m: m,
                        first: first)
        Self.recurrence(a: a, b: c, sums: b.sumTheta, current: b.theta + i * m, next: b.thetaNext + i * m, m: m,
                        first: first)
      }
    }
  }

  /// next ← a · sums − b · (first ? current : next), one agent's row. Local.
  @inline(__always)
  static func recurrence(a: Double, b: Double, sums: UnsafePointer<Double>, current: UnsafePointer<Double>,
                         next out: UnsafeMutablePointer<Double>, m: Int, first: Bool) {
    if first {
      for k in 0..<m { out[k] = a * sums[k] - b * current[k] }
    } else {
      for k in 0..<m { out[k] = a * sums[k] - b * out[k] }
    }
  }

  /// Σ_j w_ij σ_j and Σ_j w_ij θ_j of agent `i` into `sumSigma`, `sumTheta` (``MixingKernel``):
  /// for every k the terms are added in ascending global id (the row order), which fixes the
  /// bits for any partition. Local.
  @inline(__always)
  func rowSums(_ i: Int, buffers b: MixingBuffers, rows: MixingRows) {
    rows.rowSum2(i, b.sigma, b.theta, slots: b.slots, weights: b.weights, m: m, outA: b.sumSigma, outB: b.sumTheta)
  }
}
