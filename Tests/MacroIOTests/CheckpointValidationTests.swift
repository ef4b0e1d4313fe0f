import Foundation
import HashKit
import MacroCore
import Testing
import _TestSupport
@testable import MacroIO

/// The tiny scenario with `rounds` rounds, a checkpoint every `every`, `keep` kept.
func tinyCheckpointConfig(rounds: Int, every: Int, keep: Int = 4) -> String {
  tinyScenarioTOML(rounds: rounds, checkpointEvery: every, keepCheckpoints: keep)
}

/// Damaged checkpoints are refused by `macroopt resume` with a message naming the failed
/// check, and `run --resume auto` falls back to the previous one (mpirun subprocesses).
@Suite(.serialized) struct CheckpointValidationTests {
  /// Writes the config and runs 40 rounds on 2 ranks once: checkpoints at 10, 20, 30, 40.
  static let fixture: Result<(config: String, checkpoints: String), any Error> = Result {
    let dir = try makeTemporaryDirectory("checkpointValidationFixture")
    let config = dir + "/tiny.toml"
    try writeFile(config, tinyCheckpointConfig(rounds: 40, every: 10))
    let r = try MPIRun.run(np: 2, "macroopt", ["run", config, "--output", dir + "/out"], timeout: 120)
    guard r.exitCode == 0 else { throw ProcessFailure.launchFailed(command: r.command, reason: "\(r)") }
    return (config, dir + "/out/checkpoints")
  }

  /// A fresh output directory holding a copy of the fixture's checkpoints.
  func copyOfRun(_ tag: String = #function) throws -> (config: String, out: String, newest: String) {
    let (config, checkpoints) = try Self.fixture.get()
    let out = try makeTemporaryDirectory(tag)
    try FileManager.default.copyItem(atPath: checkpoints, toPath: out + "/checkpoints")
    return (config, out, out + "/checkpoints/round-00000040.h5")
  }

  func resume(_ file: String) throws -> ProcessResult {
    try MPIRun.run(np: 2, "macroopt", ["resume", file, "--rounds", "50", "--output", file + ".out"], timeout: 120)
  }

  func resumeAuto(_ config: String, _ out: String, _ extra: [String] = []) throws -> ProcessResult {
    try MPIRun.run(np: 2, "macroopt", ["run", config, "--output", out, "--resume", "auto", "--set", "run.rounds=50"] + extra,
                   timeout: 120)
  }

  func summary(_ out: String) throws -> [String: Any] { try RunOutput(out).summary() }

  /// The refused newest checkpoint makes `--resume auto` continue from round 30.
  func expectFallbackToRound30(_ config: String, _ out: String, _ refusal: String) throws {
    let r = try resumeAuto(config, out)
    let text = r.stdout + r.stderr
    #expect(r.exitCode == 0, "\(r)")
    #expect(text.contains(refusal) && text.contains("falling back to the previous checkpoint"), "\(r)")
    #expect(text.contains("resuming from \(out)/checkpoints/round-00000030.h5 at round 30"), "\(r)")
    #expect(try summary(out)["resumed_round"] as? Int == 30)
  }

