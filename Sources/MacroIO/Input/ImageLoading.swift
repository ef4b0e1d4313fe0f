import MacroCore

/// Loads a grayscale image target (`target.kind = "image"`): dark pixels carry the mass.
/// Local.
func loadImageTarget(path: String) throws -> TargetDensity {
  try ImageTarget(path: path)
}
