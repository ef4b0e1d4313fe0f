/// A zlib (RFC 1950) / DEFLATE (RFC 1951) decoder in plain Swift: stored, fixed-Huffman and
/// dynamic-Huffman blocks, with the zlib header and Adler-32 trailer verified. Written for the
/// small images the targets read (canonical Huffman decoding bit by bit, as in zlib's `puff`),
/// not for speed. Local.
import MacroCore
public enum Inflate {
  /// Why a stream was refused.
  public struct Failure: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
  }

  /// Decompresses a zlib stream (2-byte header, DEFLATE data, Adler-32 of the output),
  /// refusing to produce more than `limit` bytes.
  public static func zlibDecompress(_ data: [UInt8], sizeHint: Int = 0, limit: Int = 1 << 30) throws(Failure) -> [UInt8] {
    guard data.count >= 2 else { throw Failure("truncated zlib stream (no header)") }
    let cmf = Int(data[0]), flg = Int(data[1])
    guard cmf & 0x0F == 8 else { throw Failure("zlib compression method \(cmf & 0x0F) is not deflate") }
    guard cmf >> 4 <= 7 else { throw Failure("zlib window size field \(cmf >> 4) is invalid") }
    guard (cmf * 256 + flg) % 31 == 0 else { throw Failure("bad zlib header check bits") }
    guard flg & 0x20 == 0 else { throw Failure("zlib preset dictionary is not supported") }
    let (out, end) = try inflate(data, from: 2, sizeHint: sizeHint, limit: limit)
    guard end + 4 <= data.count else { throw Failure("truncated zlib stream (missing Adler-32 checksum)") }
    let stored = UInt32(data[end]) << 24 | UInt32(data[end + 1]) << 16
      | UInt32(data[end + 2]) << 8 | UInt32(data[end + 3])
    let actual = adler32(out)
    guard stored == actual else {
      throw Failure("bad zlib Adler-32 checksum (stored \(hex(stored)), computed \(hex(actual)))")
    }
    return out
  }

  /// Decodes raw DEFLATE data starting at byte `start`; returns the output and the index of
  /// the first byte after the final block. More than `limit` output bytes is an error.
  public static func inflate(_ data: [UInt8], from start: Int = 0, sizeHint: Int = 0, limit: Int = 1 << 30) throws(Failure)
    -> (output: [UInt8], end: Int)
  {
    var s = BitReader(bytes: data, position: start)
    var out: [UInt8] = []
    out.reserveCapacity(min(sizeHint, limit))
    var last = false
    while !last {
      last = try s.bits(1) == 1
      switch try s.bits(2) {
      case 0: try stored(&s, &out, limit)
      case 1: try codes(&s, &out, Tables.fixedLength, Tables.fixedDistance, limit)
      case 2:
        let (lc, dc) = try dynamicTables(&s)
        try codes(&s, &out, lc, dc, limit)
      default: throw Failure("invalid deflate block type 3")
      }
    }
    return (out, s.position)  // the partial last byte is discarded (byte alignment)
  }

  /// Adler-32 of `bytes` (RFC 1950).
  public static func adler32(_ bytes: [UInt8]) -> UInt32 {
    var a: UInt32 = 1, b: UInt32 = 0
    var i = 0
    while i < bytes.count {
      let end = min(i + 5552, bytes.count)  // largest run without UInt32 overflow
      while i < end { a &+= UInt32(bytes[i]); b &+= a; i += 1 }
      a %= 65521; b %= 65521
    }
    return b << 16 | a
  }

  // MARK: - Blocks

  static func stored(_ s: inout BitReader, _ out: inout [UInt8], _ limit: Int) throws(Failure) {
    s.alignToByte()
    let p = s.position
    guard p + 4 <= s.bytes.count else { throw Failure("truncated deflate stream (stored block header)") }
    let len = Int(s.bytes[p]) | Int(s.bytes[p + 1]) << 8
    let nlen = Int(s.bytes[p + 2]) | Int(s.bytes[p + 3]) << 8
    guard len == (~nlen & 0xFFFF) else { throw Failure("corrupt stored block (LEN/NLEN mismatch)") }
    guard p + 4 + len <= s.bytes.count else { throw Failure("truncated deflate stream (stored block data)") }
    guard out.count + len <= limit else { throw tooLong(limit) }
    out.append(contentsOf: s.bytes[(p + 4)..<(p + 4 + len)])
    s.position = p + 4 + len
  }

  static func codes(_ s: inout BitReader, _ out: inout [UInt8], _ lc: Huffman, _ dc: Huffman,
                    _ limit: Int) throws(Failure) {
    while true {
      let sym = try lc.decode(&s)
      if sym < 256 {
        guard out.count < limit else { throw tooLong(limit) }
        out.append(UInt8(sym))
      } else if sym == 256 {
        return
      } else {
        let li = sym - 257
        guard li < 29 else { throw Failure("invalid deflate length symbol \(sym)") }
        let len = Tables.lengthBase[li] + (try s.bits(Tables.lengthExtra[li]))
        let ds = try dc.decode(&s)
        guard ds < 30 else { throw Failure("invalid deflate distance symbol \(ds)") }
        let dist = Tables.distanceBase[ds] + (try s.bits(Tables.distanceExtra[ds]))
        guard dist <= out.count else { throw Failure("deflate distance \(dist) reaches before the output start") }
        guard out.count + len <= limit else { throw tooLong(limit) }
        let from = out.count - dist
        for k in 0..<len { out.append(out[from + k]) }  // overlapping copies are intended
      }
    }
  }

  static func dynamicTables(_ s: inout BitReader) throws(Failure) -> (Huffman, Huffman) {
    let nlen = try s.bits(5) + 257, ndist = try s.bits(5) + 1, ncode = try s.bits(4) + 4
    guard nlen <= 286, ndist <= 30 else { throw Failure("bad dynamic block code counts") }
    var cl = [Int](repeating: 0, count: 19)
    for i in 0..<ncode { cl[Tables.codeLengthOrder[i]] = try s.bits(3) }
    let clCode = try Huffman(lengths: cl)
    var lengths = [Int](repeating: 0, count: nlen + ndist)
    var i = 0
    while i < nlen + ndist {
      let sym = try clCode.decode(&s)
      if sym < 16 {
        lengths[i] = sym; i += 1
        continue
      }
      var value = 0, repeatCount: Int
      switch sym {
      case 16:
        guard i > 0 else { throw Failure("dynamic block repeats a length with none before it") }
        value = lengths[i - 1]
        repeatCount = 3 + (try s.bits(2))
      case 17: repeatCount = 3 + (try s.bits(3))
      default: repeatCount = 11 + (try s.bits(7))
      }
      guard i + repeatCount <= nlen + ndist else { throw Failure("dynamic block code lengths overrun") }
      for _ in 0..<repeatCount { lengths[i] = value; i += 1 }
    }
    guard lengths[256] > 0 else { throw Failure("dynamic block has no end-of-block code") }
    let lc = try Huffman(lengths: Array(lengths[0..<nlen]))
    let dc = try Huffman(lengths: Array(lengths[nlen...]))
    return (lc, dc)
  }

  static func tooLong(_ limit: Int) -> Failure { Failure("inflated data longer than the expected \(limit) bytes") }

  static func hex(_ v: UInt32) -> String {
    let h = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - h.count)) + h
  }

  // MARK: - Bits and codes

  /// LSB-first bit reader over a byte array.
  struct BitReader {
    let bytes: [UInt8]
    var position: Int
    var buffer: UInt32 = 0
    var available = 0

    init(bytes: [UInt8], position: Int) { self.bytes = bytes; self.position = position }

    mutating func bits(_ n: Int) throws(Failure) -> Int {
      while available < n {
        guard position < bytes.count else { throw Failure("truncated deflate stream") }
        buffer |= UInt32(bytes[position]) << UInt32(available)
        position += 1
        available += 8
      }
      let v = Int(buffer & ((1 << UInt32(n)) &- 1))
      buffer = n == 32 ? 0 : buffer >> UInt32(n)
      available -= n
      return v
    }

    mutating func alignToByte() { buffer = 0; available = 0 }
  }

  /// A canonical Huffman code: counts of codes per length and symbols in canonical order.
  struct Huffman: Sendable {
    var count = [Int](repeating: 0, count: 16)
    var symbol: [Int]

    init(lengths: [Int]) throws(Failure) {
      for l in lengths { count[l] += 1 }
      var left = 1
      for len in 1...15 {
        left <<= 1
        left -= count[len]
        guard left >= 0 else { throw Failure("over-subscribed Huffman code") }
      }
      // Incomplete codes are tolerated; an unused code is refused when met.
      var offs = [Int](repeating: 0, count: 16)
      for len in 1..<15 { offs[len + 1] = offs[len] + count[len] }
      symbol = [Int](repeating: 0, count: lengths.count)
      for (sym, l) in lengths.enumerated() where l != 0 {
        symbol[offs[l]] = sym
        offs[l] += 1
      }
    }

    func decode(_ s: inout BitReader) throws(Failure) -> Int {
      var code = 0, first = 0, index = 0
      for len in 1...15 {
        code |= try s.bits(1)
        let c = count[len]
        if code - c < first { return symbol[index + (code - first)] }
        index += c
        first += c
        first <<= 1
        code <<= 1
      }
      throw Failure("invalid Huffman code in deflate stream")
    }
  }

  enum Tables {
    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                             35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                              3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                               257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                               8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    static let fixedLength: Huffman = {
      var l = [Int](repeating: 8, count: 288)
      for i in 144..<256 { l[i] = 9 }
      for i in 256..<280 { l[i] = 7 }
      // The fixed code is complete, so construction cannot fail.
      return (try? Huffman(lengths: l)) ?? Huffman.empty
    }()
    static let fixedDistance: Huffman = (try? Huffman(lengths: [Int](repeating: 5, count: 30))) ?? Huffman.empty
  }
}

extension Inflate.Huffman {
  static var empty: Inflate.Huffman { Inflate.Huffman(symbol: []) }
  init(symbol: [Int]) { self.symbol = symbol }
}
