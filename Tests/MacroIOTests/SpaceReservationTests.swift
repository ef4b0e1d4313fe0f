import Foundation
import MacroEngine
import MPIKit
import Testing
import _TestSupport
@testable import MacroIO

/// SpaceReservation: the size reserved before a collective HDF5 write covers the whole file
/// that is then written (else a full disk could still fail inside H5Fclose on one rank and
/// hang the job), and what was reserved past the file's end is given back.
@Suite(.serialized) struct SpaceReservationTests {
  /// Allocated bytes of `path` (st_blocks × 512) and its apparent size.
  func sizes(_ path: String) throws -> (allocated: Int, apparent: Int) {
    var st = stat()
    #expect(stat(path, &st) == 0)
    return (Int(st.st_blocks) * 512, Int(st.st_size))
  }

  @Test(arguments: [(1, 1), (2, 100), (3, 5000)]) func snapshotsFitTheirReservationAndReleaseTheRest(d: Int, n: Int) throws {
    try SingletonMPI.initialize()
    try withHDF5 {
      let dir = try makeTemporaryDirectory("reserve\(d)") + "/snapshots"
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let partition = try Partition(agentCount: n, rankCount: 1, blockSize: 8)
      let x = (0..<(n * d)).map { cos(Double($0)) }
      let path = try SnapshotWriter.write(x: x, x0: x, round: 3, dimension: d, partition: partition, comm: .world,
                                          directory: dir)
      let (allocated, apparent) = try sizes(path)
      let reserved = SpaceReservation.size(doubles: n * (d + 5), attributeBytes: 1024)
      #expect(apparent <= reserved, "the file outgrew its reservation: \(apparent) > \(reserved) bytes")
      // Released: no more than the file's own blocks (rounded up to 64 KiB of extents) stay allocated.
      #expect(allocated <= (apparent + 65535) / 65536 * 65536, "\(allocated) bytes allocated for a \(apparent)-byte file")
    }
  }

  @Test func reservingClaimsTheBlocksAndReleasingGivesThemBack() throws {
    let dir = try makeTemporaryDirectory("reserve-raw")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/f"
    #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 5000)))
    #expect(SpaceReservation.reserve(path, bytes: 8 << 20) == nil)
    let (reserved, apparent) = try sizes(path)
    #expect(apparent == 5000)
    #expect(reserved >= 8 << 20)
    SpaceReservation.release(path)
    #expect(try sizes(path).allocated <= 65536)
    #expect(try sizes(path).apparent == 5000)
    let missing = SpaceReservation.reserve(dir + "/absent", bytes: 10)
    #expect(missing?.contains("No such file or directory") == true)
  }
}
