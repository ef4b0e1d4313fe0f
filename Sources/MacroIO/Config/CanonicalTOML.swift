import HashKit
import MacroCore

/// The canonical serialization of a RunConfig: every section and key in the fixed order of
/// DESIGN.md section 8, one `key = value` a line, doubles in Swift's shortest round-trip
/// form, no comments. Deterministic (same config → same bytes on every rank and machine)
/// and parses back to the same RunConfig. Checkpoints store it. Local.
public func canonicalTOML(_ c: RunConfig) -> String {
  var out = ""
  var section = ""
  for field in ConfigSchema.fields {
    if field.section != section {
      if !section.isEmpty { out += "\n" }
      section = field.section
      out += "[\(section)]\n"
    }
    out += "\(field.name) = \(field.literal(c))\n"
  }
  return out
}

/// SHA-256 (lowercase hex) of ``canonicalTOML(_:)``'s UTF-8 bytes: the config's identity in
/// checkpoints. Local.
public func configHash(_ c: RunConfig) -> String {
  var h = SHA256()
  h.update(string: canonicalTOML(c))
  return h.hexDigest
}
