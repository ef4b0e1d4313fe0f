// ConvergenceMonitor: warnings for a run that completes without converging.
import MacroEngine

/// Watches the diagnostic records after the warm-up and, at the end of a run, warns (log and
/// summary.json `warnings`; the exit code stays 0) when, over the *window* = the last half of
/// the post-warm-up diagnostic records (only when there are at least ``minimumWindow``):
///
/// * F did not decrease: F at the window's end ≥ F at its start, or F oscillates (it rose in
///   at least a third of the window's steps and max/min − 1 > ``oscillation``);
/// * stationarity grows: at the end it is above ``growth`` × its post-warm-up minimum and
///   above its value at the window's start;
/// * the consensus error stays large: consensus_sigma at the end > ``consensusLimit``.
///
/// Local (every rank sees the same records; rank 0 prints).
struct ConvergenceMonitor {
  static let minimumWindow = 4
  static let oscillation = 0.2
  static let growth = 10.0
  static let consensusLimit = 0.25
  let warmup: Int
  private(set) var records: [(round: Int, cost: Double, stationarity: Double, consensus: Double)] = []

  init(warmup: Int) { self.warmup = warmup }

  mutating func add(_ r: DiagnosticRecord) {
    guard r.round > warmup, r.nonfinite == 0 else { return }
    records.append((r.round, r.cost, r.stationarity, r.consensusSigma))
  }

  /// The warnings (empty: converging, or too few records to tell).
  func warnings() -> [String] {
    guard records.count >= 2 * Self.minimumWindow - 1 else { return [] }
    let window = Array(records[(records.count / 2)...])
    guard let first = window.first, let last = window.last else { return [] }
    var out: [String] = []
    let span = "rounds \(first.round)–\(last.round)"
    let costs = window.map(\.cost)
    let rises = zip(costs, costs.dropFirst()).filter { $1 > $0 }.count
    let lo = costs.min() ?? 0, hi = costs.max() ?? 0
    if last.cost >= first.cost {
      out.append("warning: not converging: F did not decrease over \(span) (\(first.cost) -> \(last.cost)); lower run.alpha or raise run.consensus_steps")
    } else if 3 * rises >= costs.count - 1, lo > 0, hi / lo - 1 > Self.oscillation {
      out.append("warning: not converging: F oscillates over \(span) (between \(lo) and \(hi)); lower run.alpha or raise run.consensus_steps")
    }
    let minStationarity = records.map(\.stationarity).min() ?? 0
    if last.stationarity > Self.growth * minStationarity && last.stationarity > first.stationarity {
      out.append("warning: not converging: stationarity grew to \(last.stationarity) (minimum \(minStationarity) after the warm-up)")
    }
    if last.consensus > Self.consensusLimit {
      out.append("warning: not converging: the consensus error of sigma is \(last.consensus) at round \(last.round) (> \(Self.consensusLimit) after the warm-up); raise run.consensus_steps or run.warmup")
    }
    return out
  }
}
