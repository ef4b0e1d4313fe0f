// TargetTable: OUT/target.json — the target and fitted densities on a grid, and KL(target ‖ fit).
import Foundation
import MacroCore
import MacroEngine

/// The target density and fitted densities p_θ* of a 2-D run tabulated on a regular grid over
/// X = [-1,1]² (what `scripts/plot` draws), and the forward KL divergence of a fit. Local.
///
/// `target.json` (written by rank 0 when a run starts, and again when it ends):
/// ```
/// { "x": [121 values], "y": [121 values], "density": [[…] × 121],   density[i][j] at (x[j], y[i])
///   "normalization": "fine Gauss-Legendre rule (120 nodes per axis)",
///   "fit":         {"round": R, "x", "y", "density"},   p_θ* of the latest diagnostic round
///   "fit_initial": {"round": 0, "x", "y", "density"},   p_θ* of the initial positions
///   "kl_target_fit_initial": KL(p_t ‖ p_θ*(x⁰)), "kl_target_fit": KL at round R,
///   "kl_target_fit_final": KL at the last round (only once the run has ended), "complete": bool }
/// ```
/// The target is normalized with the fine tensor Gauss–Legendre rule of the target moments,
/// a fit p_θ(y) = exp(θᵀφ(y) − A(θ)) with the run's own rule (n_q), so both integrate to 1
/// on X up to quadrature error (not renormalized on the grid). Densities are rounded to 6
/// significant digits.
public struct TargetTable: Sendable {
  /// Grid points per axis (spacing 2/120).
  public static let defaultGridPoints = 121

  /// The grid coordinates of either axis, ascending from −1 to 1.
  public let axis: [Double]
  /// The normalized target density, row-major: `target[i * n + j]` at (axis[j], axis[i]).
  public let target: [Double]
  let problem: MacroProblem

  /// nil when the problem is not 2-D (no table).
  public init?(problem: MacroProblem, target t: TargetDensity, gridPoints n: Int = TargetTable.defaultGridPoints) {
    guard problem.dimension == 2, t.dimension == 2, n >= 2 else { return nil }
    self.problem = problem
    axis = (0..<n).map { -1 + 2 * Double($0) / Double(n - 1) }
    // log Z of the target by the fine rule of TargetMoments.
    let fine = TensorQuadrature(dimension: 2, nodesPerAxis: Scenario.fineNodes(dimension: 2))
    var logp = [Double](repeating: 0, count: fine.count)
    fine.nodes.withUnsafeBufferPointer { nd in
      for q in 0..<fine.count { logp[q] = t.logDensity(at: nd.baseAddress! + 2 * q) }
    }
    let mx = logp.max() ?? 0
    var z = 0.0
    for q in 0..<fine.count { z += fine.weights[q] * exp(logp[q] - mx) }
    let logZ = mx + log(z)
    var values = [Double](repeating: 0, count: n * n)
    var y = [0.0, 0.0]
    for i in 0..<n {
      for j in 0..<n {
        y[0] = axis[j]
        y[1] = axis[i]
        values[i * n + j] = exp(y.withUnsafeBufferPointer { t.logDensity(at: $0.baseAddress!) } - logZ)
      }
    }
    target = values
  }

  /// p_θ(y) = exp(θᵀφ(y) − A(θ)) on the grid (same layout as ``target``), A by the run's rule.
  public func fittedDensity(theta: [Double]) -> [Double] {
    let n = axis.count, m = problem.m
    let a = problem.evaluate(theta).logPartition
    var points = [Double](repeating: 0, count: 2 * n * n)
    for i in 0..<n {
      for j in 0..<n {
        points[2 * (i * n + j)] = axis[j]
        points[2 * (i * n + j) + 1] = axis[i]
      }
    }
    let phi = problem.family.basis.evaluate(points: points).values
    return (0..<(n * n)).map { p in
      var z = -a
      for k in 0..<m { z += theta[k] * phi[p * m + k] }
      return exp(z)
    }
  }

  /// KL(p_target ‖ p_θ) = E_t[log p_t] − θᵀμ_t + A(θ): E_t and μ_t from the fine rule of the
  /// target moments, A from the run's rule — exactly the forward-KL cost U(θ) (so F = KL at
  /// θ*(s(x)) for the forward KL without motion cost), whatever `upper.cost` the run uses.
  public static func kl(problem: MacroProblem, target moments: TargetMoments, theta: [Double]) -> Double {
    MacroCost(kind: .forwardKL, target: moments)
      .value(theta: theta, logPartition: problem.evaluate(theta).logPartition, mean: [], pi: [])
  }

  /// θ*(s(x)) for all agents' positions `x` (N × d, any order), solved from zero. Local.
  public static func thetaStar(problem: MacroProblem, positions x: [Double]) throws -> [Double] {
    let n = x.count / max(1, problem.dimension)
    var s = x.withUnsafeBufferPointer { p in p.baseAddress.map { problem.sumOfFeatures(x: $0, count: n) } } ?? []
    for k in 0..<s.count { s[k] /= Double(max(1, n)) }
    return try problem.solveLowerLevel(s: s).point.theta
  }

  /// One fit as stored in target.json.
  public struct Fit: Sendable {
    public var round: Int
    public var theta: [Double]
    public init(round: Int, theta: [Double]) {
      self.round = round
      self.theta = theta
    }
  }

  /// The target.json document. `complete`: the run has ended and `fit` is its last round.
  public func json(initial: Fit, latest: Fit?, complete: Bool, target moments: TargetMoments) -> JSONValue {
    let axisJSON = JSONValue.array(axis.map { .number($0) })
    func grid(_ values: [Double]) -> JSONValue {
      let n = axis.count
      return .array((0..<n).map { i in .array((0..<n).map { j in .number(Self.rounded(values[i * n + j])) }) })
    }
    func fit(_ f: Fit) -> JSONValue {
      .object([("round", .int(f.round)), ("x", axisJSON), ("y", axisJSON), ("density", grid(fittedDensity(theta: f.theta)))])
    }
    var fields: [(String, JSONValue)] = [
      ("x", axisJSON), ("y", axisJSON), ("density", grid(target)),
      ("normalization", .string("fine Gauss-Legendre rule (\(Scenario.fineNodes(dimension: 2)) nodes per axis); fits by the run's rule")),
      ("fit_initial", fit(initial)),
      ("kl_target_fit_initial", .number(Self.kl(problem: problem, target: moments, theta: initial.theta))),
    ]
    if let latest {
      let k = Self.kl(problem: problem, target: moments, theta: latest.theta)
      fields += [("fit", fit(latest)), ("kl_target_fit", .number(k))]
      if complete { fields.append(("kl_target_fit_final", .number(k))) }
    }
    fields.append(("complete", .bool(complete)))
    return .object(fields)
  }

  /// `v` to 6 significant digits (smaller file; plots need no more).
  static func rounded(_ v: Double) -> Double {
    guard v.isFinite, v != 0 else { return v }
    return Double(String(format: "%.6g", v)) ?? v
  }
}
