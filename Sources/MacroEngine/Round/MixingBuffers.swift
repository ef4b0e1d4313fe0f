/// The arrays a consensus step touches, as base pointers taken once per sweep over a list of
/// agents (issue 17): the per-agent move and neighbour sums then carry no dynamic exclusivity
/// checks, retains or bounds checks — measured at about a sixth of the mixing phase when
/// every agent took its own `withUnsafe…BufferPointer` of every class-held array.
struct MixingBuffers {
  let x: UnsafeMutablePointer<Double>
  let x0: UnsafePointer<Double>
  let v: UnsafePointer<Double>
  let sigma: UnsafeMutablePointer<Double>
  let theta: UnsafeMutablePointer<Double>
  let sigmaNext: UnsafeMutablePointer<Double>
  let thetaNext: UnsafeMutablePointer<Double>
  /// The mixing rows' neighbour slots and weights.
  let slots: UnsafePointer<Int32>
  let weights: UnsafePointer<Double>
  /// Per-agent scratch (pieces of the updater's `agentScratch`): φ(x^old), φ(x^new) (m), J_φ
  /// (m·d), the neighbour sums (m).
  let phiOld: UnsafeMutablePointer<Double>
  let phiNew: UnsafeMutablePointer<Double>
  let jac: UnsafeMutablePointer<Double>
  let sumSigma: UnsafeMutablePointer<Double>
  let sumTheta: UnsafeMutablePointer<Double>
}

extension AgentUpdater {
  /// Runs `body` with the pointers of `s`'s arrays, `rows`' arrays and this updater's
  /// per-agent scratch. The pointers are valid only inside `body`, which must not reach these
  /// arrays through their properties. Local.
  func withMixingBuffers<R>(state s: AgentState, rows: MixingRows, _ body: (MixingBuffers) -> R) -> R {
    s.x.withUnsafeMutableBufferPointer { x in
      s.x0.withUnsafeBufferPointer { x0 in
        s.v.withUnsafeBufferPointer { v in
          s.sigma.withUnsafeMutableBufferPointer { sg in
            s.theta.withUnsafeMutableBufferPointer { th in
              s.sigmaNext.withUnsafeMutableBufferPointer { sn in
                s.thetaNext.withUnsafeMutableBufferPointer { tn in
                  rows.slots.withUnsafeBufferPointer { rs in
                    rows.weights.withUnsafeBufferPointer { rw in
                      agentScratch.withUnsafeMutableBufferPointer { sc in
                        let w = sc.baseAddress!, m = self.m
                        return body(MixingBuffers(
                          x: x.baseAddress!, x0: x0.baseAddress!, v: v.baseAddress!, sigma: sg.baseAddress!,
                          theta: th.baseAddress!, sigmaNext: sn.baseAddress!, thetaNext: tn.baseAddress!,
                          slots: rs.baseAddress!, weights: rw.baseAddress!, phiOld: w, phiNew: w + m,
                          jac: w + 4 * m, sumSigma: w + 2 * m, sumTheta: w + 3 * m))
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
