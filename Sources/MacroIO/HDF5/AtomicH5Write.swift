// AtomicH5Write: one HDF5 file written by every rank and published whole — the protocol
// checkpoints and snapshots share (docs/DESIGN.md §7).
import Foundation
import MPIKit

enum AtomicH5Write {
  /// Writes `final` through `final.tmp`:
  ///
  /// 1. rank 0 creates the directory and removes a stale temporary;
  /// 2. the temporary is created with MPI-IO (collective) and rank 0 reserves `bytes` for it
  ///    on disk (``SpaceReservation``: a full disk or quota fails here, before any collective
  ///    write can fail on one rank only and hang the others inside HDF5);
  /// 3. `body(file)` writes the datasets and attributes (collective; it agrees on its own
  ///    failures, so it throws on every rank alike);
  /// 4. the file is closed; rank 0 releases the unused reservation, fsyncs the file (when
  ///    `durable`), renames it over `final`, fsyncs the directory (when `durable`) and runs
  ///    `published()` (retention, the snapshots' XDMF).
  ///
  /// Ranks agree after every step, so a failure anywhere throws the same error on every rank;
  /// the temporary is removed and `final` and older files are untouched. Collective.
  static func write<E: AgreedError>(_ final: String, comm: Communicator, reserving bytes: Int, durable: Bool,
                                    body: (H5File) throws(E) -> Void, published: () throws(E) -> Void) throws(E) {
    let tmp = final + ".tmp"
    let directory = (final as NSString).deletingLastPathComponent
    try CollectiveAgreement.agree(comm, path: final) { () throws(E) in
      guard comm.rank == 0 else { return }
      do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
        throw E.agreementFailed(path: final, reason: "cannot create directory \(directory): \(fileErrorReason(error))")
      }
      if FileManager.default.fileExists(atPath: tmp) { try? FileManager.default.removeItem(atPath: tmp) }
    }
    let file = try CollectiveAgreement.agree(comm, path: final) { () throws(E) -> H5File in
      do throws(HDF5Error) { return try H5File.create(path: tmp, comm: comm) } catch {
        throw E.agreementFailed(path: final, reason: error.reason)
      }
    }
    do throws(E) {
      try CollectiveAgreement.agree(comm, path: final) { () throws(E) in
        guard comm.rank == 0, let e = SpaceReservation.reserve(tmp, bytes: bytes) else { return }
        throw E.agreementFailed(path: final, reason: e)
      }
      try body(file)
    } catch {
      try? file.close()
      if comm.rank == 0 { try? FileManager.default.removeItem(atPath: tmp) }
      throw error
    }
    try CollectiveAgreement.agree(comm, path: final) { () throws(E) in
      do throws(HDF5Error) { try file.close() } catch { throw E.agreementFailed(path: final, reason: "closing: \(error.reason)") }
    }
    try CollectiveAgreement.agree(comm, path: final) { () throws(E) in
      guard comm.rank == 0 else { return }
      SpaceReservation.release(tmp)
      if let e = (durable ? CheckpointDirectory.fsync(path: tmp, directory: false) : nil) ?? CheckpointDirectory.rename(tmp, final) {
        try? FileManager.default.removeItem(atPath: tmp)
        throw E.agreementFailed(path: final, reason: e)
      }
      if durable { _ = CheckpointDirectory.fsync(path: directory, directory: true) }
      try published()
    }
  }
}
