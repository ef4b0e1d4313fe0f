/// Every allowed range of the configuration, in one place. The schema and the cross-key checks
/// read them from here, and the error messages print them, so a range changes in one line.
public enum ConfigLimits {
  // [agents]
  public static let agentCount = 2...1_000_000_000
  public static let dimension = 1...3
  public static let seed = 0...Int.max
  // [graph]
  public static let meanDegree = DoubleRule.positive  // and < agents.count when geometric
  public static let probability = DoubleRule.interval(0, 1, lowerOpen: true, upperOpen: false)
  // [basis]
  public static let degree = 1...12
  public static let quadratureNodes = 2...200  // and > basis.degree
  /// Largest tabulated Φ_Q (Q·m doubles): 2^27 doubles = 1 GiB.
  public static let quadratureTableMaxDoubles = 1 << 27
  // [lower]
  public static let lambda = DoubleRule.positive
  public static let gamma = DoubleRule.positive
  // [upper]
  public static let motionCost = DoubleRule.nonNegative
  // [target]
  public static let mixtureComponents = 1...64
  /// |Σ weights − 1| allowed.
  public static let weightSumTolerance = 1e-9
  /// Each coordinate of a mixture mean lies in X = [-1, 1].
  public static let meanCoordinate = -1.0...1.0
  /// |C_ij − C_ji| ≤ this × max |C| for a covariance to count as symmetric.
  public static let symmetryTolerance = 1e-12
  // [run]
  public static let rounds = 1...1_000_000_000
  public static let warmup = 0...1_000_000_000  // and <= run.rounds
  public static let alpha = DoubleRule.nonNegative  // 0 = agents frozen (pure estimation)
  public static let cgIterations = 1...1000
  public static let diagEvery = 1...1_000_000_000
  public static let consensusSteps = 1...1000
  // [output]
  public static let checkpointEvery = 0...1_000_000_000  // 0 = off
  public static let checkpointSeconds = DoubleRule.nonNegative  // 0 = off
  public static let keepCheckpoints = 1...1000
  public static let snapshotEvery = 0...1_000_000_000  // 0 = off

  /// "must be in 2...1000" / "must be >= 0" for an integer range.
  public static func text(_ range: ClosedRange<Int>) -> String {
    range.upperBound == Int.max
      ? "must be an integer >= \(range.lowerBound)"
      : "must be an integer in \(range.lowerBound)...\(range.upperBound)"
  }
}

/// The allowed set of a floating-point key. Non-finite values are never allowed.
public enum DoubleRule: Sendable, Equatable {
  case positive
  case nonNegative
  case interval(Double, Double, lowerOpen: Bool, upperOpen: Bool)

  public func contains(_ x: Double) -> Bool {
    guard x.isFinite else { return false }
    switch self {
    case .positive: return x > 0
    case .nonNegative: return x >= 0
    case let .interval(lo, hi, lowerOpen, upperOpen):
      return (lowerOpen ? x > lo : x >= lo) && (upperOpen ? x < hi : x <= hi)
    }
  }

  /// The message fragment, e.g. "must be > 0 and finite".
  public var text: String {
    switch self {
    case .positive: return "must be > 0 and finite"
    case .nonNegative: return "must be >= 0 and finite"
    case let .interval(lo, hi, lowerOpen, upperOpen):
      return "must be in \(lowerOpen ? "(" : "[")\(TOMLLiteral.double(lo)), "
        + "\(TOMLLiteral.double(hi))\(upperOpen ? ")" : "]")"
    }
  }
}
