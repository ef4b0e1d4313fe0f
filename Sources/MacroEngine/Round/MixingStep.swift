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
  /// Applies `step` to agent `i` (local slot). Local; neighbours' rows must be current.
  func mixAgent(_ i: Int, step: MixingStep, state s: AgentState, rows: MixingRows) {
    let m = self.m
    switch step {
    case .moveAndInject(let moving):
      moveAgent(i, moving: moving, state: s)
      rowSums(i, state: s, rows: rows)
      s.sigmaNext.withUnsafeMutableBufferPointer { sn in
        for k in 0..<m { sn[i * m + k] = sumSigma[k] + phiNew[k] - phiOld[k] }
      }
      s.thetaNext.withUnsafeMutableBufferPointer { tn in (tn.baseAddress! + i * m).update(from: sumTheta, count: m) }
    case .plain:
      rowSums(i, state: s, rows: rows)
      s.sigmaNext.withUnsafeMutableBufferPointer { sn in (sn.baseAddress! + i * m).update(from: sumSigma, count: m) }
      s.thetaNext.withUnsafeMutableBufferPointer { tn in (tn.baseAddress! + i * m).update(from: sumTheta, count: m) }
    case .chebyshev(let a, let b, let first):
      rowSums(i, state: s, rows: rows)
      Self.recurrence(a: a, b: b, sums: sumSigma, current: s.sigma, next: &s.sigmaNext, row: i, m: m, first: first)
      Self.recurrence(a: a, b: b, sums: sumTheta, current: s.theta, next: &s.thetaNext, row: i, m: m, first: first)
    }
  }

  /// next_i ← a · sums − b · (first ? current_i : next_i). Local.
  static func recurrence(a: Double, b: Double, sums: [Double], current: [Double], next: inout [Double],
                         row i: Int, m: Int, first: Bool) {
    next.withUnsafeMutableBufferPointer { np in
      let out = np.baseAddress! + i * m
      if first {
        current.withUnsafeBufferPointer { cp in
          for k in 0..<m { out[k] = a * sums[k] - b * cp[i * m + k] }
        }
      } else {
        for k in 0..<m { out[k] = a * sums[k] - b * out[k] }
      }
    }
  }

  /// Σ_j w_ij σ_j and Σ_j w_ij θ_j of agent `i` into `sumSigma`, `sumTheta` (``MixingKernel``):
  /// for every k the terms are added in ascending global id (the row order), which fixes the
  /// bits for any partition. Local.
  func rowSums(_ i: Int, state s: AgentState, rows: MixingRows) {
    let m = self.m
    rows.slots.withUnsafeBufferPointer { rs in
      rows.weights.withUnsafeBufferPointer { rw in
        s.sigma.withUnsafeBufferPointer { sp in
          sumSigma.withUnsafeMutableBufferPointer { out in
            rows.rowSum(i, src: sp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!, m: m, out: out.baseAddress!)
          }
        }
        s.theta.withUnsafeBufferPointer { tp in
          sumTheta.withUnsafeMutableBufferPointer { out in
            rows.rowSum(i, src: tp.baseAddress!, slots: rs.baseAddress!, weights: rw.baseAddress!, m: m, out: out.baseAddress!)
          }
        }
      }
    }
  }
}
