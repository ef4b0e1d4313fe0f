/// Reads the unsigned decimal tokens of a plain Netpbm header or P2 raster, skipping
/// whitespace and `#` comments (to the end of the line). Local.
import MacroCore
struct PGMTokenizer {
  let bytes: [UInt8]
  let path: String
  /// Index of the next unread byte.
  var pos: Int

  static func isSpace(_ b: UInt8) -> Bool { b == 32 || (9...13).contains(b) }

  /// Next unsigned decimal token; nil at end of data.
  mutating func token() throws(TargetError) -> Int? {
    while pos < bytes.count {
      if bytes[pos] == UInt8(ascii: "#") {
        while pos < bytes.count, bytes[pos] != 10, bytes[pos] != 13 { pos += 1 }
      } else if Self.isSpace(bytes[pos]) {
        pos += 1
      } else {
        break
      }
    }
    guard pos < bytes.count else { return nil }
    var v = 0, digits = 0
    while pos < bytes.count, (48...57).contains(bytes[pos]) {
      v = v * 10 + Int(bytes[pos] - 48)
      digits += 1
      pos += 1
      guard v <= 1 << 30 else { throw .image(path: path, reason: "number too large in PGM data") }
    }
    guard digits > 0 else {
      throw .image(path: path, reason: "unexpected character '\(Character(Unicode.Scalar(bytes[pos])))' in PGM data")
    }
    return v
  }
}
