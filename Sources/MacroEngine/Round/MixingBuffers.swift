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
  /// Scratch (pieces of the updater's `agentScratch`): the neighbour sums (m each), and for a
  /// chunk of `moveChunk` agents φ(x^old), φ(x^new) (m per agent), J_φ (m·d per agent) and
  /// the points (d per agent).
  let sumSigma: UnsafeMutablePointer<Double>
  let sumTheta: UnsafeMutablePointer<Double>
  let phiOld: UnsafeMutablePointer<Double>
  let phiNew: UnsafeMutablePointer<Double>
  let jac: UnsafeMutablePointer<Double>
  let points: UnsafeMutablePointer<Double>
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
                        let w = sc.baseAddress!, m = self.m, c = Self.moveChunk
                        let phiOld = w + 2 * m, phiNew = phiOld + c * m, jac = phiNew + c * m
                        return body(MixingBuffers(
                          x: x.baseAddress!, x0: x0.baseAddress!, v: v.baseAddress!, sigma: sg.baseAddress!,
                          theta: th.baseAddress!, sigmaNext: sn.baseAddress!, thetaNext: tn.baseAddress!,
                          slots: rs.baseAddress!, weights: rw.baseAddress!, sumSigma: w, sumTheta: w + m,
                          phiOld: phiOld, phiNew: phiNew, jac: jac, points: jac + c * m * d))
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
