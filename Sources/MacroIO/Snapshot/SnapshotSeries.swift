// SnapshotSeries: the XDMF 3 file that makes the snapshot files one time series for ParaView.
import Foundation

/// `OUT/snapshots/snapshots.xdmf`: an XDMF 3 temporal collection with one Uniform Grid per
/// snapshot file: Time = round, Polyvertex topology of N nodes (one vertex cell per agent,
/// implicit connectivity), Geometry from the file's `/x`:
///
/// * d = 2: `XY`, one DataItem `N 2` → `snapshot-NNNNNNNN.h5:/x`;
/// * d = 3: `XYZ`, one DataItem `N 3`;
/// * d = 1: `X_Y`, two DataItems `N 1`: `/x` and `/zero` (a column of zeros the snapshot
///   file carries for this purpose), so the agents show on the x axis.
///
/// Paths are relative to the XDMF file (same directory). Local.
public enum SnapshotSeries {
  /// The XDMF text for `rounds` (ascending), N agents in dimension d.
  public static func xdmf(rounds: [Int], agents n: Int, dimension d: Int) -> String {
    var out = """
      <?xml version="1.0" encoding="utf-8"?>
      <!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>
      <Xdmf Version="3.0" xmlns:xi="http://www.w3.org/2001/XInclude">
        <Domain>
          <Grid Name="agents" GridType="Collection" CollectionType="Temporal">

      """
    for r in rounds {
      let file = SnapshotFormat.fileName(round: r)
      out += """
              <Grid Name="round \(r)" GridType="Uniform">
                <Time Value="\(r)"/>
                <Topology TopologyType="Polyvertex" NumberOfElements="\(n)" NodesPerElement="1"/>

        """
      switch d {
      case 1:
        out += """
                  <Geometry GeometryType="X_Y">
                    \(dataItem(file, SnapshotFormat.datasetName, n, 1))
                    \(dataItem(file, SnapshotFormat.zeroDatasetName, n, 1))
                  </Geometry>

          """
      default:
        out += """
                  <Geometry GeometryType="\(d == 2 ? "XY" : "XYZ")">
                    \(dataItem(file, SnapshotFormat.datasetName, n, d))
                  </Geometry>

          """
      }
      out += "      </Grid>\n"
    }
    out += """
          </Grid>
        </Domain>
      </Xdmf>

      """
    return out
  }

  static func dataItem(_ file: String, _ dataset: String, _ rows: Int, _ cols: Int) -> String {
    "<DataItem Dimensions=\"\(rows) \(cols)\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">\(file):/\(dataset)</DataItem>"
  }

  /// Rewrites `directory/snapshots.xdmf` (temporary file + rename, so a reader never sees
  /// a torn file) listing every snapshot file in `directory` with round ≤ `upTo`. Local
  /// (rank 0). Returns the rounds listed.
  @discardableResult
  public static func write(directory: String, upTo: Int, agents n: Int, dimension d: Int) throws(OutputFileError) -> [Int] {
    let rounds = SnapshotFormat.list(directory, upTo: upTo).map(\.round)
    try writeAtomically(path: directory + "/" + SnapshotFormat.seriesFileName,
                        contents: xdmf(rounds: rounds, agents: n, dimension: d))
    return rounds
  }
}