  @Test func flippedBytesInADatasetFailTheChecksum() throws {
    let (config, out, newest) = try copyOfRun()
    let offset = try withHDF5 { () throws -> UInt64 in
      let f = try H5File.open(path: newest, comm: nil)
      defer { try? f.close() }
      return try #require(try f.openDataset("theta").fileOffset)
    }
    let h = try FileHandle(forUpdating: URL(fileURLWithPath: newest))
    try h.seek(toOffset: offset + 808)
    let old = try #require(try h.read(upToCount: 3))
    try h.seek(toOffset: offset + 808)
    try h.write(contentsOf: Data(old.map { $0 ^ 0x5A }))
    try h.close()
    let r = try resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("refused (checksum mismatch, corrupt data): dataset /theta"), "\(r)")
    try expectFallbackToRound30(config, out, "checksum mismatch")
  }

  @Test func aTruncatedFileIsRefused() throws {
    let (config, out, newest) = try copyOfRun()
    let size = try #require(try FileManager.default.attributesOfItem(atPath: newest)[.size] as? Int)
    let h = try FileHandle(forUpdating: URL(fileURLWithPath: newest))
    try h.truncate(atOffset: UInt64(size / 2))
    try h.close()
    let r = try resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("refused (unreadable or truncated): truncated: \(size / 2) of \(size) bytes"), "\(r)")
    #expect(!r.stderr.contains("H5F"), "HDF5's call stack in a user's message: \(r)")
    try expectFallbackToRound30(config, out, "unreadable or truncated")
  }

  @Test func aReplacedDatasetOfAnotherShapeIsRefused() throws {
    let (config, out, newest) = try copyOfRun()
    try withHDF5 {
      let f = try H5File.open(path: newest, mode: .readWrite, comm: nil)
      try f.remove("sigma")
      let ds = try f.createDataset("sigma", rows: 200, cols: 15)
      let zeros = [Double](repeating: 0, count: 200 * 15)
      try zeros.withUnsafeBufferPointer { try ds.writeRows($0, start: 0, count: 200) }
      try ds.close()
      try f.close()
    }
    let r = try resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("refused (dataset shape): dataset /sigma is 200 × 15, expected 200 × 14"), "\(r)")
    try expectFallbackToRound30(config, out, "dataset shape")
  }

  @Test func aForeignFormatVersionIsRefused() throws {
    let (config, out, newest) = try copyOfRun()
    try withHDF5 {
      let f = try H5File.open(path: newest, mode: .readWrite, comm: nil)
      try f.setAttribute("format_version", Int64(3))
      try f.close()
    }
    let r = try resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("not a MacroOpt checkpoint of format version 2): format_version = 3, expected 2"), "\(r)")
    try expectFallbackToRound30(config, out, "format_version = 3")
    // A plain HDF5 file that is not a checkpoint at all.
    let plain = out + "/plain.h5"
    try withHDF5 { try H5File.create(path: plain, comm: nil).close() }
    let p = try resume(plain)
    #expect(p.exitCode == 2 && p.stderr.contains("attribute format is missing"), "\(p)")
  }

  /// Another run's checkpoints (issue 16): `--resume auto` with another configuration refuses
  /// to start (exit 2, naming them, the differing keys and the ways out) and changes nothing;
  /// with `--overwrite` it deletes them and starts fresh.
  @Test func aDifferentConfigurationIsRefusedAndOverwriteStartsFresh() throws {
    let (config, out, _) = try copyOfRun()
    let before = try FileManager.default.contentsOfDirectory(atPath: out + "/checkpoints").sorted()
    let r = try resumeAuto(config, out, ["--set", "run.alpha=1e-4"])
    let text = r.stdout + r.stderr
    #expect(r.exitCode == 2, "\(r)")
    #expect(text.contains("holds checkpoints of another run"), "\(r)")
    #expect(text.contains("run.alpha (checkpoint 0.0002, now 0.0001)"), "\(r)")
    #expect(text.contains("--overwrite") && text.contains("--output"), "\(r)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/checkpoints").sorted() == before)
    #expect(!FileManager.default.fileExists(atPath: out + "/summary.json"))
    let o = try resumeAuto(config, out, ["--set", "run.alpha=1e-4", "--overwrite"])
    #expect(o.exitCode == 0, "\(o)")
    #expect((o.stdout + o.stderr).contains("no checkpoint in \(out)/checkpoints: starting from round 0"), "\(o)")
    #expect(try summary(out)["resumed_round"] == nil)
    #expect(try summary(out)["rounds"] as? Int == 50)
  }

  /// A checkpoint written before `run.consensus_steps` and `run.consensus_acceleration` existed
  /// (its stored config lacks them; simulated by removing both lines and re-hashing) cannot be
  /// continued bitwise with today's defaults: `resume` refuses it with exit 2, naming the keys.
  @Test func aCheckpointWhoseConfigLacksNewerKeysIsRefused() throws {
    let (_, _, newest) = try copyOfRun()
    try withHDF5 {
      let f = try H5File.open(path: newest, mode: .readWrite, comm: nil)
      let stored = try f.stringAttribute("config")
      let old = stored.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.hasPrefix("consensus_steps") && !$0.hasPrefix("consensus_acceleration") }
        .joined(separator: "\n")
      #expect(old != stored)
      var h = SHA256()
      h.update(string: old)
      try f.setAttribute("config", old)
      try f.setAttribute("config_hash", h.hexDigest)
      try rewriteHeader(f, ["config_hash": h.hexDigest])  // as an older writer would have recorded it
      try f.close()
    }
    let r = try resume(newest)
    #expect(r.exitCode == 2, "\(r)")
    #expect(r.stderr.contains("lacks run.consensus_steps, run.consensus_acceleration (written by an older macroopt)"), "\(r)")
  }
}
