import Foundation

/// SplitMix64: a small seeded generator so test inputs are reproducible.
struct TestRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a...b, using: &self) }

  /// Standard normal by Box–Muller.
  mutating func normal() -> Double {
    let u = Double.random(in: Double.ulpOfOne...1, using: &self), v = uniform(0, 1)
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }

  /// A uniformly random direction of length `norm` in R^m.
  mutating func vector(_ m: Int, norm: Double) -> [Double] {
    let g = (0..<m).map { _ in normal() }
    let s = norm / g.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return g.map { $0 * s }
  }
}

/// max_i |a_i − b_i| / max_i |b_i| (norm-wise relative difference; 0 when both vanish).
func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count)
  var num = 0.0, den = 0.0
  for (x, y) in zip(a, b) { num = max(num, abs(x - y)); den = max(den, abs(y)) }
  return den == 0 ? num : num / den
}
