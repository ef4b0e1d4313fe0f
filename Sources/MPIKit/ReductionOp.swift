// ReductionOp: a typed MPI_Op handle.
import CMPI

/// An MPI reduction operation (a distinct type, so it cannot be confused with other handles).
public struct ReductionOp: @unchecked Sendable, Equatable {
  let raw: MPI_Op
  init(_ raw: MPI_Op) { self.raw = raw }

  public static var sum: ReductionOp { ReductionOp(RawMPI.opSum) }
  public static var max: ReductionOp { ReductionOp(RawMPI.opMax) }
  public static var min: ReductionOp { ReductionOp(RawMPI.opMin) }
}
