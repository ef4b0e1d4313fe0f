import MacroEngine

/// The periodic progress report of rank 0, like LAMMPS's thermo output or PETSc's
/// `-ksp_monitor`: one line per diagnostic round with the round, F, stationarity, the consensus
/// errors, the loop's rounds/s and the ETA. In a terminal the same text is one live line
/// rewritten in place; in a job log (stdout/stderr to a file) every report is its own line, so
/// `tail -f` of a Slurm log shows the run advancing. Local, pure (the caller prints).
public struct ProgressReport: Sendable {
  /// How the lines reach the user.
  public enum Style: Sendable, Equatable {
    /// A live line rewritten with a carriage return (an interactive terminal).
    case live
    /// One line per report (a file, a pipe, a Slurm job log).
    case log
  }

  public let style: Style
  public let totalRounds: Int
  /// The round the loop started at (0, or the checkpoint's round) and when (seconds).
  public let startRound: Int
  public let startSeconds: Double

  public init(style: Style, totalRounds: Int, startRound: Int, startSeconds: Double) {
    self.style = style
    self.totalRounds = totalRounds
    self.startRound = startRound
    self.startSeconds = startSeconds
  }

  /// The column header a log-style report prints once before its first line (nil when live).
  public var header: String? {
    guard style == .log else { return nil }
    return "progress: round/total  F  stationarity  consensus σ  consensus θ  rounds/s  ETA"
  }

  /// The report for the diagnostics `r` taken at `now` (seconds on the same clock as
  /// `startSeconds`). A live line starts with "\r" and has no newline.
  public func line(_ r: DiagnosticRecord, now: Double) -> String {
    let elapsed = max(now - startSeconds, 1e-9)
    let done = r.round - startRound
    let rate = Double(done) / elapsed
    let eta = done > 0 ? Double(totalRounds - r.round) / rate : .nan
    let text = "round \(r.round)/\(totalRounds)  F \(NumberFormat.sig(r.cost, 6))"
      + "  stationarity \(NumberFormat.sig(r.stationarity, 3))"
      + "  consensus σ \(NumberFormat.sig(r.consensusSigma, 3)) θ \(NumberFormat.sig(r.consensusTheta, 3))"
      + "  \(NumberFormat.sig(rate, 3)) rounds/s  ETA \(NumberFormat.duration(eta))"
    switch style {
    case .live: return "\r" + text + "   "
    case .log: return "progress: " + text
    }
  }
}
