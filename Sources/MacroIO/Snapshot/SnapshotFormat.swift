// SnapshotFormat: names, listing and schedule of the position snapshots (OUT/snapshots).
import Foundation

/// The snapshot series of a run (DESIGN §5, §8): `OUT/snapshots/snapshot-NNNNNNNN.h5`, one
/// file per snapshot round, dataset `/x` (N × d doubles, global-id order; for d = 1 also
/// `/zero`, N × 1 zeros, the second coordinate ParaView needs), root attributes `round`,
/// `agents`, `dimension`; and `OUT/snapshots/snapshots.xdmf` (XDMF 3 temporal collection
/// over the files). Local.
public enum SnapshotFormat {
  public static let datasetName = "x"
  /// The zero column of 1-D snapshots (Geometry X_Y = (/x, /zero)).
  public static let zeroDatasetName = "zero"
  public static let seriesFileName = "snapshots.xdmf"

  /// `OUT/snapshots`.
  public static func directory(outputDir: String) -> String { outputDir + "/snapshots" }

  /// `snapshot-NNNNNNNN.h5` (8 digits, wider past 10⁸ rounds).
  public static func fileName(round: Int) -> String { String(format: "snapshot-%08d.h5", round) }

  /// The round of a completed snapshot's file name; nil for anything else (temporaries too).
  public static func round(fileName name: String) -> Int? {
    guard name.hasPrefix("snapshot-"), name.hasSuffix(".h5") else { return nil }
    let digits = name.dropFirst(9).dropLast(3)
    guard digits.count >= 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(digits)
  }

  /// Completed snapshots in `directory`, oldest (lowest round) first; with `upTo`, only those
  /// with round ≤ upTo. Local.
  public static func list(_ directory: String, upTo: Int? = nil) -> [(round: Int, path: String)] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.compactMap { name in round(fileName: name).map { ($0, directory + "/" + name) } }
      .filter { entry in upTo.map { entry.round <= $0 } ?? true }
      .sorted { $0.round < $1.round }
  }

  /// Whether round `r` gets a snapshot: `every` > 0 and r = 0, r a multiple of `every`, or
  /// r = the final round. Local.
  public static func isDue(round r: Int, every: Int, finalRound: Int) -> Bool {
    every > 0 && (r == 0 || r % every == 0 || r == finalRound)
  }
}
