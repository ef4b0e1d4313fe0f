import Foundation
import BLASKit

/// The exponential family p_θ(y) ∝ exp(θᵀφ(y)) on [-1,1]^d, discretized by one tensor
/// Gauss–Legendre rule, with the tables every kernel needs computed once:
///
/// * `phi`  — Φ_Q (Q×m): the basis at the nodes;
/// * `logWeights` — log w_q, so that A(θ) = log Σ_q w_q exp(θᵀφ(y_q)) by log-sum-exp;
/// * `psi`  — Ψ_Q (Q×M2): the orthonormal basis of total degree 0…2K at the nodes, and
///   `gramCoefficients` (M2×P, P = m(m+1)/2): c_{kl,r} = ∫ φ_k φ_l ψ_r. Because φ_kφ_l is a
///   polynomial of total degree ≤ 2K, φ_kφ_l = Σ_r c_{kl,r} ψ_r exactly, so the second
///   moments Σ_q π_q φ_k φ_l = Σ_r c_{kl,r} (πᵀΨ)_r: the Hessian of a block of agents costs two
///   DGEMMs instead of a SYRK per agent.
///
/// Immutable and shared by all threads; kernels take a `ExpFamilyWorkspace` for scratch.
/// Every batched BLAS call uses exactly `blockSize` rows (callers pad partial blocks), so a
/// row's bits do not depend on how many agents share its block (DESIGN §3, determinism).
public final class ExpFamily: Sendable {
  public let basis: LegendreBasis
  public let quadrature: TensorQuadrature
  public let lambda: Double
  public let blockSize: Int
  /// m.
  public let m: Int
  /// Q.
  public let q: Int
  /// Q×m.
  public let phi: [Double]
  public let logWeights: [Double]
  /// Basis of total degree 0…2K (constant first).
  public let momentBasis: LegendreBasis
  /// Q×M2.
  public let psi: [Double]
  /// M2 × P, P = m(m+1)/2, upper triangle of (k,l) packed row by row.
  public let gramCoefficients: [Double]
  /// The nonzero pattern of `gramCoefficients` (what the Hessian assembly multiplies).
  public let gram: SparseGram
  /// Column of ψ that equals φ_k (φ ⊂ ψ with the same normalization).
  public let meanColumns: [Int]

  /// Sum factorization of the moments for d = 2 (DESIGN §2): the 1-D table of p̂_0…p̂_2K at
  /// the n_q nodes (n_q × J, J = 2K+1), and (`tensorPositions`) for each ψ_r = p̂_a ⊗ p̂_c its
  /// position a·J_p + c in an agent's J×J_p array L2ᵀ Π L2 (J_p = `paddedTableColumns`). Empty
  /// for d ≠ 2 (the plain π Ψ DGEMM is used there).
  public let tensorTable: [Double]
  /// `tensorTable` transposed (J × n_q), so that stage 2 of the moments and of Z are plain NN
  /// products (OpenBLAS's small-matrix kernel, no β = 0 memset of C as on its general path).
  public let tensorTableT: [Double]
  /// `tensorTable` with its J columns padded by zeros to `paddedTableColumns` (a multiple of 8):
  /// the B for stage 1 of the moments. OpenBLAS's small-matrix kernel runs 13 columns as a full
  /// and a masked vector at 66 GFLOP/s, 16 columns at 115 (so the padded product is 30% faster
  /// with 23% more flops); every column is the same k-ordered fused multiply-add chain, so the
  /// first J columns have the bits of the unpadded product (`ComputeMomentsTests` checks the moments).
  public let tensorTablePadded: [Double]
  public let tensorPositions: [Int]
  /// For each φ_k = p̂_a ⊗ p̂_c its position a·(K+1) + c in the (K+1)×(K+1) array Θ̂ of
  /// `computeLinearPredictor` (d = 2; empty otherwise).
  public let predictorPositions: [Int]
  /// d = 3: the 1-D table transposed, Lᵀ[c, q] = p̂_c(node q) for c ≤ K ((K+1) × n_q), and for
  /// each φ_k = p̂_a ⊗ p̂_b ⊗ p̂_c its offset (b(K+1) + c)(K+1) + a in an agent's Θ̂
  /// (`computeLinearPredictor3D`). Empty otherwise.
  public let axisTableT: [Double]
  public let predictorOffsets3D: [Int]
  /// Whether Z = ΘΦᵀ is sum-factorized (d = 2, 3; else the plain DGEMM).
  public var predictorSumFactorized: Bool { usesSumFactorization || !axisTableT.isEmpty }
  public var usesSumFactorization: Bool { !tensorTable.isEmpty }

