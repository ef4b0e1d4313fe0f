// SpaceReservation: disk space claimed for a file before a collective parallel-HDF5 write.
//
// Why: when a write fails for lack of space inside H5Fclose/H5Fflush on some ranks only,
// parallel HDF5 leaves the ranks in different collectives (one in the metadata cache's
// barrier, another in the truncate's broadcast) and the job hangs. Reserving the file's
// whole size first (rank 0, agreed by all ranks) turns "disk full" into an error every rank
// sees before the first byte is written; the reservation is released after the close.
import CShims
import Foundation

enum SpaceReservation {
  /// Bytes to reserve for a file holding `doubles` values and attributes of about
  /// `attributeBytes`: the data, the attributes counted twice (their text and HDF5's
  /// object headers), and 32 KiB for the superblock, B-trees and heaps (a checkpoint of
  /// 200 agents measured 5.8 KiB beyond its data, a snapshot 9.3 KiB).
  static func size(doubles: Int, attributeBytes: Int) -> Int {
    doubles * MemoryLayout<Double>.size + 2 * attributeBytes + 32 * 1024
  }

  /// Reserves `bytes` for the existing file `path` (its size does not change). nil, or the
  /// reason in the system's words ("No space left on device", "Disk quota exceeded"). Local.
  static func reserve(_ path: String, bytes: Int) -> String? {
    let rc = cshims_reserve_space(path, Int64(bytes))
    guard rc != 0 else { return nil }
    return "cannot reserve \(bytes) bytes: \(String(cString: strerror(rc)))"
  }

  /// Gives back what was reserved beyond the file's end. Local; best effort (the file is
  /// complete either way).
  static func release(_ path: String) {
    _ = cshims_release_reserve(path)
  }
}
