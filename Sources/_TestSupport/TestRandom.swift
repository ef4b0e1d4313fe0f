import Foundation

/// SplitMix64: one small seeded generator for every test's inputs (reproducible).
public struct TestRandom: RandomNumberGenerator, Sendable {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in (0, 1], full 53-bit mantissas.
  public mutating func unit() -> Double { Double((next() >> 11) + 1) * 0x1.0p-53 }

  /// Uniform in [-1, 1).
  public mutating func signedUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 * 2 - 1 }

  public mutating func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a...b, using: &self) }

  /// Standard normal by Box–Muller.
  public mutating func normal() -> Double {
    let u = Double.random(in: Double.ulpOfOne...1, using: &self), v = uniform(0, 1)
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }

  /// A uniformly random direction of length `norm` in R^m.
  public mutating func vector(_ m: Int, norm: Double) -> [Double] {
    let g = (0..<m).map { _ in normal() }
    let s = norm / g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return g.map { $0 * s }
  }

  /// A Aᵀ + shift·I for A with entries uniform in [-1, 1) (m×m row-major; bitwise symmetric:
  /// entries (i, j) and (j, i) are the same products summed in the same order).
  public mutating func spdMatrix(_ m: Int, shift: Double) -> [Double] {
    let a = (0..<(m * m)).map { _ in signedUnit() }
    var h = [Double](repeating: 0, count: m * m)
    for i in 0..<m { for j in 0..<m { for k in 0..<m { h[i * m + j] += a[i * m + k] * a[j * m + k] } } }
    for i in 0..<m { h[i * m + i] += shift }
    return h
  }

  /// Positive finite with random bits, spread over many decades.
  public mutating func positiveDouble() -> Double {
    unit() * Double(sign: .plus, exponent: Int(next() % 60) - 30, significand: 1)
  }
}

/// `n` reproducible doubles in [-1, 1).
public func randomDoubles(_ n: Int, seed: UInt64) -> [Double] {
  var r = TestRandom(seed: seed)
  return (0..<n).map { _ in r.signedUnit() }
}

/// `n` agent positions uniform in [-1, 1)^d (n×d row-major).
public func uniformPositions(_ n: Int, dimension d: Int, seed: UInt64) -> [Double] {
  randomDoubles(n * d, seed: seed)
}

/// max_i |a_i − b_i| / max_i |b_i| (norm-wise relative difference; 0 when both vanish).
public func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count)
  var num = 0.0, den = 0.0
  for (x, y) in zip(a, b) { num = max(num, abs(x - y)); den = max(den, abs(y)) }
  return den == 0 ? num : num / den
}
