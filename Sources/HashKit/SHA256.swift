// SHA256: streaming SHA-256 through OpenSSL's libcrypto (SHA-NI where the CPU has it).
import CCrypto

/// Streaming SHA-256 (FIPS 180-4). Local.
///
/// ```
/// var h = SHA256()
/// h.update(bytes: Array("abc".utf8))
/// let hex = h.hexDigest          // or h.finalize() for the 32 bytes
/// ```
/// Chunking does not matter: any split of the same byte stream gives the same digest.
/// ``update(doubles:)`` feeds each double as its 8 little-endian IEEE-754 bytes, which is how
/// the run's `state_digest` and the checkpoint checksums are defined. The compression runs in
/// libcrypto (SHA extensions or AVX2, chosen by OpenSSL at load time: ≈ 1.5–2 GB/s on one
/// core with SHA-NI); ``SHA256Reference`` is the plain-Swift twin with the same API.
/// A value type: a copy hashes on independently.
public struct SHA256: SHA256Hashing {
  private var context = SHA256_CTX()

  public init() {
    _ = SHA256_Init(&context)
  }

  /// Appends raw bytes.
  public mutating func update(raw: UnsafeRawBufferPointer) {
    guard let base = raw.baseAddress, raw.count > 0 else { return }
    _ = SHA256_Update(&context, base, raw.count)
  }

  /// Appends bytes to the message.
  public mutating func update<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
    let done: Void? = bytes.withContiguousStorageIfAvailable { update(raw: UnsafeRawBufferPointer($0)) }
    if done == nil { Array(bytes).withUnsafeBytes { update(raw: $0) } }
  }

  /// Appends each double as 8 little-endian IEEE-754 bytes.
  public mutating func update<Doubles: Sequence>(doubles: Doubles) where Doubles.Element == Double {
    let little = doubles.map { $0.bitPattern.littleEndian }
    little.withUnsafeBytes { update(raw: $0) }
  }

  /// Pads the message and returns the 32-byte digest. The hasher is left finished: call
  /// it once (a copy taken before may go on).
  public mutating func finalize() -> [UInt8] {
    var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
    _ = SHA256_Final(&out, &context)
    return out
  }

  /// Lowercase hex of bytes.
  public static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var chars: [UInt8] = []
    chars.reserveCapacity(bytes.count * 2)
    for b in bytes {
      chars.append(digits[Int(b >> 4)])
      chars.append(digits[Int(b & 0x0f)])
    }
    return String(decoding: chars, as: UTF8.self)
  }
}
