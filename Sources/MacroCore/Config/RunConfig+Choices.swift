// The enumerated choices of RunConfig. Raw values are the exact TOML spellings.

extension RunConfig {
  /// `agents.init`.
  public enum AgentInit: String, Sendable, Equatable, CaseIterable {
    case uniform
    case file
  }

  /// `graph.kind`.
  public enum GraphKind: String, Sendable, Equatable, CaseIterable {
    case ring
    case grid
    case torus
    case geometric
    case erdosRenyi = "erdos_renyi"
    case file
  }

  /// `graph.weights`: Metropolis–Hastings W or the lazy (I + W)/2.
  public enum WeightRule: String, Sendable, Equatable, CaseIterable {
    case metropolis
    case lazyMetropolis = "lazy_metropolis"
  }

  /// `lower.method`.
  public enum LowerMethod: String, Sendable, Equatable, CaseIterable {
    case newton
    case gradient
  }

  /// `upper.cost`: KL(p_target ‖ p_θ) or KL(p_θ ‖ p_target).
  public enum UpperCost: String, Sendable, Equatable, CaseIterable {
    case forwardKL = "forward_kl"
    case reverseKL = "reverse_kl"
  }

  /// `target.kind`.
  public enum TargetKind: String, Sendable, Equatable, CaseIterable {
    case mixture
    case image
  }

  /// `run.consensus_acceleration`: the k mixing steps of a round are W^k (`none`) or the
  /// Chebyshev polynomial p_k(W) = T_k(W/ρ_c)/T_k(1/ρ_c) with ρ_c = 1/cosh(2/k) (`chebyshev`).
  public enum ConsensusAcceleration: String, Sendable, Equatable, CaseIterable {
    case none
    case chebyshev
  }

  /// `run.algorithm`.
  public enum Algorithm: String, Sendable, Equatable, CaseIterable {
    case distributed
    case centralized
  }
}
