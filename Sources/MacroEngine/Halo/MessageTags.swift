// MessageTags: every point-to-point MPI message tag of MacroOpt, in one list.

/// The tags of MacroOpt's point-to-point messages (collectives need none). One list, so that
/// two message streams on the same communicator can never share a tag by accident; a new
/// point-to-point stream adds its tag here. (mpikit-check, the MPIKit test program, uses its
/// own small tags on its own communicator.)
public enum MessageTags {
  /// The σ/θ halo exchange of every round (``HaloExchanger``).
  public static let halo: Int32 = 7301
}
