import Foundation
import BLASKit

extension ExpFamily {
  /// Evaluates the family for a block: Z = Θ Φ_Qᵀ (one DGEMM), then per row by log-sum-exp
  /// A = log Σ_q w_q e^{z_q}, π_q = w_q e^{z_q − A}, and μ = π Φ_Q (one DGEMM).
  ///
  /// - Parameters:
  ///   - theta: in, `blockSize × m` (rows ≥ `count` are padding: finite, ignored).
  ///   - count: number of meaningful rows (≤ blockSize).
  ///   - logPartition: out, `count` values A(θ_b).
  ///   - mean: out, `blockSize × m` μ(θ_b) (padding rows hold garbage).
  ///   - pi: out, `blockSize × Q` normalized node weights π(θ_b).
  /// Local. Bits of row b depend only on row b (fixed block size).
  public func computeExpFamily(
    theta: UnsafePointer<Double>, count: Int,
    logPartition: UnsafeMutablePointer<Double>,
    mean: UnsafeMutablePointer<Double>, pi: UnsafeMutablePointer<Double>
  ) {
    precondition(count <= blockSize)
    let B = blockSize, Q = q
    phi.withUnsafeBufferPointer { ph in
      BLAS.dgemm(.none, .transpose, m: B, n: Q, k: m, alpha: 1, a: theta, lda: m,
                 b: ph.baseAddress!, ldb: m, beta: 0, c: pi, ldc: Q)
    }
    normalizeRows(pi, count: count, logPartition: logPartition)
    phi.withUnsafeBufferPointer { ph in
      BLAS.dgemm(.none, .none, m: B, n: m, k: Q, alpha: 1, a: pi, lda: Q,
                 b: ph.baseAddress!, ldb: m, beta: 0, c: mean, ldc: m)
    }
  }

  /// H v for a block: H = Φᵀ diag(π) Φ − μμᵀ + λI applied matrix-free,
  /// `out_b = Φᵀ(π_b ∘ Φ v_b) − μ_b (μ_bᵀ v_b) + λ v_b` (two DGEMMs).
  /// in: pi (B×Q), mean (B×m), v (B×m); out: out (B×m). Local.
  public func computeHessianVector(
    pi: UnsafePointer<Double>, mean: UnsafePointer<Double>, v: UnsafePointer<Double>,
    count: Int, out: UnsafeMutablePointer<Double>, workspace ws: ExpFamilyWorkspace
  ) {
    let B = blockSize, Q = q, m = self.m, lam = lambda
    phi.withUnsafeBufferPointer { ph in
      ws.t.withUnsafeMutableBufferPointer { tb in
        let t = tb.baseAddress!
        BLAS.dgemm(.none, .transpose, m: B, n: Q, k: m, alpha: 1, a: v, lda: m,
                   b: ph.baseAddress!, ldb: m, beta: 0, c: t, ldc: Q)
        for j in 0..<(B * Q) { t[j] *= pi[j] }
        BLAS.dgemm(.none, .none, m: B, n: m, k: Q, alpha: 1, a: t, lda: Q,
                   b: ph.baseAddress!, ldb: m, beta: 0, c: out, ldc: m)
      }
    }
    for b in 0..<count {
      let mu = mean + b * m, vb = v + b * m, o = out + b * m
      var dot = 0.0
      for k in 0..<m { dot += mu[k] * vb[k] }
      for k in 0..<m { o[k] += lam * vb[k] - mu[k] * dot }
    }
  }

  /// The explicit Hessian H = C(θ) + λI for a block (B×m×m, full symmetric), from π and μ,
  /// by the moment identity: moments = π Ψ (DGEMM), packed Gram = moments · c (DGEMM),
  /// H = Gram − μμᵀ + λI. Local.
  public func computeHessian(
    pi: UnsafePointer<Double>, mean: UnsafePointer<Double>, count: Int,
    out: UnsafeMutablePointer<Double>, workspace ws: ExpFamilyWorkspace
  ) {
    assembleHessian(pi: pi, mean: UnsafeMutablePointer(mutating: mean), extractMean: false,
                    count: count, out: out, workspace: ws)
  }

  /// C(θ) + λI for one agent by SYRK of √π ∘ Φ_Q (Q·m² flops; DESIGN's plain route, kept as
  /// the cross-check for `computeHessian`). `scratch` holds Q×m. Local.
  public func computeHessianSYRK(
    pi: UnsafePointer<Double>, mean: UnsafePointer<Double>,
    out: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
  ) {
    let Q = q, m = self.m
    phi.withUnsafeBufferPointer { ph in
      for j in 0..<Q {
        let s = pi[j].squareRoot()
        for k in 0..<m { scratch[j * m + k] = s * ph[j * m + k] }
      }
    }
    BLAS.dsyrk(.transpose, n: m, k: Q, alpha: 1, a: scratch, lda: m, beta: 0, c: out, ldc: m)
    for k in 0..<m {
      for l in k..<m {
        var v = out[k * m + l] - mean[k] * mean[l]
        if k == l { v += lambda }
        out[k * m + l] = v
        out[l * m + k] = v
      }
    }
  }
}
