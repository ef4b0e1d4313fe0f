import Foundation
import MacroCore
import Testing
import _TestSupport
@testable import MacroIO

/// The HDF5 library here is not built thread-safe: tests that call it hold this lock.
let hdf5TestLock = NSLock()

func withHDF5<R>(_ body: () throws -> R) rethrows -> R {
  hdf5TestLock.lock()
  defer { hdf5TestLock.unlock() }
  return try body()
}

/// Checkpoint naming, listing, retention, the resume hash, and the serial HDF5 layer.
@Suite struct CheckpointFormatTests {
  @Test func fileNamesRoundTripAndIgnoreTemporaries() {
    #expect(CheckpointFormat.fileName(round: 200) == "round-00000200.h5")
    #expect(CheckpointFormat.round(fileName: "round-00000200.h5") == 200)
    #expect(CheckpointFormat.round(fileName: "round-00000200.h5.tmp") == nil)
    #expect(CheckpointFormat.round(fileName: "round-200.h5") == nil)
    #expect(CheckpointFormat.round(fileName: "round-0000020x.h5") == nil)
  }

  @Test func listIsNewestFirstAndPruneKeepsTheNewest() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for name in ["round-00000010.h5", "round-00000030.h5", "round-00000020.h5", "round-00000040.h5.tmp", "notes.txt"] {
      try writeFile(dir + "/" + name, "x")
    }
    #expect(CheckpointDirectory.list(dir).map(\.round) == [30, 20, 10])
    CheckpointDirectory.prune(dir, keep: 2)
    let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(left == ["notes.txt", "round-00000020.h5", "round-00000030.h5"])
  }

  @Test func resumeHashIgnoresRoundsAndOutputButNotTheModel() {
    var a = RunConfig.default
    var b = a
    b.run.rounds = 12345
    b.run.diagEvery = 7
    b.output.dir = "elsewhere"
    b.output.checkpointEvery = 3
    #expect(resumeHash(a) == resumeHash(b))
    #expect(configHash(a) != configHash(b))
    a.run.alpha = 1e-4
    #expect(resumeHash(a) != resumeHash(b))
    let diff = CheckpointReader.configDifferences(stored: canonicalTOML(b), current: canonicalTOML(a))
    #expect(diff.count == 1 && diff[0].hasPrefix("run.alpha"), "\(diff)")
  }

  @Test func serialHDF5RoundTripOfRowBlocksAndAttributes() throws { try withHDF5 {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/t.h5"
    let rows = 7, cols = 3
    let data = (0..<(rows * cols)).map { Double($0) * 0.5 - 3 }
    let f = try H5File.create(path: path, comm: nil)
    let ds = try f.createDataset("a", rows: rows, cols: cols)
    // Two row blocks, written in reverse order.
    try data.withUnsafeBufferPointer { p in
      try ds.writeRows(UnsafeBufferPointer(rebasing: p[(4 * cols)...]), start: 4, count: 3)
      try ds.writeRows(UnsafeBufferPointer(rebasing: p[..<(4 * cols)]), start: 0, count: 4)
    }
    try ds.close()
    try f.setAttribute("n", Int64(-42))
    try f.setAttribute("pi", Double.pi)
    try f.setAttribute("text", "héllo = \"world\"\n[x]")
    try f.close()

    let g = try H5File.open(path: path, comm: nil)
    let r = try g.openDataset("a")
    #expect(r.rows == rows && r.cols == cols)
    #expect(try r.readRows(start: 0, count: rows) == data)
    #expect(try r.readRows(start: 2, count: 3) == Array(data[6..<15]))
    #expect(try r.readRows(start: 5, count: 0) == [])
    #expect(try g.int64Attribute("n") == -42)
    #expect(try g.doubleAttribute("pi") == Double.pi)
    #expect(try g.stringAttribute("text") == "héllo = \"world\"\n[x]")
    #expect(try !g.hasAttribute("missing"))
    #expect(throws: HDF5Error.self) { try g.int64Attribute("missing") }
    try r.close()
    try g.close()
    // Independent reader: h5dump prints the dataset's shape and values.
    let dump = try runProcess(URL(fileURLWithPath: "/usr/bin/h5dump"), ["-d", "/a", path])
    #expect(dump.stdout.contains("DATASPACE  SIMPLE { ( 7, 3 ) / ( 7, 3 ) }"), "\(dump)")
    #expect(dump.stdout.contains("(6,0): 6, 6.5, 7"), "\(dump)")
  } }

  @Test func openingGarbageIsAnHDF5ErrorWithTheLibrarysReason() throws { try withHDF5 {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeFile(dir + "/junk.h5", String(repeating: "not hdf5 ", count: 100))
    do {
      _ = try H5File.open(path: dir + "/junk.h5", comm: nil)
      Issue.record("opened a non-HDF5 file")
    } catch let error as HDF5Error {
      #expect(error.call.hasPrefix("H5Fopen"))
      #expect(error.detail.contains("signature") || error.detail.contains("unable to open"), "\(error)")
      #expect(error.reason == "not an HDF5 file", "\(error)")
    }
  } }
}
