import Foundation
import MacroCore

/// Reads a RunConfig from TOML (DESIGN.md section 8). Local (rank 0 parses; the caller
/// broadcasts the text or the canonical TOML).
///
/// Rules: a missing section or key keeps its ``RunConfig/default`` value; an unknown section
/// or key, a value of the wrong type and an out-of-range value are errors naming the key. Integer
/// values are accepted for float keys, never the other way. Relative file paths (`agents.file`,
/// `graph.file`, `target.file`) are resolved against the config file's directory, and those set
/// by `--set` against `overrideBaseDirectory` (the working directory unless given), so the
/// RunConfig holds paths to open. `output.dir` is kept as written.
public enum ConfigLoader {
  /// Parses TOML text, applies `--set` overrides on top, then validates the result.
  ///
  /// - Parameters:
  ///   - toml: the config text ("" gives the default scenario).
  ///   - overrides: `section.key=value` strings, applied in order (a later one wins). The value
  ///     is a TOML value (`100`, `[0.5, 0.5]`, `"ring"`); a bare word such as `ring` or
  ///     `data/x0.csv` that is not valid TOML is taken as a string.
  ///   - baseDirectory: directory for relative paths in `toml`.
  ///   - overrideBaseDirectory: directory for relative paths in overrides (nil: the working
  ///     directory).
  ///   - sourceName: names the text in syntax errors (the file path).
  public static func parse(toml: String, overrides: [String] = [], baseDirectory: String,
                           overrideBaseDirectory: String? = nil,
                           sourceName: String = "<config>") throws(ConfigError) -> RunConfig {
    var config = RunConfig.default
    let document = try ConfigNode.parseDocument(toml, source: sourceName)
    try apply(document: document, to: &config, baseDirectory: baseDirectory)
    let overrideBase = overrideBaseDirectory ?? FileManager.default.currentDirectoryPath
    for text in overrides {
      try apply(override: text, to: &config, baseDirectory: overrideBase)
    }
    try validate(config)
    return config
  }

  /// The schema keys (`section.key`, canonical order) that `toml` does not set. A stored
  /// canonical configuration (a checkpoint's) sets every key of the version that wrote it:
  /// keys it lacks were added later and would silently take today's defaults. Local.
  public static func missingKeys(toml: String, sourceName: String = "<config>") throws(ConfigError) -> [String] {
    let document = try ConfigNode.parseDocument(toml, source: sourceName)
    var missing: [String] = []
    for field in ConfigSchema.fields {
      var present = false
      if case let .table(entries)? = document.first(where: { $0.0 == field.section })?.1 {
        present = entries.contains { $0.0 == field.name }
      }
      if !present { missing.append("\(field.section).\(field.name)") }
    }
    return missing
  }

  /// Reads and parses a config file; relative paths inside it are resolved against its
  /// directory.
  public static func load(path: String, overrides: [String] = [],
                          overrideBaseDirectory: String? = nil) throws(ConfigError) -> RunConfig {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      let reason = FileManager.default.fileExists(atPath: path)
        ? "not a readable UTF-8 text file" : "no such file"
      throw .unreadable(path: path, reason: reason)
    }
    let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
    return try parse(toml: text, overrides: overrides, baseDirectory: base,
                     overrideBaseDirectory: overrideBaseDirectory, sourceName: path)
  }

  // MARK: - Applying parsed values

  private static func field(section: String, name: String) throws(ConfigError) -> ConfigField {
    guard ConfigSchema.sections.contains(section) else {
      throw .unknownSection(section: section, known: ConfigSchema.sections)
    }
    guard let f = ConfigSchema.fields.first(where: { $0.section == section && $0.name == name }) else {
      throw .unknownKey(key: "\(section).\(name)", known: ConfigSchema.keys(in: section))
    }
    return f
  }

  private static func apply(document: [(String, ConfigNode)], to config: inout RunConfig,
                            baseDirectory: String) throws(ConfigError) {
    // Walk sections in canonical order so the first error reported is stable.
    for (name, node) in document where !ConfigSchema.sections.contains(name) {
      if case .table = node { throw .unknownSection(section: name, known: ConfigSchema.sections) }
      throw .unknownKey(key: name, known: ConfigSchema.sections)
    }
    for section in ConfigSchema.sections {
      guard let node = document.first(where: { $0.0 == section })?.1 else { continue }
      guard case let .table(entries) = node else {
        throw .wrongType(key: section, value: node.literal, expected: "a table [\(section)]")
      }
      for (name, value) in entries {
        try field(section: section, name: name).assign(&config, value, baseDirectory)
      }
    }
  }

  /// Applies one `section.key=value` override.
  private static func apply(override text: String, to config: inout RunConfig,
                            baseDirectory: String) throws(ConfigError) {
    guard let eq = text.firstIndex(of: "=") else {
      throw .malformedOverride(override: text, reason: "expected section.key=value")
    }
    let path = text[..<eq].trimmingCharacters(in: .whitespaces)
    let rawValue = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
    let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2, parts.allSatisfy({ isBareKey($0) }) else {
      throw .malformedOverride(override: text,
                               reason: "the key must be section.key (e.g. run.rounds), got \"\(path)\"")
    }
    guard !rawValue.isEmpty else {
      throw .malformedOverride(override: text, reason: "missing value after \"=\"")
    }
    guard !rawValue.contains(where: \.isNewline) else {
      throw .malformedOverride(override: text, reason: "the value must be on one line")
    }
    let value: ConfigNode
    do {
      value = try overrideValue(rawValue, override: text)
      let f = try field(section: parts[0], name: parts[1])
      try f.assign(&config, value, baseDirectory)
    } catch {
      if case .malformedOverride = error { throw error }
      throw .inOverride(override: text, error: error)
    }
  }

  /// The override's value as TOML, or a bare word taken as a string.
  private static func overrideValue(_ raw: String, override: String) throws(ConfigError) -> ConfigNode {
    do {
      let doc = try ConfigNode.parseDocument("value = \(raw)\n", source: "--set \(override)")
      if doc.count == 1, doc[0].0 == "value" { return doc[0].1 }
    } catch {
      let structural: Set<Character> = ["\"", "'", "[", "]", "{", "}", "=", "#", ","]
      guard raw.contains(where: { structural.contains($0) }) else { return .string(raw) }
      if case let .syntax(_, _, column, message) = error {
        // Columns count from the start of "value = ".
        let at = column.map { " at column \(max(1, $0 - 8))" } ?? ""
        throw .malformedOverride(override: override, reason: "not a TOML value\(at): \(message)")
      }
      throw .malformedOverride(override: override, reason: "not a TOML value")
    }
    throw .malformedOverride(override: override, reason: "not a single TOML value")
  }

  private static func isBareKey(_ s: String) -> Bool {
    !s.isEmpty && s.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
    }
  }
}
