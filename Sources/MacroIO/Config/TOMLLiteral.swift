/// TOML spellings of values: used by the canonical serialization and by error messages.
enum TOMLLiteral {
  /// A double that reads back bit for bit: Swift's shortest round-trip representation, which
  /// is valid TOML (`0.001`, `1e-05`, `1e+16`, `-0.0`, `inf`, `nan`); integral values keep
  /// their `.0` so they stay floats.
  static func double(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    return d.description
  }

  /// A basic string with TOML escapes.
  static func string(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7f {
          let hex = String(scalar.value, radix: 16, uppercase: true)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  static func doubles(_ v: [Double]) -> String {
    "[" + v.map(double).joined(separator: ", ") + "]"
  }

  static func doubles(_ v: [[Double]]) -> String {
    "[" + v.map { doubles($0) }.joined(separator: ", ") + "]"
  }

  static func doubles(_ v: [[[Double]]]) -> String {
    "[" + v.map { doubles($0) }.joined(separator: ", ") + "]"
  }
}