  public var momentCount: Int { momentBasis.count }

  /// Columns of `tensorTablePadded`: J = 2K+1 rounded up to a multiple of 8 (one AVX-512
  /// vector of doubles); 0 without sum factorization.
  public var paddedTableColumns: Int { usesSumFactorization ? Self.paddedColumns(2 * basis.degree + 1) : 0 }
  static func paddedColumns(_ j: Int) -> Int { (j + 7) / 8 * 8 }

  /// Flops of `computeMoments` per agent: 2 n_q² J + 2 n_q J² with sum factorization
  /// (J = 2K+1), else 2 Q M2.
  public var momentFlopsPerAgent: Double {
    if usesSumFactorization {
      let n = Double(quadrature.nodesPerAxis), J = Double(2 * basis.degree + 1)
      return 2 * n * n * J + 2 * n * J * J
    }
    return 2 * Double(q) * Double(momentCount)
  }
  public var packedCount: Int { m * (m + 1) / 2 }

  public init(dimension d: Int, degree K: Int, quadratureNodes nq: Int, lambda: Double,
              blockSize: Int = 64) {
    basis = LegendreBasis(dimension: d, degree: K)
    quadrature = TensorQuadrature(dimension: d, nodesPerAxis: nq)
    self.lambda = lambda
    self.blockSize = blockSize
    m = basis.count
    q = quadrature.count
    phi = basis.evaluate(points: quadrature.nodes).values
    logWeights = quadrature.weights.map { log($0) }
    momentBasis = LegendreBasis(dimension: d, degree: 2 * K, includeConstant: true)
    psi = momentBasis.evaluate(points: quadrature.nodes).values
    // Column of ψ equal to φ_k: same exponents.
    let md = momentBasis
    let b = basis
    meanColumns = (0..<b.count).map { k in
      let e = Array(b.exponents[(k * d)..<((k + 1) * d)])
      return (0..<md.count).first { r in Array(md.exponents[(r * d)..<((r + 1) * d)]) == e } ?? -1
    }
    // c_{kl,r} by a rule exact for per-axis degree 4K.
    let exact = TensorQuadrature(dimension: d, nodesPerAxis: 2 * K + 1)
    let ph = basis.evaluate(points: exact.nodes).values
    let ps = momentBasis.evaluate(points: exact.nodes).values
    let M2 = momentBasis.count, P = m * (m + 1) / 2, m_ = m
    var c = [Double](repeating: 0, count: M2 * P)
    for node in 0..<exact.count {
      let w = exact.weights[node]
      var col = 0
      for k in 0..<m_ {
        for l in k..<m_ {
          let f = w * ph[node * m_ + k] * ph[node * m_ + l]
          for r in 0..<M2 { c[r * P + col] += f * ps[node * M2 + r] }
          col += 1
        }
      }
    }
    gramCoefficients = c
    gram = SparseGram(basis: b, momentBasis: md, dense: c)
    if d == 2 {
      let J = 2 * K + 1
      let table = Self.axisTable(nodes: nq, degree: 2 * K)
      tensorTable = table
      tensorTableT = Self.transposed(table, rows: nq, columns: J)
      let Jp = Self.paddedColumns(J)
      tensorTablePadded = (0..<(nq * Jp)).map { i in i % Jp < J ? table[(i / Jp) * J + i % Jp] : 0 }
      tensorPositions = (0..<md.count).map { r in md.exponents[r * 2] * Jp + md.exponents[r * 2 + 1] }
      predictorPositions = (0..<b.count).map { k in b.exponents[k * 2] * (K + 1) + b.exponents[k * 2 + 1] }
    } else {
      tensorTable = []
      tensorTableT = []
      tensorTablePadded = []
      tensorPositions = []
      predictorPositions = []
    }
    if d == 3 {
      let K1 = K + 1
      axisTableT = Self.transposed(Self.axisTable(nodes: nq, degree: K), rows: nq, columns: K1)
      predictorOffsets3D = (0..<b.count).map { k in
        let e = b.exponents
        return (e[k * 3 + 1] * K1 + e[k * 3 + 2]) * K1 + e[k * 3]
      }
    } else {
      axisTableT = []
      predictorOffsets3D = []
    }
  }

