// RawH5Attribute: scalar attributes (int64, double, fixed-length string) on an HDF5 object.
import CHDF5

enum H5Attribute {
  /// A new scalar attribute `name` of `type` on `location`, replacing an existing one.
  /// The caller closes the returned id.
  static func createScalar(location: hid_t, name: String, type: hid_t) throws(HDF5Error) -> hid_t {
    let space = try RawHDF5.id(H5Screate(H5S_SCALAR), "H5Screate(scalar)")
    defer { _ = H5Sclose(space) }
    if try RawHDF5.truth(H5Aexists(location, name), "H5Aexists \(name)") {
      try RawHDF5.check(H5Adelete(location, name), "H5Adelete \(name)")
    }
    return try RawHDF5.id(H5Acreate2(location, name, type, space, chdf5_p_default(), chdf5_p_default()),
                          "H5Acreate2 \(name)")
  }

  static func write<T>(location: hid_t, name: String, type: hid_t, value: inout T) throws(HDF5Error) {
    let a = try createScalar(location: location, name: name, type: type)
    defer { _ = H5Aclose(a) }
    let rc = withUnsafePointer(to: &value) { H5Awrite(a, type, UnsafeRawPointer($0)) }
    try RawHDF5.check(rc, "H5Awrite \(name)")
  }

  static func read<T>(location: hid_t, name: String, type: hid_t, into value: inout T) throws(HDF5Error) {
    let a = try RawHDF5.id(H5Aopen(location, name, chdf5_p_default()), "H5Aopen \(name)")
    defer { _ = H5Aclose(a) }
    try checkScalar(a, name)
    let rc = withUnsafeMutablePointer(to: &value) { H5Aread(a, type, UnsafeMutableRawPointer($0)) }
    try RawHDF5.check(rc, "H5Aread \(name)")
  }

  static func checkScalar(_ a: hid_t, _ name: String) throws(HDF5Error) {
    let space = try RawHDF5.id(H5Aget_space(a), "H5Aget_space \(name)")
    defer { _ = H5Sclose(space) }
    let n = H5Sget_simple_extent_npoints(space)
    if n != 1 { throw HDF5Error(call: "H5Aread \(name)", detail: "attribute is not a scalar (\(n) elements)") }
  }

  /// A fixed-length, NUL-terminated ASCII/UTF-8 string type of `size` bytes.
  static func stringType(size: Int) throws(HDF5Error) -> hid_t {
    let t = try RawHDF5.id(H5Tcopy(chdf5_c_s1()), "H5Tcopy(C_S1)")
    do throws(HDF5Error) {
      try RawHDF5.check(H5Tset_size(t, size), "H5Tset_size")
      try RawHDF5.check(H5Tset_strpad(t, H5T_STR_NULLTERM), "H5Tset_strpad")
      try RawHDF5.check(H5Tset_cset(t, H5T_CSET_UTF8), "H5Tset_cset")
    } catch {
      _ = H5Tclose(t)
      throw error
    }
    return t
  }

  static func writeString(location: hid_t, name: String, value: String) throws(HDF5Error) {
    var bytes = Array(value.utf8)
    bytes.append(0)
    let type = try stringType(size: bytes.count)
    defer { _ = H5Tclose(type) }
    let a = try createScalar(location: location, name: name, type: type)
    defer { _ = H5Aclose(a) }
    let rc = bytes.withUnsafeBufferPointer { H5Awrite(a, type, UnsafeRawPointer($0.baseAddress)) }
    try RawHDF5.check(rc, "H5Awrite \(name)")
  }

  static func readString(location: hid_t, name: String) throws(HDF5Error) -> String {
    let a = try RawHDF5.id(H5Aopen(location, name, chdf5_p_default()), "H5Aopen \(name)")
    defer { _ = H5Aclose(a) }
    try checkScalar(a, name)
    let stored = try RawHDF5.id(H5Aget_type(a), "H5Aget_type \(name)")
    defer { _ = H5Tclose(stored) }
    guard H5Tget_class(stored) == H5T_STRING,
          try !RawHDF5.truth(H5Tis_variable_str(stored), "H5Tis_variable_str \(name)") else {
      throw HDF5Error(call: "H5Aread \(name)", detail: "attribute is not a fixed-length string")
    }
    let size = H5Tget_size(stored)
    let type = try stringType(size: max(1, size))
    defer { _ = H5Tclose(type) }
    var bytes = [UInt8](repeating: 0, count: max(1, size) + 1)
    let rc = bytes.withUnsafeMutableBufferPointer { H5Aread(a, type, UnsafeMutableRawPointer($0.baseAddress)) }
    try RawHDF5.check(rc, "H5Aread \(name)")
    let end = bytes.firstIndex(of: 0) ?? bytes.count
    return String(decoding: bytes[..<end], as: UTF8.self)
  }
}
