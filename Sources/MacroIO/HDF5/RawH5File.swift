// RawH5File: an owned HDF5 file handle, serial (sec2) or parallel (MPI-IO on a communicator).
import CHDF5
import MPIKit

/// An open HDF5 file. Parallel files (`comm` given) make every metadata operation
/// (create/open/close, dataset and attribute creation, attribute writes) collective over
/// `comm`: every rank calls them in the same order with the same arguments.
/// Close explicitly with ``close()``; `deinit` closes as a last resort.
public final class H5File {
  let id: hid_t
  public let path: String
  /// The communicator of a parallel file, nil for a serial one.
  public let comm: Communicator?
  private var isOpen = true

  public enum Mode: Sendable { case readOnly, readWrite }

  private init(id: hid_t, path: String, comm: Communicator?) {
    self.id = id
    self.path = path
    self.comm = comm
  }

  deinit {
    if isOpen { _ = H5Fclose(id) }
  }

  /// A file-access property list: MPI-IO on `comm`, or the default driver.
  private static func accessList(_ comm: Communicator?) throws(HDF5Error) -> hid_t {
    _ = RawHDF5.silenced
    let fapl = try RawHDF5.id(H5Pcreate(chdf5_p_file_access()), "H5Pcreate(file access)")
    if let comm {
      do throws(HDF5Error) { try RawHDF5.check(chdf5_set_fapl_mpio(fapl, comm.rawHandle), "H5Pset_fapl_mpio") } catch {
        _ = H5Pclose(fapl)
        throw error
      }
    }
    return fapl
  }

  /// Creates (truncates) `path`. Collective over `comm` when given.
  public static func create(path: String, comm: Communicator?) throws(HDF5Error) -> H5File {
    let fapl = try accessList(comm)
    defer { _ = H5Pclose(fapl) }
    let id = try RawHDF5.id(H5Fcreate(path, chdf5_f_acc_trunc(), chdf5_p_default(), fapl), "H5Fcreate \(path)")
    return H5File(id: id, path: path, comm: comm)
  }

  /// Opens an existing file. Collective over `comm` when given.
  public static func open(path: String, mode: Mode = .readOnly, comm: Communicator?) throws(HDF5Error) -> H5File {
    let fapl = try accessList(comm)
    defer { _ = H5Pclose(fapl) }
    let flags = mode == .readOnly ? chdf5_f_acc_rdonly() : chdf5_f_acc_rdwr()
    let id = try RawHDF5.id(H5Fopen(path, flags, fapl), "H5Fopen \(path)")
    return H5File(id: id, path: path, comm: comm)
  }

  /// Flushes buffers to the file system (MPI_File_sync for parallel files). Collective.
  public func flush() throws(HDF5Error) {
    try RawHDF5.check(H5Fflush(id, chdf5_scope_global()), "H5Fflush \(path)")
  }

  /// Closes the file (collective for parallel files). Closing twice is a no-op.
  public func close() throws(HDF5Error) {
    guard isOpen else { return }
    isOpen = false
    try RawHDF5.check(H5Fclose(id), "H5Fclose \(path)")
  }

  /// Whether a link (dataset) `name` exists in the root group. Local (metadata read).
  public func contains(_ name: String) throws(HDF5Error) -> Bool {
    try RawHDF5.truth(H5Lexists(id, name, chdf5_p_default()), "H5Lexists \(name)")
  }

  /// Removes the link `name` (tests: replacing a dataset). Collective for parallel files.
  public func remove(_ name: String) throws(HDF5Error) {
    try RawHDF5.check(H5Ldelete(id, name, chdf5_p_default()), "H5Ldelete \(name)")
  }

  /// Creates a rows × cols dataset of doubles (contiguous, allocated early, never
  /// filled). Collective for parallel files.
  public func createDataset(_ name: String, rows: Int, cols: Int) throws(HDF5Error) -> H5Dataset {
    var dims: [hsize_t] = [hsize_t(rows), hsize_t(cols)]
    let space = try RawHDF5.id(H5Screate_simple(2, &dims, nil), "H5Screate_simple \(name)")
    defer { _ = H5Sclose(space) }
    let dcpl = try RawHDF5.id(H5Pcreate(chdf5_p_dataset_create()), "H5Pcreate(dataset create)")
    defer { _ = H5Pclose(dcpl) }
    try RawHDF5.check(H5Pset_fill_time(dcpl, chdf5_fill_time_never()), "H5Pset_fill_time")
    let d = try RawHDF5.id(H5Dcreate2(id, name, chdf5_native_double(), space, chdf5_p_default(), dcpl, chdf5_p_default()),
                           "H5Dcreate2 \(name) in \(path)")
    return H5Dataset(id: d, name: name, rows: rows, cols: cols, parallel: comm != nil)
  }

  /// Opens the dataset `name`; it must be a 2-D (or 1-D: cols = 1) dataset of doubles.
  /// Collective for parallel files.
  public func openDataset(_ name: String) throws(HDF5Error) -> H5Dataset {
    let d = try RawHDF5.id(H5Dopen2(id, name, chdf5_p_default()), "H5Dopen2 \(name) in \(path)")
    do throws(HDF5Error) {
      let (rows, cols) = try H5Dataset.shape(of: d, name: name)
      let type = try RawHDF5.id(H5Dget_type(d), "H5Dget_type \(name)")
      defer { _ = H5Tclose(type) }
      guard try RawHDF5.truth(H5Tequal(type, chdf5_native_double()), "H5Tequal \(name)") else {
        throw HDF5Error(call: "H5Dopen2 \(name)", detail: "the dataset's element type is not a native double")
      }
      return H5Dataset(id: d, name: name, rows: rows, cols: cols, parallel: comm != nil)
    } catch {
      _ = H5Dclose(d)
      throw error
    }
  }

  // MARK: - Attributes of the root group

  /// Whether the root group has attribute `name`. Local.
  public func hasAttribute(_ name: String) throws(HDF5Error) -> Bool {
    try RawHDF5.truth(H5Aexists(id, name), "H5Aexists \(name)")
  }

  /// Writes a scalar attribute (collective for parallel files: same value on every rank).
  public func setAttribute(_ name: String, _ value: Int64) throws(HDF5Error) {
    var v = value
    try H5Attribute.write(location: id, name: name, type: chdf5_native_int64(), value: &v)
  }

  public func setAttribute(_ name: String, _ value: Double) throws(HDF5Error) {
    var v = value
    try H5Attribute.write(location: id, name: name, type: chdf5_native_double(), value: &v)
  }

  public func setAttribute(_ name: String, _ value: String) throws(HDF5Error) {
    try H5Attribute.writeString(location: id, name: name, value: value)
  }

  /// Reads a scalar attribute. Local.
  public func int64Attribute(_ name: String) throws(HDF5Error) -> Int64 {
    var v: Int64 = 0
    try H5Attribute.read(location: id, name: name, type: chdf5_native_int64(), into: &v)
    return v
  }

  public func doubleAttribute(_ name: String) throws(HDF5Error) -> Double {
    var v = 0.0
    try H5Attribute.read(location: id, name: name, type: chdf5_native_double(), into: &v)
    return v
  }

  public func stringAttribute(_ name: String) throws(HDF5Error) -> String {
    try H5Attribute.readString(location: id, name: name)
  }
}
