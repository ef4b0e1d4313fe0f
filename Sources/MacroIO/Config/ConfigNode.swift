import TOMLKit

/// A parsed TOML value as plain Swift data. The only file that touches TOMLKit: everything
/// else in the config code walks this tree.
indirect enum ConfigNode: Equatable, Sendable {
  case table([(String, ConfigNode)])
  case array([ConfigNode])
  case string(String)
  case int(Int)
  case double(Double)
  case bool(Bool)
  /// Dates and times: never valid in a MacroOpt config; kept for the message.
  case other(type: String, text: String)

  static func == (a: ConfigNode, b: ConfigNode) -> Bool {
    switch (a, b) {
    case let (.table(x), .table(y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    case let (.array(x), .array(y)): return x == y
    case let (.string(x), .string(y)): return x == y
    case let (.int(x), .int(y)): return x == y
    case let (.double(x), .double(y)): return x.bitPattern == y.bitPattern
    case let (.bool(x), .bool(y)): return x == y
    case let (.other(t1, x), .other(t2, y)): return t1 == t2 && x == y
    default: return false
    }
  }

  /// Parses a TOML document. `source` names it in syntax errors (a path, or `--set …`).
  static func parseDocument(_ text: String, source: String) throws(ConfigError) -> [(String, ConfigNode)] {
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw .syntax(source: source, line: error.source.begin.line,
                    column: error.source.begin.column, message: error.description)
    } catch {
      throw .syntax(source: source, line: nil, column: nil, message: "\(error)")
    }
    return entries(of: table)
  }

  private static func entries(of table: TOMLTable) -> [(String, ConfigNode)] {
    table.keys.compactMap { key in table[key].map { (key, node(from: $0)) } }
  }

  private static func node(from value: TOMLValueConvertible) -> ConfigNode {
    switch value.type {
    case .table:
      if let t = value.table { return .table(entries(of: t)) }
    case .array:
      if let a = value.array { return .array(a.map { node(from: $0) }) }
    case .string:
      if let s = value.string { return .string(s) }
    case .int:
      if let i = value.int { return .int(i) }
    case .double:
      if let d = value.double { return .double(d) }
    case .bool:
      if let b = value.bool { return .bool(b) }
    case .date, .time, .dateTime:
      break
    }
    return .other(type: value.type.description, text: value.debugDescription)
  }

  /// What kind of value this is, for "expected X, got Y" messages.
  var typeName: String {
    switch self {
    case .table: return "table"
    case .array: return "array"
    case .string: return "string"
    case .int: return "integer"
    case .double: return "float"
    case .bool: return "boolean"
    case let .other(type, _): return type
    }
  }

  /// The value written back as TOML (for messages).
  var literal: String {
    switch self {
    case let .table(entries):
      return "{ " + entries.map { "\($0.0) = \($0.1.literal)" }.joined(separator: ", ") + " }"
    case let .array(items):
      return "[" + items.map(\.literal).joined(separator: ", ") + "]"
    case let .string(s): return TOMLLiteral.string(s)
    case let .int(i): return String(i)
    case let .double(d): return TOMLLiteral.double(d)
    case let .bool(b): return b ? "true" : "false"
    case let .other(_, text): return text
    }
  }
}
