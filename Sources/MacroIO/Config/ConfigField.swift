// ConfigField: one TOML key of the configuration and the builders of ConfigSchema's table.
import Foundation
import MacroCore

/// One TOML key of the configuration: how to read it into a RunConfig, how to write it back,
/// and its own range check. ``ConfigSchema/fields`` lists them in canonical order.
struct ConfigField {
  let section: String
  let name: String
  /// Converts a parsed value and stores it (type errors and unknown choices throw here).
  /// The String is the directory relative paths are resolved against.
  let assign: (inout RunConfig, ConfigNode, String) throws(ConfigError) -> Void
  /// The current value as a TOML literal.
  let literal: (RunConfig) -> String
  /// The key's own range check (cross-key checks live in ConfigValidation).
  let check: (RunConfig) throws(ConfigError) -> Void

  var key: String { "\(section).\(name)" }
}

// MARK: - Field builders

extension ConfigField {
  static func int(_ section: String, _ name: String, _ kp: WritableKeyPath<RunConfig, Int>,
                  _ range: ClosedRange<Int>) -> ConfigField {
    let key = "\(section).\(name)"
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, _: String) throws(ConfigError) in
        guard case let .int(i) = node else {
          throw .wrongType(key: key, value: node.literal, expected: "an integer")
        }
        c[keyPath: kp] = i
      },
      literal: { String($0[keyPath: kp]) },
      check: { (c: RunConfig) throws(ConfigError) in
        let v = c[keyPath: kp]
        guard range.contains(v) else {
          throw .invalidValue(key: key, value: String(v), allowed: ConfigLimits.text(range))
        }
      })
  }

  static func double(_ section: String, _ name: String, _ kp: WritableKeyPath<RunConfig, Double>,
                     _ rule: DoubleRule) -> ConfigField {
    let key = "\(section).\(name)"
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, _: String) throws(ConfigError) in
        c[keyPath: kp] = try number(node, key: key)
      },
      literal: { TOMLLiteral.double($0[keyPath: kp]) },
      check: { (c: RunConfig) throws(ConfigError) in
        let v = c[keyPath: kp]
        guard rule.contains(v) else {
          throw .invalidValue(key: key, value: TOMLLiteral.double(v), allowed: rule.text)
        }
      })
  }

  static func choice<E: RawRepresentable & CaseIterable>(
    _ section: String, _ name: String, _ kp: WritableKeyPath<RunConfig, E>
  ) -> ConfigField where E.RawValue == String {
    let key = "\(section).\(name)"
    let allowed = "must be one of " + E.allCases.map { TOMLLiteral.string($0.rawValue) }
      .joined(separator: ", ")
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, _: String) throws(ConfigError) in
        guard case let .string(s) = node else {
          throw .wrongType(key: key, value: node.literal, expected: "a string (\(allowed.dropFirst(8)))")
        }
        guard let v = E(rawValue: s) else {
          throw .invalidValue(key: key, value: node.literal, allowed: allowed)
        }
        c[keyPath: kp] = v
      },
      literal: { TOMLLiteral.string($0[keyPath: kp].rawValue) },
      check: { (_: RunConfig) throws(ConfigError) in })
  }

  /// A file path: "" means unset; a relative path is resolved against the base directory.
  static func path(_ section: String, _ name: String, _ kp: WritableKeyPath<RunConfig, String>)
    -> ConfigField {
    let key = "\(section).\(name)"
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, base: String) throws(ConfigError) in
        guard case let .string(s) = node else {
          throw .wrongType(key: key, value: node.literal, expected: "a string (a file path)")
        }
        c[keyPath: kp] = resolve(s, against: base)
      },
      literal: { TOMLLiteral.string($0[keyPath: kp]) },
      check: { (_: RunConfig) throws(ConfigError) in })
  }

  static func nonEmptyString(_ section: String, _ name: String,
                             _ kp: WritableKeyPath<RunConfig, String>) -> ConfigField {
    let key = "\(section).\(name)"
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, _: String) throws(ConfigError) in
        guard case let .string(s) = node else {
          throw .wrongType(key: key, value: node.literal, expected: "a string")
        }
        c[keyPath: kp] = s
      },
      literal: { TOMLLiteral.string($0[keyPath: kp]) },
      check: { (c: RunConfig) throws(ConfigError) in
        let s = c[keyPath: kp]
        guard !s.isEmpty, !s.contains(where: \.isNewline) else {
          throw .invalidValue(key: key, value: TOMLLiteral.string(s),
                              allowed: "must be a non-empty path on one line")
        }
      })
  }

  static func vector(_ section: String, _ name: String, _ kp: WritableKeyPath<RunConfig, [Double]>)
    -> ConfigField {
    let key = "\(section).\(name)"
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, _: String) throws(ConfigError) in
        let expected = "an array of numbers"
        c[keyPath: kp] = try elements(node, key: key, expected: expected).map {
          (n: ConfigNode) throws(ConfigError) in try number(n, key: key, whole: node, expected: expected)
        }
      },
      literal: { TOMLLiteral.doubles($0[keyPath: kp]) },
      check: { (_: RunConfig) throws(ConfigError) in })
  }

  static func matrix(_ section: String, _ name: String,
                     _ kp: WritableKeyPath<RunConfig, [[Double]]>) -> ConfigField {
    let key = "\(section).\(name)"
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, _: String) throws(ConfigError) in
        let expected = "an array of arrays of numbers"
        c[keyPath: kp] = try elements(node, key: key, expected: expected).map {
          (row: ConfigNode) throws(ConfigError) in
          try elements(row, key: key, whole: node, expected: expected).map {
            (n: ConfigNode) throws(ConfigError) in try number(n, key: key, whole: node, expected: expected)
          }
        }
      },
      literal: { TOMLLiteral.doubles($0[keyPath: kp]) },
      check: { (_: RunConfig) throws(ConfigError) in })
  }

  static func tensor3(_ section: String, _ name: String,
                      _ kp: WritableKeyPath<RunConfig, [[[Double]]]>) -> ConfigField {
    let key = "\(section).\(name)"
    return ConfigField(
      section: section, name: name,
      assign: { (c: inout RunConfig, node: ConfigNode, _: String) throws(ConfigError) in
        let expected = "an array of matrices (arrays of arrays of numbers)"
        c[keyPath: kp] = try elements(node, key: key, expected: expected).map {
          (mat: ConfigNode) throws(ConfigError) in
          try elements(mat, key: key, whole: node, expected: expected).map {
            (row: ConfigNode) throws(ConfigError) in
            try elements(row, key: key, whole: node, expected: expected).map {
              (n: ConfigNode) throws(ConfigError) in
              try number(n, key: key, whole: node, expected: expected)
            }
          }
        }
      },
      literal: { TOMLLiteral.doubles($0[keyPath: kp]) },
      check: { (_: RunConfig) throws(ConfigError) in })
  }

  // MARK: Conversions

  /// A TOML float, or an integer taken as a float.
  private static func number(_ node: ConfigNode, key: String, whole: ConfigNode? = nil,
                             expected: String = "a number") throws(ConfigError) -> Double {
    switch node {
    case let .double(d): return d
    case let .int(i): return Double(i)
    default: throw .wrongType(key: key, value: (whole ?? node).literal, expected: expected)
    }
  }

  private static func elements(_ node: ConfigNode, key: String, whole: ConfigNode? = nil,
                               expected: String) throws(ConfigError) -> [ConfigNode] {
    guard case let .array(items) = node else {
      throw .wrongType(key: key, value: (whole ?? node).literal, expected: expected)
    }
    return items
  }

  /// "" stays ""; absolute paths stay as they are; relative ones are joined to `base`.
  static func resolve(_ path: String, against base: String) -> String {
    guard !path.isEmpty else { return "" }
    if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
    let baseURL = URL(fileURLWithPath: base.isEmpty ? "." : base, isDirectory: true)
    return URL(fileURLWithPath: path, relativeTo: baseURL).standardizedFileURL.path
  }
}
