// MPIError: an MPI return code with its MPI_Error_string text and the failing function.

/// An error returned by an MPI call (MPI_ERRORS_RETURN is installed on COMM_WORLD by
/// `MPIEnvironment.initialize()`, so MPI reports failures instead of aborting).
public struct MPIError: Error, Equatable, CustomStringConvertible {
  /// The MPI error code (the MPI function's return value, or MPI_ERR_OTHER for
  /// conditions MPIKit detects itself, such as use after finalize).
  public let code: Int32
  /// MPI_Error_string text for `code` (or MPIKit's own explanation).
  public let message: String
  /// The MPI function (or MPIKit operation) that failed.
  public let function: String

  public init(code: Int32, message: String, function: String) {
    self.code = code
    self.message = message
    self.function = function
  }

  /// An error built from an MPI return code; the text comes from MPI_Error_string.
  init(code: Int32, function: String) {
    self.init(code: code, message: RawMPI.errorString(code) ?? "unknown MPI error", function: function)
  }

  public var description: String { "\(function) failed: \(message) (MPI error \(code))" }
}

/// Throws `MPIError` unless `rc` is MPI_SUCCESS (PETSc's PetscCallMPI).
/// Pass the MPI function name as `function` so messages name the call that failed.
@inline(__always)
func check(_ rc: Int32, _ function: String = #function) throws(MPIError) {
  if rc != RawMPI.success { throw MPIError(code: rc, function: function) }
}