  init(copying f: ExpFamily, blockSize b: Int) {
    basis = f.basis; quadrature = f.quadrature; lambda = f.lambda; blockSize = b
    m = f.m; q = f.q; phi = f.phi; logWeights = f.logWeights; momentBasis = f.momentBasis
    psi = f.psi; gramCoefficients = f.gramCoefficients; gram = f.gram; meanColumns = f.meanColumns
    tensorTable = f.tensorTable; tensorTableT = f.tensorTableT
    tensorTablePadded = f.tensorTablePadded; tensorPositions = f.tensorPositions
    predictorPositions = f.predictorPositions
    axisTableT = f.axisTableT; predictorOffsets3D = f.predictorOffsets3D
  }

  public func makeWorkspace() -> ExpFamilyWorkspace { ExpFamilyWorkspace(self) }

  /// The 1-D orthonormal Legendre table of the sum factorizations: p̂_0…p̂_degree at the n
  /// Gauss–Legendre nodes, n × (degree + 1) row-major.
  static func axisTable(nodes n: Int, degree: Int) -> [Double] {
    let J = degree + 1, nodes = GaussLegendre(nodes: n).nodes1D
    var table = [Double](repeating: 0, count: n * J)
    table.withUnsafeMutableBufferPointer { tp in
      for j in 0..<n { Legendre1D.evaluate(nodes[j], degree: degree, values: tp.baseAddress! + j * J, derivatives: nil) }
    }
    return table
  }

  /// `a` (rows × columns, row-major) transposed.
  static func transposed(_ a: [Double], rows: Int, columns: Int) -> [Double] {
    (0..<(rows * columns)).map { i in a[(i % rows) * columns + i / rows] }
  }
}

/// Scratch buffers for one thread's use of an `ExpFamily` (block-sized). Not shareable.
public final class ExpFamilyWorkspace {
  public let blockSize: Int
  /// B×Q scratch for H v.
  var t: [Double]
  /// B×M2 moments.
  var moments: [Double]
  /// B values 1/Σ_q e_q of the unscaled log-sum-exp rows (`computeExpFamilyWithHessian`).
  var inverseSums: [Double]
  /// Scratch of the vectorized Hessian assembly (`SmallMatrix.assembleScratchCount`: two groups' moments and μ in lanes).
  var assembleScratch: [Double]
  /// Sum-factorization scratch: d = 2 B·n_q×J_p (the moments' first stage, and Z's W) and
  /// B·J×J_p; d = 3 two B·n_q·(K+1)·max(n_q, K+1) arrays.
  var stage1: [Double]
  var stage1T: [Double]
  var stage2: [Double]
  /// Sum factorization of Z: Θ̂ per agent ((K+1)² for d = 2, (K+1)³ for d = 3), zero where no φ_k maps.
  var thetaHat: [Double]
  init(_ f: ExpFamily) {
    blockSize = f.blockSize
    t = [Double](repeating: 0, count: f.blockSize * f.q)
    moments = [Double](repeating: 0, count: f.blockSize * f.momentCount)
    inverseSums = [Double](repeating: 0, count: f.blockSize)
    assembleScratch = [Double](repeating: 0, count: SmallMatrix.assembleScratchCount(m: f.m, momentCount: f.momentCount))
    let J = 2 * f.basis.degree + 1, Jp = f.paddedTableColumns
    let K1 = f.basis.degree + 1
    let n = f.quadrature.nodesPerAxis
    // d = 2: stage1 also holds Z's W (B·n_q×(K+1), K+1 ≤ J_p).
    var big = f.usesSumFactorization ? f.blockSize * n * Jp : 0
    var hat = f.usesSumFactorization ? f.blockSize * K1 * K1 : 0
    if !f.axisTableT.isEmpty {
      big = f.blockSize * n * K1 * max(n, K1)
      hat = f.blockSize * K1 * K1 * K1
    }
    stage1 = [Double](repeating: 0, count: big)
    stage1T = f.axisTableT.isEmpty ? [] : stage1
    stage2 = [Double](repeating: 0, count: f.usesSumFactorization ? f.blockSize * J * Jp : 0)
    thetaHat = [Double](repeating: 0, count: hat)
  }
}
