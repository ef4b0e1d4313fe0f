// Raw MPI handle constants (macros in mpi.h, re-exported by Sources/CMPI/shim.h).
import CMPI

extension RawMPI {
  static var commWorld: MPI_Comm { cmpi_comm_world() }
  static var commSelf: MPI_Comm { cmpi_comm_self() }

  static var double: MPI_Datatype { cmpi_double() }
  static var int64: MPI_Datatype { cmpi_int64() }
  static var int32: MPI_Datatype { cmpi_int32() }
  static var uint64: MPI_Datatype { cmpi_uint64() }
  static var uint8: MPI_Datatype { cmpi_uint8() }
  static var char: MPI_Datatype { cmpi_char() }

  static var opSum: MPI_Op { cmpi_op_sum() }
  static var opMax: MPI_Op { cmpi_op_max() }
  static var opMin: MPI_Op { cmpi_op_min() }

  static var requestNull: MPI_Request { cmpi_request_null() }
  static var inPlace: UnsafeMutableRawPointer? { cmpi_in_place() }
}
