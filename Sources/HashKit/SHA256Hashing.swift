// SHA256Hashing: what SHA256 (libcrypto) and its twin SHA256Reference (plain Swift) share.

/// A streaming SHA-256: the core each implementation provides, and the conveniences written
/// once on top of it (strings, double buffers, hex, one-shot digests).
public protocol SHA256Hashing: Sendable {
  init()
  /// Appends raw bytes.
  mutating func update(raw: UnsafeRawBufferPointer)
  /// Appends bytes to the message.
  mutating func update<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8
  /// Appends each double as 8 little-endian IEEE-754 bytes.
  mutating func update<Doubles: Sequence>(doubles: Doubles) where Doubles.Element == Double
  /// Pads the message and returns the 32-byte digest. The hasher is left finished: call
  /// it once (a copy taken before may go on).
  mutating func finalize() -> [UInt8]
}

extension SHA256Hashing {
  /// Appends the UTF-8 bytes of a string.
  public mutating func update(string: String) {
    update(bytes: string.utf8)
  }

  /// Appends each double as 8 little-endian IEEE-754 bytes.
  public mutating func update(doubles: UnsafeBufferPointer<Double>) {
    #if _endian(little)
    update(raw: UnsafeRawBufferPointer(doubles))  // memory order is little-endian already
    #else
    update(doubles: Array(doubles))
    #endif
  }

  /// The digest of the bytes fed so far as 64 lowercase hex digits (does not change `self`).
  public var hexDigest: String {
    var copy = self
    return SHA256.hex(copy.finalize())
  }

  /// One-shot digest of a byte sequence.
  public static func digest<Bytes: Sequence>(bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
    var h = Self()
    h.update(bytes: bytes)
    return h.finalize()
  }
}
