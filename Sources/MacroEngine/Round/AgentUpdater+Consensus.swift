import MacroCore

// The mixing phases of rounds with several consensus steps (k > 1, plain or Chebyshev).
extension AgentUpdater {
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

  /// First phase of a Chebyshev round, before any exchange: move (after warm-up) and inject,
  /// σ_i ← σ_i + φ(x_i^new) − φ(x_i^old) (y_0 of the recurrence). Local.
  public func moveAndInject(agents: [Int], round: Int, state s: AgentState) {
    let moving = round >= parameters.warmup && parameters.alpha != 0
    let m = self.m
    for i in agents {
      moveAgent(i, moving: moving, state: s)
      phiNew.withUnsafeBufferPointer { pn in
        s.sigma.withUnsafeMutableBufferPointer { sg in
          s.phiX.withUnsafeMutableBufferPointer { px in
            for k in 0..<m {
              sg[i * m + k] += pn[k] - px[i * m + k]
              px[i * m + k] = pn[k]
            }
          }
        }
      }
    }
  }
}
