import BLASKit

extension ExpFamily {
  /// Z = Θ Φ_Qᵀ for a block (B×Q, row b = θ_bᵀφ(y_q) over the nodes), for d = 3 by
  /// `computeLinearPredictor3D`, for d = 2 by sum factorization (issue 17): with Θ̂_b the (K+1)×(K+1) array of θ_b's coefficients
  /// (φ_k = p̂_a ⊗ p̂_c at position (a, c), zeros elsewhere) and L the n_q×(K+1) 1-D table,
  /// Z_b = L Θ̂_b Lᵀ: W_b = L Θ̂_b (a small DGEMM per agent), then Z = [W_1ᵀ … W_Bᵀ]ᵀ Lᵀ (one DGEMM)
  /// — 2n_q(K+1)² + 2n_q²(K+1) flops per agent instead of 2Qm. Otherwise the plain DGEMM
  /// (`computeLinearPredictorReference`). Every BLAS call has fixed shapes, so a row's bits
  /// do not depend on its position in the block. Local.
  public func computeLinearPredictor(theta: UnsafePointer<Double>, out z: UnsafeMutablePointer<Double>,
                                     workspace ws: ExpFamilyWorkspace) {
    if !axisTableT.isEmpty {
      computeLinearPredictor3D(theta: theta, out: z, workspace: ws)
      return
    }
    guard usesSumFactorization else {
      computeLinearPredictorReference(theta: theta, out: z)
      return
    }
    let B = blockSize, m = self.m, n = quadrature.nodesPerAxis, K1 = basis.degree + 1, J = 2 * basis.degree + 1
    let KK = K1 * K1
    tensorTable.withUnsafeBufferPointer { L in
      predictorPositions.withUnsafeBufferPointer { off in
        ws.thetaHat.withUnsafeMutableBufferPointer { th in
          ws.stage1.withUnsafeMutableBufferPointer { s1 in
            // Θ̂_b, (K+1)×(K+1) per agent (the entries no φ_k maps to stay 0 from the workspace's init).
            let t = th.baseAddress!, w = s1.baseAddress!
            for b in 0..<B {
              let src = theta + b * m, tb = t + b * KK
              for k in 0..<m { tb[off[k]] = src[k] }
            }
            // W_b = L Θ̂_b, n_q×(K+1) per agent, written where the second product reads it
            // (W[(b, q1), c]): one small product per agent instead of one for the block and a
            // transposing copy (same products in the same order, same bits; 5% faster).
            for b in 0..<B {
              BLAS.dgemm(.none, .none, m: n, n: K1, k: K1, alpha: 1, a: L.baseAddress!, lda: J,
                         b: t + b * KK, ldb: K1, beta: 0, c: w + b * n * K1, ldc: K1)
            }
            // Z[(b, q1), q2] = Σ_c W[(b, q1), c] Lᵀ[c, q2] (an NN product: OpenBLAS's small-matrix
            // kernel; the NT form took its general path, whose β = 0 memset of the 400 KB Z cost
            // as much as the product)
            tensorTableT.withUnsafeBufferPointer { LT in
              BLAS.dgemm(.none, .none, m: B * n, n: n, k: K1, alpha: 1, a: w, lda: K1,
                         b: LT.baseAddress!, ldb: n, beta: 0, c: z, ldc: n)
            }
          }
        }
      }
    }
  }

  /// Z = Θ Φ_Qᵀ by one DGEMM (B×Q×m): the plain route, and the reference twin of
  /// `computeLinearPredictor`. Local.
  public func computeLinearPredictorReference(theta: UnsafePointer<Double>, out z: UnsafeMutablePointer<Double>) {
    phi.withUnsafeBufferPointer { ph in
      BLAS.dgemm(.none, .transpose, m: blockSize, n: q, k: m, alpha: 1, a: theta, lda: m,
                 b: ph.baseAddress!, ldb: m, beta: 0, c: z, ldc: q)
    }
  }

  /// Flops of `computeLinearPredictor` per agent.
  public var linearPredictorFlopsPerAgent: Double {
    let n = Double(quadrature.nodesPerAxis), k1 = Double(basis.degree + 1)
    if !axisTableT.isEmpty { return 2 * n * k1 * k1 * k1 + 2 * n * n * k1 * k1 + 2 * n * n * n * k1 }
    guard usesSumFactorization else { return 2 * Double(q * m) }
    return 2 * n * k1 * k1 + 2 * n * n * k1
  }
}
