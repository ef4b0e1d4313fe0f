/// A JSON value that keeps object keys in the order they were given (reports read better
/// and diff cleanly). Local.
///
/// Numbers: `.int` prints as an integer; `.number` prints finite doubles in Swift's shortest
/// round-trip form (`0.1`, `1e-05`, `3.0`), so parsing the text gives the same bits back.
/// JSON has no NaN or infinity: non-finite doubles are written as the *strings* `"nan"`,
/// `"inf"` and `"-inf"` (readers of diagnostics must accept a string where a number is
/// expected; Python: `float(v)` handles all three).
public enum JSONValue: Sendable, Equatable {
  case number(Double)
  case int(Int)
  case string(String)
  case bool(Bool)
  case array([JSONValue])
  case object([(String, JSONValue)])
  case null

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case let (.number(x), .number(y)): return x.bitPattern == y.bitPattern || x == y
    case let (.int(x), .int(y)): return x == y
    case let (.string(x), .string(y)): return x == y
    case let (.bool(x), .bool(y)): return x == y
    case let (.array(x), .array(y)): return x == y
    case let (.object(x), .object(y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    case (.null, .null): return true
    default: return false
    }
  }

  /// The value of `key` in an object (first match), nil otherwise.
  public subscript(key: String) -> JSONValue? {
    guard case let .object(entries) = self else { return nil }
    return entries.first { $0.0 == key }?.1
  }

  /// Compact JSON on one line (what JSON Lines needs).
  public func serialized() -> String {
    var out = ""
    write(to: &out, indent: nil, level: 0)
    return out
  }

  /// Indented JSON (two spaces), ending with a newline; for summary files.
  public func prettySerialized() -> String {
    var out = ""
    write(to: &out, indent: "  ", level: 0)
    return out + "\n"
  }

  private func write(to out: inout String, indent: String?, level: Int) {
    switch self {
    case let .number(d): out += JSONValue.number(d)
    case let .int(i): out += String(i)
    case let .string(s): JSONValue.quote(s, into: &out)
    case let .bool(b): out += b ? "true" : "false"
    case .null: out += "null"
    case let .array(items):
      writeContainer(items, open: "[", close: "]", to: &out, indent: indent, level: level) {
        item, out, level in item.write(to: &out, indent: indent, level: level)
      }
    case let .object(entries):
      writeContainer(entries, open: "{", close: "}", to: &out, indent: indent, level: level) {
        entry, out, level in
        JSONValue.quote(entry.0, into: &out)
        out += indent == nil ? ":" : ": "
        entry.1.write(to: &out, indent: indent, level: level)
      }
    }
  }

  private func writeContainer<T>(_ items: [T], open: String, close: String, to out: inout String,
                                 indent: String?, level: Int,
                                 element: (T, inout String, Int) -> Void) {
    out += open
    guard !items.isEmpty else { return out += close }
    for (n, item) in items.enumerated() {
      if n > 0 { out += "," }
      if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
      element(item, &out, level + 1)
    }
    if let indent { out += "\n" + String(repeating: indent, count: level) }
    out += close
  }

  /// A double as JSON text (non-finite as a string, see the type's documentation).
  static func number(_ d: Double) -> String {
    if d.isNaN { return "\"nan\"" }
    if d.isInfinite { return d < 0 ? "\"-inf\"" : "\"inf\"" }
    return d.description
  }

  /// Appends `s` as a JSON string literal: `"` and `\` escaped, control characters as
  /// `\n`, `\t`, … or `\u00XX`; everything else as UTF-8.
  static func quote(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}

// MARK: - Literals, so reports read like JSON in Swift

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// Keeps the literal's key order.
  public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
  public init(nilLiteral: ()) { self = .null }
}
