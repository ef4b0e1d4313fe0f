// Datatype: a typed MPI_Datatype handle, and the Swift element types MPIKit transfers.
import CMPI

/// An MPI datatype handle (a distinct type, so it cannot be confused with other handles).
public struct Datatype: @unchecked Sendable, Equatable {
  let raw: MPI_Datatype
  init(_ raw: MPI_Datatype) { self.raw = raw }

  public static var double: Datatype { Datatype(RawMPI.double) }
  public static var int64: Datatype { Datatype(RawMPI.int64) }
  public static var int32: Datatype { Datatype(RawMPI.int32) }
  public static var uint64: Datatype { Datatype(RawMPI.uint64) }
  public static var uint8: Datatype { Datatype(RawMPI.uint8) }
  public static var char: Datatype { Datatype(RawMPI.char) }
}

/// Swift element types with a matching MPI datatype (internal: the public API names the
/// types it supports explicitly).
protocol MPIElement: BitwiseCopyable {
  static var mpiDatatype: Datatype { get }
}

extension Double: MPIElement { static var mpiDatatype: Datatype { .double } }
extension Int64: MPIElement { static var mpiDatatype: Datatype { .int64 } }
extension Int32: MPIElement { static var mpiDatatype: Datatype { .int32 } }
extension UInt8: MPIElement { static var mpiDatatype: Datatype { .uint8 } }
extension Int: MPIElement {
  // Int is 64-bit on every platform MacroOpt supports.
  static var mpiDatatype: Datatype { .int64 }
}
