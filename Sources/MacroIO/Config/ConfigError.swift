/// Why a configuration was refused. Every message names the key (`run.alpha`), the value
/// given (as TOML) and what is allowed; `description` is the one line the CLI prints.
public enum ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The config file could not be read.
  case unreadable(path: String, reason: String)
  /// TOML syntax error in `source` (a file path, `<config>`, or the `--set …` text).
  case syntax(source: String, line: Int?, column: Int?, message: String)
  /// A `[section]` MacroOpt does not know.
  case unknownSection(section: String, known: [String])
  /// A key MacroOpt does not know: `section.name` in a known section (`known` = that section's
  /// keys), or a top-level key outside any section (`known` = the sections).
  case unknownKey(key: String, known: [String])
  /// A value of the wrong TOML type.
  case wrongType(key: String, value: String, expected: String)
  /// A value of the right type outside what is allowed, or inconsistent with other keys.
  case invalidValue(key: String, value: String, allowed: String)
  /// A `--set` argument that is not `section.key=value`.
  case malformedOverride(override: String, reason: String)
  /// A problem found while applying one `--set` argument (unknown key, wrong type, …).
  indirect case inOverride(override: String, error: ConfigError)

  /// The dotted key the error is about, when there is one.
  public var key: String? {
    switch self {
    case .unreadable, .syntax, .malformedOverride: return nil
    case let .unknownSection(section, _): return section
    case let .unknownKey(key, _), let .wrongType(key, _, _), let .invalidValue(key, _, _):
      return key
    case let .inOverride(_, error): return error.key
    }
  }

  public var description: String {
    switch self {
    case let .unreadable(path, reason):
      return "cannot read config \(path): \(reason)"
    case let .syntax(source, line, column, message):
      var place = source
      if let line { place += ":\(line)" }
      if let column { place += ":\(column)" }
      return "\(place): TOML syntax error: \(message)"
    case let .unknownSection(section, known):
      return "unknown section [\(section)] (known sections: \(known.joined(separator: ", ")))"
    case let .unknownKey(key, known) where !key.contains("."):
      return "unknown top-level key \(key) (every key belongs to a section: "
        + known.map { "[\($0)]" }.joined(separator: ", ") + ")"
    case let .unknownKey(key, known):
      let section = key.split(separator: ".").first.map(String.init) ?? key
      return "unknown key \(key) (known keys in [\(section)]: \(known.joined(separator: ", ")))"
    case let .wrongType(key, value, expected):
      return "\(key) = \(value): expected \(expected)"
    case let .invalidValue(key, value, allowed):
      return "\(key) = \(value): \(allowed)"
    case let .malformedOverride(override, reason):
      return "--set \(override): \(reason)"
    case let .inOverride(override, error):
      return "--set \(override): \(error.description)"
    }
  }
}
