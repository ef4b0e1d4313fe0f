/// Streaming SHA-256 (FIPS 180-4) in plain Swift: the reference twin of ``SHA256`` (which
/// calls libcrypto), compared with it by HashKitTests on the NIST vectors and random
/// messages. Same API and the same digests; 5–10× slower. Local.
///
/// ```
/// var h = SHA256Reference()
/// h.update(bytes: Array("abc".utf8))
/// let hex = h.hexDigest          // or h.finalize() for the 32 bytes
/// ```
/// Chunking does not matter: any split of the same byte stream gives the same digest.
/// ``update(doubles:)`` feeds each double as its 8 little-endian IEEE-754 bytes, which is how
/// the run's `state_digest` (x, σ, θ, v in global-id order) is defined.
public struct SHA256Reference: SHA256Hashing {
  private var state: [UInt32] = [
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
    0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
  ]
  /// Pending bytes of the current 64-byte block (`count < 64` between calls).
  private var block: [UInt8] = []
  /// Message length so far, in bytes.
  private var length: UInt64 = 0
  /// Message schedule scratch, kept to avoid an allocation a block.
  private var schedule = [UInt32](repeating: 0, count: 64)

  public init() {
    block.reserveCapacity(64)
  }

  /// Appends bytes to the message.
  public mutating func update<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
    for b in bytes { appendByte(b) }
  }

  /// Appends raw bytes; whole 64-byte blocks are compressed straight from the buffer.
  public mutating func update(raw: UnsafeRawBufferPointer) {
    guard var p = raw.baseAddress else { return }
    var n = raw.count
    while n > 0 && !block.isEmpty {
      appendByte(p.load(as: UInt8.self))
      p += 1
      n -= 1
    }
    while n >= 64 {
      compress(p)
      length &+= 64
      p += 64
      n -= 64
    }
    while n > 0 {
      appendByte(p.load(as: UInt8.self))
      p += 1
      n -= 1
    }
  }

  /// Appends each double as 8 little-endian IEEE-754 bytes.
  public mutating func update<Doubles: Sequence>(doubles: Doubles) where Doubles.Element == Double {
    for d in doubles { appendDouble(d) }
  }

  /// Pads the message and returns the 32-byte digest. The hasher is left finished: call
  /// it once (a copy taken before may go on).
  public mutating func finalize() -> [UInt8] {
    let bitLength = length &* 8
    appendByte(0x80)
    while block.count != 56 { appendByte(0) }
    for shift in stride(from: 56, through: 0, by: -8) {
      appendByte(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    var out: [UInt8] = []
    out.reserveCapacity(32)
    for word in state {
      out.append(UInt8(truncatingIfNeeded: word >> 24))
      out.append(UInt8(truncatingIfNeeded: word >> 16))
      out.append(UInt8(truncatingIfNeeded: word >> 8))
      out.append(UInt8(truncatingIfNeeded: word))
    }
    return out
  }

  // MARK: - Internals

  @inline(__always)
  private mutating func appendDouble(_ d: Double) {
    let bits = d.bitPattern
    for shift in stride(from: 0, to: 64, by: 8) {
      appendByte(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
    }
  }

  @inline(__always)
  private mutating func appendByte(_ byte: UInt8) {
    block.append(byte)
    length &+= 1
    if block.count == 64 {
      compress()
      block.removeAll(keepingCapacity: true)
    }
  }

  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  @inline(__always)
  private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x >> n) | (x << (32 - n))
  }

  /// Processes the full 64-byte `block`.
  private mutating func compress() {
    block.withUnsafeBytes { compress($0.baseAddress!) }
  }

  /// Processes the 64 bytes at `p`.
  private mutating func compress(_ p: UnsafeRawPointer) {
    for t in 0..<16 {
      schedule[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
    }
    for t in 16..<64 {
      let w15 = schedule[t - 15], w2 = schedule[t - 2]
      let s0 = SHA256Reference.rotr(w15, 7) ^ SHA256Reference.rotr(w15, 18) ^ (w15 >> 3)
      let s1 = SHA256Reference.rotr(w2, 17) ^ SHA256Reference.rotr(w2, 19) ^ (w2 >> 10)
      schedule[t] = schedule[t - 16] &+ s0 &+ schedule[t - 7] &+ s1
    }
    var a = state[0], b = state[1], c = state[2], d = state[3]
    var e = state[4], f = state[5], g = state[6], h = state[7]
    for t in 0..<64 {
      let s1 = SHA256Reference.rotr(e, 6) ^ SHA256Reference.rotr(e, 11) ^ SHA256Reference.rotr(e, 25)
      let ch = (e & f) ^ (~e & g)
      let t1 = h &+ s1 &+ ch &+ SHA256Reference.k[t] &+ schedule[t]
      let s0 = SHA256Reference.rotr(a, 2) ^ SHA256Reference.rotr(a, 13) ^ SHA256Reference.rotr(a, 22)
      let maj = (a & b) ^ (a & c) ^ (b & c)
      let t2 = s0 &+ maj
      h = g
      g = f
      f = e
      e = d &+ t1
      d = c
      c = b
      b = a
      a = t1 &+ t2
    }
    state[0] &+= a
    state[1] &+= b
    state[2] &+= c
    state[3] &+= d
    state[4] &+= e
    state[5] &+= f
    state[6] &+= g
    state[7] &+= h
  }
}
