import Testing
import _TestSupport
import HashKit

/// The libcrypto SHA-256 (``SHA256``) against the NIST vectors, and against its plain-Swift
/// twin (``SHA256Reference``) on random messages, splits and double arrays.
@Suite struct SHA256Tests {
  static func hexOf(_ s: String) -> String {
    var h = SHA256()
    h.update(string: s)
    var r = SHA256Reference()
    r.update(string: s)
    #expect(r.hexDigest == h.hexDigest, "reference twin differs on \(s.utf8.count) bytes")
    return h.hexDigest
  }

  // NIST FIPS 180-4 example vectors (csrc.nist.gov SHA256.pdf, SHA2_Additional.pdf).
  @Test func nistEmpty() {
    #expect(Self.hexOf("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }

  @Test func nistABC() {
    #expect(Self.hexOf("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test func nist448Bit() {
    let msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    #expect(msg.utf8.count == 56)
    #expect(Self.hexOf(msg) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func nist896Bit() {
    let msg = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
    #expect(Self.hexOf(msg) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
  }

  @Test func nistMillionA() {
    var h = SHA256(), r = SHA256Reference()
    let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
    for _ in 0..<1000 {
      h.update(bytes: chunk)
      chunk.withUnsafeBytes { r.update(raw: $0) }
    }
    #expect(h.hexDigest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    #expect(r.hexDigest == h.hexDigest)
  }

  /// Twin test: random messages of every length 0 ... 300 and a few long ones, fed to both
  /// in random chunks (bytes, raw buffers, doubles), give the same digest.
  @Test func libcryptoMatchesReferenceOnRandomMessages() {
    var rng = TestRandom(seed: 0x5A_256)
    let lengths = Array(0...300) + [1023, 4096, 65_537, 1 << 20]
    for n in lengths {
      let message = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      var h = SHA256(), r = SHA256Reference()
      var i = 0
      while i < n {
        let end = min(n, i + Int(rng.next() % 200))
        if rng.next() % 2 == 0 {
          h.update(bytes: message[i..<end])
        } else {
          message[i..<end].withUnsafeBytes { h.update(raw: $0) }
        }
        r.update(bytes: message[i..<end])
        i = end
      }
      #expect(h.finalize() == r.finalize(), "length \(n)")
    }
    for count in [0, 1, 7, 8, 9, 1000, 40_001] {
      let values = (0..<count).map { _ in Double(bitPattern: rng.next()) }
      var h = SHA256(), r = SHA256Reference(), s = SHA256()
      values.withUnsafeBufferPointer { h.update(doubles: $0) }
      r.update(doubles: values)
      s.update(doubles: values.lazy.map { $0 })
      #expect(h.hexDigest == r.hexDigest, "\(count) doubles")
      #expect(s.hexDigest == r.hexDigest, "\(count) doubles as a sequence")
    }
  }

  /// Every split point of a 200-byte message (crossing the 55/56/64-byte padding edges)
  /// gives the one-shot digest.
  @Test func chunkedUpdatesMatchOneShot() {
    let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    let oneShot = SHA256.digest(bytes: message)
    for split in 0...message.count {
      var h = SHA256()
      h.update(bytes: message[..<split])
      h.update(bytes: message[split...])
      #expect(h.finalize() == oneShot, "split at \(split)")
    }
    // Many small irregular chunks.
    var h = SHA256()
    var i = 0, step = 1
    while i < message.count {
      let end = min(message.count, i + step)
      h.update(bytes: message[i..<end])
      i = end
      step = step % 13 + 1
    }
    #expect(h.finalize() == oneShot)
  }

  /// Reading `hexDigest` mid-stream does not disturb the running hash.
  @Test func hexDigestDoesNotConsumeState() {
    var h = SHA256()
    h.update(string: "ab")
    let early = h.hexDigest
    h.update(string: "c")
    #expect(early == Self.hexOf("ab"))
    #expect(h.hexDigest == Self.hexOf("abc"))
  }

  /// Doubles are fed as little-endian IEEE-754 bytes: compare with the bytes built by hand.
  @Test func doublesAreLittleEndianIEEE() {
    let values: [Double] = [1.0, -0.0, .pi, 1e-300, -.infinity, 0x1.23456789abcdep-3]
    var manual: [UInt8] = []
    for v in values {
      let bits = v.bitPattern
      for k in 0..<8 { manual.append(UInt8((bits >> (8 * UInt64(k))) & 0xff)) }
    }
    // 1.0 = 0x3FF0000000000000: little-endian bytes end with F0 3F.
    #expect(manual[0..<8] == [0, 0, 0, 0, 0, 0, 0xf0, 0x3f])
    let expected = SHA256.hex(SHA256.digest(bytes: manual))
    var a = SHA256()
    values.withUnsafeBufferPointer { a.update(doubles: $0) }
    #expect(a.hexDigest == expected)
    var b = SHA256()
    b.update(doubles: values[..<2])
    b.update(doubles: values[2...])
    #expect(b.hexDigest == expected)
  }
}
