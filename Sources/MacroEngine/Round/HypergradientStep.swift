import BLASKit
import MacroCore

// Step 4 of the round (DESIGN §2) for a block of agents.
extension AgentUpdater {
  /// v_i ← T warm-started CG iterations on H(θ_i) v = ∇U(θ_i) at the new θ_i (θNext), H
  /// explicit (the fused exp-family kernel), ∇U by ``MacroCost/gradientBlock``, CG by
  /// ``conjugateGradientBlock``. Also refreshes the gradient method's cache μ(θ_i) + λθ_i.
  /// Local.
  func hypergradientStep(count c: Int, state s: AgentState) {
    let t0 = MonotonicClock.seconds()
    gatherRows(count: c, from: s.thetaNext, into: &block)
    evaluateBlock(count: c, weights: cost.readsWeights)
    block.withUnsafeBufferPointer { bl in
      mean.withUnsafeBufferPointer { mu in
        pi.withUnsafeBufferPointer { pp in
          hess.withUnsafeBufferPointer { hp in
            featureMean.withUnsafeMutableBufferPointer { fm in
              grad.withUnsafeMutableBufferPointer { gr in
                cost.gradientBlock(family: family, count: c, theta: bl.baseAddress!, mean: mu.baseAddress!,
                                   pi: pp.baseAddress!, hessian: hp.baseAddress!, hessianLanes: true,
                                   featureMean: fm.baseAddress!, workspace: ws, out: gr.baseAddress!)
              }
            }
          }
        }
      }
    }
    updateGradientBase(count: c, state: s)
    conjugateGradientBlock(count: c, state: s)
    cgSeconds += MonotonicClock.seconds() - t0
  }

  /// gradientBase_i ← μ(θ_i) + λθ_i from `mean` and `block` (gradient method only). Local.
  func updateGradientBase(count c: Int, state s: AgentState) {
    guard !s.gradientBase.isEmpty else { return }
    let lam = family.lambda, m = self.m
    slots.withUnsafeBufferPointer { sl in
      mean.withUnsafeBufferPointer { mu in
        block.withUnsafeBufferPointer { bl in
          s.gradientBase.withUnsafeMutableBufferPointer { gb in
            for a in 0..<c { for k in 0..<m { gb[sl[a] * m + k] = mu[a * m + k] + lam * bl[a * m + k] } }
          }
        }
      }
    }
  }

  /// v_i ← T CG iterations on H(θ_i) v = ∇U_i from the v_i of the last round, for the `c`
  /// agents in `slots`, 8 at a time in vector lanes (`SmallMatrix.conjugateGradient8`: the
  /// arithmetic of ``ConjugateGradient/solve``, the same bits). Local.
  func conjugateGradientBlock(count c: Int, state s: AgentState) {
    let T = parameters.cgIterations, m = self.m, L = SmallMatrix.lanes
    slots.withUnsafeBufferPointer { sl in
      hess.withUnsafeBufferPointer { hp in
        grad.withUnsafeBufferPointer { gr in
          s.v.withUnsafeMutableBufferPointer { vp in
            laneB.withUnsafeMutableBufferPointer { bp in
              laneX.withUnsafeMutableBufferPointer { xp in
                laneScratch.withUnsafeMutableBufferPointer { wp in
                  let b = bp.baseAddress!, x = xp.baseAddress!
                  var a0 = 0
                  while a0 < c {
                    let n = min(L, c - a0)
                    if n < L {
                      b.update(repeating: 0, count: m * L)
                      x.update(repeating: 0, count: m * L)
                    }
                    for l in 0..<n {
                      let gra = gr.baseAddress! + (a0 + l) * m, va = vp.baseAddress! + sl[a0 + l] * m
                      for k in 0..<m {
                        b[k * L + l] = gra[k]
                        x[k * L + l] = va[k]
                      }
                    }
                    SmallMatrix.conjugateGradient8(h: hp.baseAddress! + a0 * m * m, b: b, v: x, m: m, iterations: T,
                                                   scratch: wp.baseAddress!)
                    for l in 0..<n { for k in 0..<m { vp[sl[a0 + l] * m + k] = x[k * L + l] } }
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
