import Foundation
import MacroCore

extension ConfigLoader {
  /// Checks every key's range (in canonical key order), then the rules that span keys:
  /// n_q > K and the size of Φ_Q, warmup ≤ rounds, Chebyshev mixing with ≥ 2 steps, the geometric mean degree against N,
  /// required input files (present, readable regular files), image targets in 2-D, and the
  /// mixture (component counts agree, means have d entries in [-1,1], covariances are d×d,
  /// symmetric and positive definite, weights ≥ 0 sum to 1). Local.
  ///
  /// The mixture arrays are checked even when `target.kind = "image"` (they are part of the
  /// config hash, and the defaults are valid in 2-D, the only dimension images allow).
  public static func validate(_ c: RunConfig) throws(ConfigError) {
    for field in ConfigSchema.fields { try field.check(c) }
    try checkBasis(c)
    try checkSchedule(c)
    try checkGraph(c)
    try checkFiles(c)
    try checkMixture(c)
  }

  private static func checkBasis(_ c: RunConfig) throws(ConfigError) {
    let k = c.basis.degree, nq = c.basis.quadratureNodes, d = c.agents.dimension
    guard nq > k else {
      throw .invalidValue(key: "basis.quadrature_nodes", value: String(nq),
                          allowed: "must be > basis.degree = \(k)")
    }
    // m = C(K+d, d) − 1 and Q = n_q^d; d ≤ 3, K ≤ 12, n_q ≤ 200 keep these exact in Int.
    var binomial = 1
    for i in 1...d { binomial = binomial * (k + i) / i }
    let m = binomial - 1
    var q = 1
    for _ in 0..<d { q *= nq }
    guard q * m <= ConfigLimits.quadratureTableMaxDoubles else {
      throw .invalidValue(
        key: "basis.quadrature_nodes", value: String(nq),
        allowed: "quadrature table Q·m = \(q)·\(m) = \(q * m) doubles exceeds the limit "
          + "\(ConfigLimits.quadratureTableMaxDoubles) (lower basis.quadrature_nodes or basis.degree)")
    }
  }

  private static func checkSchedule(_ c: RunConfig) throws(ConfigError) {
    guard c.run.warmup <= c.run.rounds else {
      throw .invalidValue(key: "run.warmup", value: String(c.run.warmup),
                          allowed: "must be <= run.rounds = \(c.run.rounds) (rounds include warm-up)")
    }
    if c.run.consensusAcceleration == .chebyshev, c.run.consensusSteps < 2 {
      throw .invalidValue(key: "run.consensus_acceleration", value: "\"chebyshev\"",
                          allowed: "needs run.consensus_steps >= 2 (given \(c.run.consensusSteps))")
    }
  }

  private static func checkGraph(_ c: RunConfig) throws(ConfigError) {
    if c.graph.kind == .geometric, c.graph.meanDegree > Double(c.agents.count - 1) {
      throw .invalidValue(
        key: "graph.mean_degree", value: TOMLLiteral.double(c.graph.meanDegree),
        allowed: "must be <= agents.count - 1 = \(c.agents.count - 1) for a geometric graph")
    }
  }

  private static func checkFiles(_ c: RunConfig) throws(ConfigError) {
    if c.agents.initialization == .file {
      try requireFile(c.agents.file, key: "agents.file", because: "agents.init = \"file\"")
    }
    if c.graph.kind == .file {
      try requireFile(c.graph.file, key: "graph.file", because: "graph.kind = \"file\"")
    }
    if c.target.kind == .image {
      guard c.agents.dimension == 2 else {
        throw .invalidValue(key: "target.kind", value: "\"image\"",
                            allowed: "needs agents.dimension = 2 (given \(c.agents.dimension))")
      }
      try requireFile(c.target.file, key: "target.file", because: "target.kind = \"image\"")
    }
  }

  private static func requireFile(_ path: String, key: String, because: String) throws(ConfigError) {
    guard !path.isEmpty else {
      throw .invalidValue(key: key, value: "\"\"", allowed: "a file is required when \(because)")
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw .invalidValue(key: key, value: TOMLLiteral.string(path), allowed: "no such file")
    }
    guard !isDirectory.boolValue else {
      throw .invalidValue(key: key, value: TOMLLiteral.string(path), allowed: "is a directory, not a file")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw .invalidValue(key: key, value: TOMLLiteral.string(path), allowed: "file is not readable")
    }
  }

