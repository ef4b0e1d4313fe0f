/// Counter-based random numbers: Philox4x64-10 (Salmon, Moraes, Dror, Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3", SC'11), checked against the Random123 known-answer vectors.
///
/// There is no state: a draw is a pure function of `(seed, id, stream, index)`, so any rank can
/// draw agent `id`'s numbers without communicating, in any order, and a resumed run draws the
/// same numbers again. Mapping onto Philox: key = `(seed, 0)`, counter = `(index, id, stream, 0)`.
///
/// Stream numbers used by MacroOpt are listed in `CounterRNG.Stream` so that two uses never
/// share a stream by accident.
public enum CounterRNG {
  /// Named streams (the third counter word). Add new uses here, never reuse a value.
  public enum Stream {
    /// Initial agent positions: `index = coordinate` (0..<d).
    public static let initialPositions: UInt64 = 1
    /// Erdős–Rényi edges: `id = row`, `index = draw number within the row`.
    public static let erdosRenyi: UInt64 = 2
  }

  /// The four 64-bit words of Philox4x64-10 for `counter` under `key`. Local.
  @inlinable
  public static func philox4x64(
    counter: (UInt64, UInt64, UInt64, UInt64), key: (UInt64, UInt64)
  ) -> (UInt64, UInt64, UInt64, UInt64) {
    let m0: UInt64 = 0xD2E7_470E_E14C_6C93
    let m1: UInt64 = 0xCA5A_8263_9512_1157
    let w0: UInt64 = 0x9E37_79B9_7F4A_7C15
    let w1: UInt64 = 0xBB67_AE85_84CA_A73B
    var c = counter
    var k = key
    for round in 0..<10 {
      if round > 0 {
        k.0 &+= w0
        k.1 &+= w1
      }
      let p0 = m0.multipliedFullWidth(by: c.0)
      let p1 = m1.multipliedFullWidth(by: c.2)
      c = (p1.high ^ c.1 ^ k.0, p1.low, p0.high ^ c.3 ^ k.1, p0.low)
    }
    return c
  }

  /// 64 random bits for `(seed, id, stream, index)`. Local.
  @inlinable
  public static func bits(seed: UInt64, id: UInt64, stream: UInt64, index: UInt64) -> UInt64 {
    philox4x64(counter: (index, id, stream, 0), key: (seed, 0)).0
  }

  /// A uniform double in [0, 1) with 53 random bits (`k · 2⁻⁵³`, k < 2⁵³). Local.
  @inlinable
  public static func uniform(seed: UInt64, id: UInt64, stream: UInt64, index: UInt64) -> Double {
    Double(bits(seed: seed, id: id, stream: stream, index: index) >> 11) * 0x1p-53
  }
}
