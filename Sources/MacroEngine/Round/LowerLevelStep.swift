import BLASKit
import MacroCore

// Step 3 of the round (DESIGN §2) for a block of agents. The per-agent loops run on buffer
// pointers taken once per block, so they carry no dynamic exclusivity or bounds checks per
// element (issue 17); the arithmetic, and its order, is that of the plain loops.
extension AgentUpdater {
  /// Newton or gradient update of θ from the mixed estimate in `block` and σ_i in `sigBlock`
  /// for the `c` agents in `slots`; writes the new θ_i into θNext. Local.
  func lowerLevelStep(count c: Int, state s: AgentState) {
    switch parameters.method {
    case .gradient: gradientLowerStep(count: c, state: s)
    case .newton: newtonLowerStep(count: c, state: s)
    }
  }

  /// θ_i ← m_i − γ(μ(θ_i) + λθ_i − σ_i), μ(θ_i) + λθ_i of the previous θ_i cached. Local.
  func gradientLowerStep(count c: Int, state s: AgentState) {
    let gamma = parameters.gamma, m = self.m
    slots.withUnsafeBufferPointer { sl in
      s.gradientBase.withUnsafeBufferPointer { gb in
        block.withUnsafeBufferPointer { bl in
          sigBlock.withUnsafeBufferPointer { sb in
            s.thetaNext.withUnsafeMutableBufferPointer { tn in
              for a in 0..<c {
                let i = sl[a]
                for k in 0..<m {
                  let grad = gb[i * m + k] - sb[a * m + k]
                  tn[i * m + k] = bl[a * m + k] - gamma * grad
                }
              }
            }
          }
        }
      }
    }
  }

  /// θ_i ← m_i − η_i H(m_i)⁻¹(μ(m_i) + λm_i − σ_i), η_i = 1/(1 + δ_i) when the Newton
  /// decrement δ_i > 1/4; m×m Cholesky batched over 8 agents in vector lanes
  /// (`SmallMatrix.choleskySolve8`; LAPACK's dpotrf/dpotrs are its twin in the tests). A failed
  /// factorization makes θ_i NaN (the run's diagnostics then count the agent non-finite and the
  /// run stops as diverged). Local.
  func newtonLowerStep(count c: Int, state s: AgentState) {
    let lam = family.lambda, m = self.m, L = SmallMatrix.lanes
    evaluateBlock(count: c)
    slots.withUnsafeBufferPointer { sl in
      mean.withUnsafeBufferPointer { mu in
        block.withUnsafeBufferPointer { bl in
          sigBlock.withUnsafeBufferPointer { sb in
            hess.withUnsafeBufferPointer { hp in
              laneB.withUnsafeMutableBufferPointer { gp in
                laneX.withUnsafeMutableBufferPointer { xp in
                  laneScratch.withUnsafeMutableBufferPointer { wp in
                    s.thetaNext.withUnsafeMutableBufferPointer { tn in
                      var a0 = 0
                      while a0 < c {
                        let n = min(L, c - a0), g = gp.baseAddress!, x = xp.baseAddress!
                        // g_i = μ(m_i) + λm_i − σ_i in lanes (unused lanes 0), x = g.
                        if n < L { g.update(repeating: 0, count: m * L) }
                        for l in 0..<n {
                          let o = (a0 + l) * m, mua = mu.baseAddress! + o, bla = bl.baseAddress! + o, sba = sb.baseAddress! + o
                          for k in 0..<m { g[k * L + l] = mua[k] + lam * bla[k] - sba[k] }
                        }
                        x.update(from: g, count: m * L)
                        let ok = SmallMatrix.choleskySolve8(hp.baseAddress! + a0 * m * m, m: m, x,
                                                            scratch: wp.baseAddress!) ?? 0
                        for l in 0..<n {
                          let a = a0 + l, t = tn.baseAddress! + sl[a] * m
                          var dec = 0.0
                          for k in 0..<m { dec += g[k * L + l] * x[k * L + l] }
                          guard ok & (1 << l) != 0, dec >= 0 else {
                            for k in 0..<m { t[k] = .nan }
                            continue
                          }
                          let delta = dec.squareRoot()
                          let eta = delta > 0.25 ? 1 / (1 + delta) : 1
                          for k in 0..<m { t[k] = bl[a * m + k] - eta * x[k * L + l] }
                        }
                        a0 += L
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
}
