// Raw MPI calls: environment management (init, finalize, queries, error handlers).
//
// Like swift-system's Internals/Syscalls.swift, the files in Raw/ are the only ones in
// MacroOpt that call MPI functions. Each wrapper returns the MPI return code unchanged;
// callers turn it into `MPIError` with `check(_:_:)`.
import CMPI

enum RawMPI {}

extension RawMPI {
  static var success: Int32 { cmpi_success() }
  static var errOther: Int32 { cmpi_err_other() }
  static var errCount: Int32 { cmpi_err_count() }
  static var undefined: Int32 { cmpi_undefined() }
  static var threadSerialized: Int32 { cmpi_thread_serialized() }

  static func initialized() -> Bool {
    var flag: Int32 = 0
    _ = MPI_Initialized(&flag)  // callable at any time; cannot fail
    return flag != 0
  }

  static func finalized() -> Bool {
    var flag: Int32 = 0
    _ = MPI_Finalized(&flag)  // callable at any time; cannot fail
    return flag != 0
  }

  /// MPI_Init_thread without argc/argv (allowed since MPI-2). Returns (rc, provided level).
  static func initThread(required: Int32) -> (Int32, Int32) {
    var provided: Int32 = 0
    let rc = MPI_Init_thread(nil, nil, required, &provided)
    return (rc, provided)
  }

  static func finalize() -> Int32 { MPI_Finalize() }

  static func setErrorsReturn(_ comm: MPI_Comm) -> Int32 {
    MPI_Comm_set_errhandler(comm, cmpi_errors_return())
  }

  static func wtime() -> Double { MPI_Wtime() }

  /// The text of an MPI error code (MPI_Error_string), or nil if the code is unknown.
  static func errorString(_ code: Int32) -> String? {
    let capacity = Int(cmpi_max_error_string()) + 1
    var bytes = [CChar](repeating: 0, count: capacity)
    var length: Int32 = 0
    let rc = bytes.withUnsafeMutableBufferPointer { MPI_Error_string(code, $0.baseAddress, &length) }
    guard rc == success else { return nil }
    return decode(bytes, length: length)
  }

  static func libraryVersion() -> (Int32, String) {
    var bytes = [CChar](repeating: 0, count: Int(cmpi_max_library_version_string()) + 1)
    var length: Int32 = 0
    let rc = bytes.withUnsafeMutableBufferPointer { MPI_Get_library_version($0.baseAddress, &length) }
    return (rc, decode(bytes, length: length))
  }

  static func processorName() -> (Int32, String) {
    var bytes = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
    var length: Int32 = 0
    let rc = bytes.withUnsafeMutableBufferPointer { MPI_Get_processor_name($0.baseAddress, &length) }
    return (rc, decode(bytes, length: length))
  }

  /// MPI_Abort. Does not return when MPI honours it.
  static func abort(_ comm: MPI_Comm, _ code: Int32) -> Int32 { MPI_Abort(comm, code) }

  private static func decode(_ bytes: [CChar], length: Int32) -> String {
    let n = max(0, min(Int(length), bytes.count))
    let utf8 = bytes[..<n].prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: utf8, as: UTF8.self)
  }
}
