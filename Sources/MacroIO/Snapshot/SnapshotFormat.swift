// SnapshotFormat: names, listing and schedule of the position snapshots (OUT/snapshots).
import Foundation

/// The snapshot series of a run (DESIGN §5, §8): `OUT/snapshots/snapshot-NNNNNNNN.h5`, one
/// file per snapshot round, all datasets in global-id order (row i = agent i):
///
/// * `/x` (N × d doubles): the positions;
/// * `/points` (N × 3): the positions padded with zeros to 3 components (ParaView's points);
/// * `/global_id` (N × 1 doubles, the integers 0 … N−1, exact below 2⁵³): the XDMF vertex
///   cells' connectivity and a per-agent scalar;
/// * `/travelled` (N × 1): |x_i − x_i⁰|, the straight-line distance from the initial position;
///
/// root attributes `round`, `agents`, `dimension`; and `OUT/snapshots/snapshots.xdmf`
/// (XDMF 3 temporal collection over the files). 8·(d + 5)·N bytes a file (56 kB at
/// N = 1000, d = 2) plus ~4 kB of HDF5 metadata (60,096 bytes measured). Local.
public enum SnapshotFormat {
  public static let datasetName = "x"
  /// The positions as 3-component points (the XDMF Geometry).
  public static let pointsDatasetName = "points"
  /// The global ids 0 … N−1 as doubles (the XDMF Topology connectivity and an Attribute).
  public static let globalIDDatasetName = "global_id"
  /// |x_i − x_i⁰| (an XDMF Attribute).
  public static let travelledDatasetName = "travelled"
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
