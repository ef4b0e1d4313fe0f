import Foundation

/// The tiny distributed scenario the checkpoint and snapshot tests run (N = 200, K = 4,
/// 20 quadrature nodes, 10 warm-up rounds, α = 2e-4, diagnostics every 10 rounds), as TOML;
/// `snapshotEvery` 0 by default (no snapshots: the scenario the checkpoint tests were written
/// for, e.g. the 100 KiB disk-full case); nil leaves the key out (the config default, 250).
public func tinyScenarioTOML(rounds: Int, checkpointEvery: Int, keepCheckpoints: Int,
                             snapshotEvery: Int? = 0) -> String {
  """
  [agents]
  count = 200
  [basis]
  degree = 4
  quadrature_nodes = 20
  [run]
  rounds = \(rounds)
  warmup = 10
  alpha = 2e-4
  diag_every = 10
  [output]
  checkpoint_every = \(checkpointEvery)
  keep_checkpoints = \(keepCheckpoints)
  """ + (snapshotEvery.map { "\nsnapshot_every = \($0)" } ?? "")
}

/// A new empty directory `macroopt-<prefix>-<tag>-<UUID>` under the temporary directory.
public func makeTemporaryDirectory(prefix: String, _ tag: String) throws -> String {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("macroopt-\(prefix)-\(tag)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url.path
}