  private static func checkMixture(_ c: RunConfig) throws(ConfigError) {
    let t = c.target, d = c.agents.dimension
    let n = t.weights.count
    guard ConfigLimits.mixtureComponents.contains(n) else {
      throw .invalidValue(key: "target.weights", value: TOMLLiteral.doubles(t.weights),
                          allowed: "must have \(ConfigLimits.mixtureComponents.lowerBound)..."
                            + "\(ConfigLimits.mixtureComponents.upperBound) components")
    }
    guard t.means.count == n else {
      throw .invalidValue(key: "target.means", value: TOMLLiteral.doubles(t.means),
                          allowed: "must have one mean per weight: \(n) (has \(t.means.count))")
    }
    guard t.covariances.count == n else {
      throw .invalidValue(key: "target.covariances", value: TOMLLiteral.doubles(t.covariances),
                          allowed: "must have one matrix per weight: \(n) (has \(t.covariances.count))")
    }
    for (i, w) in t.weights.enumerated() where !(w.isFinite && w >= 0) {
      throw .invalidValue(key: "target.weights[\(i)]", value: TOMLLiteral.double(w),
                          allowed: "must be >= 0 and finite")
    }
    let sum = t.weights.reduce(0, +)
    guard abs(sum - 1) <= ConfigLimits.weightSumTolerance else {
      throw .invalidValue(key: "target.weights", value: TOMLLiteral.doubles(t.weights),
                          allowed: "must sum to 1 within \(ConfigLimits.weightSumTolerance) "
                            + "(sum = \(TOMLLiteral.double(sum)))")
    }
    for (i, mean) in t.means.enumerated() {
      let key = "target.means[\(i)]"
      guard mean.count == d else {
        throw .invalidValue(key: key, value: TOMLLiteral.doubles(mean),
                            allowed: "must have agents.dimension = \(d) entries")
      }
      let box = ConfigLimits.meanCoordinate
      guard mean.allSatisfy({ $0.isFinite && box.contains($0) }) else {
        throw .invalidValue(key: key, value: TOMLLiteral.doubles(mean),
                            allowed: "every coordinate must be finite and in "
                              + "[\(TOMLLiteral.double(box.lowerBound)), \(TOMLLiteral.double(box.upperBound))]")
      }
    }
    for (i, cov) in t.covariances.enumerated() {
      try checkCovariance(cov, key: "target.covariances[\(i)]", dimension: d)
    }
  }

  private static func checkCovariance(_ a: [[Double]], key: String, dimension d: Int) throws(ConfigError) {
    let value = TOMLLiteral.doubles(a)
    guard a.count == d, a.allSatisfy({ $0.count == d }) else {
      throw .invalidValue(key: key, value: value,
                          allowed: "must be a \(d)×\(d) matrix (agents.dimension = \(d))")
    }
    guard a.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
      throw .invalidValue(key: key, value: value, allowed: "entries must be finite")
    }
    let scale = a.flatMap { $0 }.map(abs).max() ?? 0
    for i in 0..<d {
      for j in 0..<i where abs(a[i][j] - a[j][i]) > ConfigLimits.symmetryTolerance * scale {
        throw .invalidValue(key: key, value: value,
                            allowed: "must be symmetric ([\(i)][\(j)] != [\(j)][\(i)])")
      }
    }
    // Cholesky on the lower triangle: every pivot must be positive.
    var l = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for j in 0..<d {
      var pivot = a[j][j]
      for p in 0..<j { pivot -= l[j][p] * l[j][p] }
      guard pivot > 0, pivot.isFinite else {
        throw .invalidValue(key: key, value: value,
                            allowed: "must be positive definite (Cholesky pivot \(j) = "
                              + "\(TOMLLiteral.double(pivot)))")
      }
      l[j][j] = pivot.squareRoot()
      for i in (j + 1)..<d {
        var s = a[i][j]
        for p in 0..<j { s -= l[i][p] * l[j][p] }
        l[i][j] = s / l[j][j]
      }
    }
  }
}
