// The small dense kernels of the Newton round (CVecMath's smallmatrix.c, issue 17), typed:
// the sparse Hessian assembly of a block, and a Cholesky solve and truncated CG batched over 8
// agents in vector lanes. Every variant gives the same bits; `variant: nil` uses the widest
// this CPU has, another variant returns false (nothing done) when this CPU lacks it. Twins:
// the plain Swift loops in MacroCore (`ExpFamily.assembleHessianPlain`,
// `ConjugateGradient.solve`: the same bits) and LAPACK's dpotrf/dpotrs.
//
// Lanes layout of a block's m×m matrices: agent a = 8g + l, entry (k, j) at
// [(g·m·m + k·m + j)·8 + l]; m-vectors at [(g·m + k)·8 + l].
import CVecMath

public enum SmallMatrix {
  /// Agents per group of the lanes layout.
  public static let lanes = 8

  /// Index of entry (k, j) of agent a's m×m matrix in the lanes layout.
  @inline(__always)
  public static func lanesIndex(agent a: Int, row k: Int, column j: Int, m: Int) -> Int {
    ((a >> 3) * m * m + k * m + j) * 8 + (a & 7)
  }

  /// Up to 8 agents' m×m matrices (row-major) and m-vectors in the lanes layout of one group
  /// (unused lanes zero), by plain loops: for tests and references. Local.
  public static func packLanes(matrices: [[Double]], vectors: [[Double]], m: Int) -> (matrices: [Double], vectors: [Double]) {
    var a = [Double](repeating: 0, count: lanesCount(agents: lanes, m: m))
    var x = [Double](repeating: 0, count: m * lanes)
    for (l, h) in matrices.prefix(lanes).enumerated() {
      for k in 0..<m { for j in 0..<m { a[lanesIndex(agent: l, row: k, column: j, m: m)] = h[k * m + j] } }
    }
    for (l, v) in vectors.prefix(lanes).enumerated() { for k in 0..<m { x[k * lanes + l] = v[k] } }
    return (a, x)
  }

  /// Doubles of a block of `count` agents' m×m matrices in the lanes layout.
  public static func lanesCount(agents count: Int, m: Int) -> Int { (count + 7) / 8 * 8 * m * m }

  /// H_b = Σ_r c_{kl,r} moments_b[r] − μ_bμ_bᵀ + λI for b < count, the sum over the CSR pattern
  /// (start, rows, values) of the packed columns; into `out` agent-major (count×m×m) or, with
  /// `lanesLayout`, in the lanes layout, upper triangle only (lanes past `count` hold λI). `scratch`:
  /// `assembleScratchCount` doubles. Local.
  @discardableResult
  public static func assembleHessian(count: Int, m: Int, momentCount M2: Int, moments: UnsafePointer<Double>,
                                     mean: UnsafePointer<Double>, lambda: Double, start: UnsafePointer<Int>,
                                     rows: UnsafePointer<Int>, values: UnsafePointer<Double>, lanesLayout: Bool,
                                     scratch: UnsafeMutablePointer<Double>, out: UnsafeMutablePointer<Double>,
                                     variant: VectorMath.Variant? = nil) -> Bool {
    // Rows of M2 moments one after another; without meanColumns μ is only read.
    assembleHessian(count: count, m: m, momentCount: M2, moments: moments, agentStride: M2, offsets: nil, scale: nil,
                    meanColumns: nil, mean: UnsafeMutablePointer(mutating: mean), lambda: lambda, start: start,
                    rows: rows, values: values, lanesLayout: lanesLayout, scratch: scratch, out: out,
                    variant: variant)
  }

  /// `assembleHessian` with the moments gathered where they lie: moment r of agent b is
  /// `moments[b·agentStride + offsets[r]]` (offsets nil: r), times `scale[b]` when given; with
  /// `meanColumns` (m indices) μ_b[k] is moment `meanColumns[k]`, written to `mean` agent-major,
  /// otherwise μ is read from `mean`. The same bits as `assembleHessian` on the gathered moments.
  /// Local.
  @discardableResult
  public static func assembleHessian(count: Int, m: Int, momentCount M2: Int, moments: UnsafePointer<Double>,
                                     agentStride: Int, offsets: UnsafePointer<Int>?, scale: UnsafePointer<Double>?,
                                     meanColumns: UnsafePointer<Int>?, mean: UnsafeMutablePointer<Double>,
                                     lambda: Double, start: UnsafePointer<Int>, rows: UnsafePointer<Int>,
                                     values: UnsafePointer<Double>, lanesLayout: Bool,
                                     scratch: UnsafeMutablePointer<Double>, out: UnsafeMutablePointer<Double>,
                                     variant: VectorMath.Variant? = nil) -> Bool {
    let pc = m * (m + 1) / 2 + 1
    return rebound(offsets, M2) { off in
      rebound(meanColumns, m) { mc in
        var source = csm_moment_source(moments: moments, agentStride: agentStride, offsets: off, scale: scale,
                                       meanColumns: mc)
        return start.withMemoryRebound(to: Int64.self, capacity: pc) { st in
          rows.withMemoryRebound(to: Int64.self, capacity: max(1, start[pc - 1])) { rw in
            csm_hessian_assemble_gather(variant?.rawValue ?? -1, count, m, M2, &source, mean, lambda, st, rw, values,
                                        lanesLayout ? 1 : 0, scratch, out) == 0
          }
        }
      }
    }
  }

  /// `body` with `p` (n values) seen as Int64 (nil stays nil).
  private static func rebound<R>(_ p: UnsafePointer<Int>?, _ n: Int, _ body: (UnsafePointer<Int64>?) -> R) -> R {
    guard let p else { return body(nil) }
    return p.withMemoryRebound(to: Int64.self, capacity: n) { body($0) }
  }

  /// Scratch doubles `assembleHessian` needs.
  public static func assembleScratchCount(m: Int, momentCount M2: Int) -> Int { 2 * (M2 + m) * 8 }

  /// Solves A_l x_l = b_l for the 8 agents of one group (a: m×m matrices in the lanes layout,
  /// upper triangle read, unchanged; x: m×8, b in, solutions out) by Cholesky. `scratch`: m·m·8
  /// doubles. Returns the mask of the lanes whose A is positive definite (bit l), or nil for a
  /// variant this CPU lacks. Local.
  public static func choleskySolve8(_ a: UnsafePointer<Double>, m: Int, _ x: UnsafeMutablePointer<Double>,
                                    scratch: UnsafeMutablePointer<Double>, variant: VectorMath.Variant? = nil) -> UInt8? {
    let rc = csm_cholesky_solve8(variant?.rawValue ?? -1, a, m, x, scratch)
    return rc < 0 ? nil : UInt8(truncatingIfNeeded: rc)
  }

  /// `ConjugateGradient.solve` (T iterations, warm start, the same bits) in each of the 8 lanes
  /// of one group (h: lanes layout, symmetric, upper triangle read; b, v: m×8). `scratch`: 3·m·8 doubles.
  /// False only for a variant this CPU lacks. Local.
  @discardableResult
  public static func conjugateGradient8(h: UnsafePointer<Double>, b: UnsafePointer<Double>,
                                        v: UnsafeMutablePointer<Double>, m: Int, iterations: Int,
                                        scratch: UnsafeMutablePointer<Double>,
                                        variant: VectorMath.Variant? = nil) -> Bool {
    csm_cg_solve8(variant?.rawValue ?? -1, h, b, v, m, Int32(iterations), scratch) == 0
  }
}
