// SnapshotSeries: the XDMF 3 file that makes the snapshot files one time series for ParaView.
import Foundation

/// `OUT/snapshots/snapshots.xdmf`: an XDMF 3 temporal collection with one Uniform Grid per
/// snapshot file (Time = round) that ParaView 5.11 draws with its default representation:
///
/// * Topology: `Polyvertex`, N elements of 1 node, explicit connectivity `/global_id`
///   (N × 1): one vertex cell per agent (without a connectivity DataItem ParaView's reader
///   makes 0 cells and the default Surface representation draws nothing);
/// * Geometry: `XYZ` from `/points` (N × 3; z = 0 for d = 2, y = z = 0 for d = 1);
/// * Attributes (node-centred scalars): `global_id` and `travelled` (|x_i − x_i⁰|).
///
/// Paths are relative to the XDMF file (same directory). Local.
public enum SnapshotSeries {
  /// The XDMF text for `rounds` (ascending), N agents (the layout does not depend on the
  /// dimension d: every snapshot file carries 3-component `/points`).
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
                <Topology TopologyType="Polyvertex" NumberOfElements="\(n)" NodesPerElement="1">
                  \(dataItem(file, SnapshotFormat.globalIDDatasetName, n, 1))
                </Topology>
                <Geometry GeometryType="XYZ">
                  \(dataItem(file, SnapshotFormat.pointsDatasetName, n, 3))
                </Geometry>
                <Attribute Name="global_id" AttributeType="Scalar" Center="Node">
                  \(dataItem(file, SnapshotFormat.globalIDDatasetName, n, 1))
                </Attribute>
                <Attribute Name="travelled" AttributeType="Scalar" Center="Node">
                  \(dataItem(file, SnapshotFormat.travelledDatasetName, n, 1))
                </Attribute>
              </Grid>

        """
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
