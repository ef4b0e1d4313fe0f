// RawH5Dataset: an owned 2-D dataset of doubles with row-block (hyperslab) reads and writes.
import CHDF5

/// A rows × cols dataset of doubles, row-major. Row-block reads on a parallel file are
/// collective (MPI-IO collective mode), writes independent (see ``writeRows(_:start:count:)``);
/// every rank of the file's communicator calls both, ranks with no rows pass count 0. Close
/// with ``close()``.
public final class H5Dataset {
  let id: hid_t
  public let name: String
  public let rows: Int
  public let cols: Int
  let parallel: Bool
  private var isOpen = true

  init(id: hid_t, name: String, rows: Int, cols: Int, parallel: Bool) {
    self.id = id
    self.name = name
    self.rows = rows
    self.cols = cols
    self.parallel = parallel
  }

  deinit {
    if isOpen { _ = H5Dclose(id) }
  }

  public func close() throws(HDF5Error) {
    guard isOpen else { return }
    isOpen = false
    try RawHDF5.check(H5Dclose(id), "H5Dclose \(name)")
  }

  /// (rows, cols) of a 1-D or 2-D dataset.
  static func shape(of d: hid_t, name: String) throws(HDF5Error) -> (Int, Int) {
    let space = try RawHDF5.id(H5Dget_space(d), "H5Dget_space \(name)")
    defer { _ = H5Sclose(space) }
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank == 1 || rank == 2 else {
      throw HDF5Error(call: "H5Dopen2 \(name)", detail: "dataset has \(rank) dimensions, expected 2")
    }
    var dims: [hsize_t] = [0, 0]
    try RawHDF5.check(H5Sget_simple_extent_dims(space, &dims, nil), "H5Sget_simple_extent_dims \(name)")
    return (Int(dims[0]), rank == 2 ? Int(dims[1]) : 1)
  }

  /// The byte offset of the data in the file (contiguous layout; tests that corrupt data),
  /// nil when not allocated. Local.
  public var fileOffset: UInt64? {
    let o = H5Dget_offset(id)
    return o == chdf5_haddr_undef() ? nil : UInt64(o)
  }

  /// Writes rows `start ..< start+count` from `data` (count × cols doubles). Each rank writes
  /// its own rows on its own (MPI-IO independent mode: a rank's rows are one contiguous file
  /// range, so two-phase collective buffering has nothing to merge), in pieces of about
  /// ``writePieceBytes``. Every rank of a parallel file still calls it (ranks with no rows
  /// pass count 0 and write nothing), like the collective calls around it.
  public func writeRows(_ data: UnsafeBufferPointer<Double>, start: Int, count: Int) throws(HDF5Error) {
    precondition(data.count >= count * cols && start >= 0 && start + count <= rows, "H5Dataset.writeRows: bad range")
    let piece = max(1, Self.writePieceBytes / (8 * max(1, cols)))
    var done = 0
    while done < count {
      let n = min(piece, count - done)
      let p = data.baseAddress! + done * cols
      try transfer(start: start + done, count: n, collective: false) { mem, file, xfer in
        H5Dwrite(id, chdf5_native_double(), mem, file, xfer, UnsafeRawPointer(p))
      }
      done += n
    }
  }

  /// Bytes a write call hands to MPI-IO (and so to pwrite): 1 MiB. On the reference machine
  /// (Linux VM, ext4) page-cache writes of ≥ 4 MiB a call ran 3–6× slower than 1 MiB ones, and
  /// one 216 MB H5Dwrite (σ of 10⁶ agents on 2 ranks) took 1.2–1.4 s against 0.16–0.19 s in
  /// 1 MiB pieces (docs/PERFORMANCE.md, "Checkpoint I/O").
  public static let writePieceBytes = 1 << 20

  /// Reads rows `start ..< start+count` (count × cols doubles). Collective on a parallel file.
  public func readRows(start: Int, count: Int) throws(HDF5Error) -> [Double] {
    precondition(start >= 0 && count >= 0 && start + count <= rows, "H5Dataset.readRows: bad range")
    var out = [Double](repeating: 0, count: max(1, count * cols))
    try out.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Double>) throws(HDF5Error) in
      let base = p.baseAddress!
      try transfer(start: start, count: count) { mem, file, xfer in
        H5Dread(id, chdf5_native_double(), mem, file, xfer, UnsafeMutableRawPointer(base))
      }
    }
    if count == 0 { out.removeAll() }
    return out
  }

  /// Sets up the memory and file selections and the transfer list, runs `body`.
  private func transfer(start: Int, count: Int, collective: Bool = true,
                        _ body: (hid_t, hid_t, hid_t) -> herr_t) throws(HDF5Error) {
    let file = try RawHDF5.id(H5Dget_space(id), "H5Dget_space \(name)")
    defer { _ = H5Sclose(file) }
    var memDims: [hsize_t] = [hsize_t(max(1, count * cols))]
    let mem = try RawHDF5.id(H5Screate_simple(1, &memDims, nil), "H5Screate_simple")
    defer { _ = H5Sclose(mem) }
    if count > 0 {
      var offset: [hsize_t] = [hsize_t(start), 0], size: [hsize_t] = [hsize_t(count), hsize_t(cols)]
      let ndims = H5Sget_simple_extent_ndims(file)
      if ndims == 1 { size = [hsize_t(count)]; offset = [hsize_t(start)] }
      try RawHDF5.check(H5Sselect_hyperslab(file, chdf5_select_set(), &offset, nil, &size, nil), "H5Sselect_hyperslab \(name)")
    } else {
      try RawHDF5.check(H5Sselect_none(file), "H5Sselect_none")
      try RawHDF5.check(H5Sselect_none(mem), "H5Sselect_none")
    }
    let xfer = try RawHDF5.id(H5Pcreate(chdf5_p_dataset_xfer()), "H5Pcreate(transfer)")
    defer { _ = H5Pclose(xfer) }
    if parallel {
      let mode = collective ? chdf5_mpio_collective() : chdf5_mpio_independent()
      try RawHDF5.check(H5Pset_dxpl_mpio(xfer, mode), "H5Pset_dxpl_mpio")
    }
    try RawHDF5.check(body(mem, file, xfer), "H5D transfer of rows \(start)..<\(start + count) of \(name)")
  }
}
