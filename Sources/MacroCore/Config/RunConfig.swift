/// A complete description of one MacroOpt run: the value every rank holds after the
/// configuration is loaded, validated and broadcast.
///
/// The nested structs mirror the TOML sections of DESIGN.md section 8 one to one
/// (`[agents]` → ``Agents``, …) and every stored property is one TOML key. This type holds
/// no parsing or validation logic: MacroIO's `ConfigLoader` reads TOML into it, checks every
/// key and serializes it canonically (the checkpoint's config hash).
public struct RunConfig: Sendable, Equatable {
  public var agents: Agents
  public var graph: Graph
  public var basis: Basis
  public var lower: Lower
  public var upper: Upper
  public var target: Target
  public var run: Run
  public var output: Output

  public init(agents: Agents, graph: Graph, basis: Basis, lower: Lower, upper: Upper,
              target: Target, run: Run, output: Output) {
    self.agents = agents
    self.graph = graph
    self.basis = basis
    self.lower = lower
    self.upper = upper
    self.target = target
    self.run = run
    self.output = output
  }

  /// `[agents]`: how many agents, in which dimension, and where they start.
  public struct Agents: Sendable, Equatable {
    /// `count`: number of agents N.
    public var count: Int
    /// `dimension`: d, the agents live in X = [-1,1]^d.
    public var dimension: Int
    /// `init`: uniform random initial positions or read from `file`.
    public var initialization: AgentInit
    /// `file`: x0.csv path (used when `init = "file"`); "" when unset. The loader resolves
    /// relative paths, so the stored value is the path to open.
    public var file: String
    /// `seed`: key of the counter-based generator (initial positions, random graphs).
    public var seed: Int

    public init(count: Int, dimension: Int, initialization: AgentInit, file: String, seed: Int) {
      self.count = count
      self.dimension = dimension
      self.initialization = initialization
      self.file = file
      self.seed = seed
    }
  }

  /// `[graph]`: the communication graph and its consensus weights.
  public struct Graph: Sendable, Equatable {
    /// `kind`: graph family.
    public var kind: GraphKind
    /// `mean_degree`: target mean degree of the random geometric graph.
    public var meanDegree: Double
    /// `probability`: edge probability of the Erdős–Rényi graph.
    public var probability: Double
    /// `file`: edges.csv path (used when `kind = "file"`); "" when unset.
    public var file: String
    /// `weights`: consensus weight rule.
    public var weights: WeightRule

    public init(kind: GraphKind, meanDegree: Double, probability: Double, file: String,
                weights: WeightRule) {
      self.kind = kind
      self.meanDegree = meanDegree
      self.probability = probability
      self.file = file
      self.weights = weights
    }
  }

  /// `[basis]`: the Legendre basis and the tensor Gauss–Legendre rule.
  public struct Basis: Sendable, Equatable {
    /// `degree`: total degree K (degree 0 dropped, m = C(K+d, d) − 1).
    public var degree: Int
    /// `quadrature_nodes`: n_q nodes per axis (Q = n_q^d).
    public var quadratureNodes: Int

    public init(degree: Int, quadratureNodes: Int) {
      self.degree = degree
      self.quadratureNodes = quadratureNodes
    }
  }

  /// `[lower]`: the lower-level (macroscopic state) problem and its solver.
  public struct Lower: Sendable, Equatable {
    /// `lambda`: ridge λ of the lower-level problem.
    public var lambda: Double
    /// `method`: local θ update.
    public var method: LowerMethod
    /// `gamma`: step γ of the `gradient` method.
    public var gamma: Double

    public init(lambda: Double, method: LowerMethod, gamma: Double) {
      self.lambda = lambda
      self.method = method
      self.gamma = gamma
    }
  }

  /// `[upper]`: the upper-level cost.
  public struct Upper: Sendable, Equatable {
    /// `cost`: which KL divergence to the target.
    public var cost: UpperCost
    /// `motion_cost`: ρ of r(x_i) = (ρ/2)|x_i − x_i⁰|².
    public var motionCost: Double

    public init(cost: UpperCost, motionCost: Double) {
      self.cost = cost
      self.motionCost = motionCost
    }
  }

  /// `[target]`: the target density.
  public struct Target: Sendable, Equatable {
    /// `kind`: Gaussian mixture or grayscale image.
    public var kind: TargetKind
    /// `weights`: mixture weights (one a component, ≥ 0, sum 1).
    public var weights: [Double]
    /// `means`: one d-vector a component.
    public var means: [[Double]]
    /// `covariances`: one d×d SPD matrix a component, row by row.
    public var covariances: [[[Double]]]
    /// `file`: image path (used when `kind = "image"`); "" when unset.
    public var file: String

    public init(kind: TargetKind, weights: [Double], means: [[Double]],
                covariances: [[[Double]]], file: String) {
      self.kind = kind
      self.weights = weights
      self.means = means
      self.covariances = covariances
      self.file = file
    }
  }

  /// `[run]`: the algorithm and its schedule.
  public struct Run: Sendable, Equatable {
    /// `algorithm`: the distributed scheme or the centralized oracle.
    public var algorithm: Algorithm
    /// `rounds`: every round, warm-up included.
    public var rounds: Int
    /// `warmup`: leading rounds without the microscopic step.
    public var warmup: Int
    /// `alpha`: microscopic step size α.
    public var alpha: Double
    /// `cg_iterations`: T_cg warm-started CG iterations a round.
    public var cgIterations: Int
    /// `diag_every`: global diagnostics every this many rounds.
    public var diagEvery: Int
    /// `consensus_steps`: mixing steps k of σ and θ a round (1 = DESIGN §2's round). With
    /// k > 1 the fresh φ(x) change is mixed k − 1 more times before the lower level uses it.
    public var consensusSteps: Int
    /// `consensus_acceleration`: plain W^k or Chebyshev-accelerated mixing (k ≥ 2).
    public var consensusAcceleration: ConsensusAcceleration

    public init(algorithm: Algorithm, rounds: Int, warmup: Int, alpha: Double,
                cgIterations: Int, diagEvery: Int, consensusSteps: Int = 1,
                consensusAcceleration: ConsensusAcceleration = .none) {
      self.algorithm = algorithm
      self.rounds = rounds
      self.warmup = warmup
      self.alpha = alpha
      self.cgIterations = cgIterations
      self.diagEvery = diagEvery
      self.consensusSteps = consensusSteps
      self.consensusAcceleration = consensusAcceleration
    }
  }

  /// `[output]`: where results go and how often state is saved.
  public struct Output: Sendable, Equatable {
    /// `dir`: output directory (kept as written: relative to the working directory).
    public var dir: String
    /// `checkpoint_every`: checkpoint every this many rounds; 0 = off.
    public var checkpointEvery: Int
    /// `checkpoint_seconds`: checkpoint once this much wall time passed since the last; 0 = off.
    public var checkpointSeconds: Double
    /// `keep_checkpoints`: how many of the newest checkpoints are kept.
    public var keepCheckpoints: Int
    /// `snapshot_every`: snapshot files every this many rounds; 0 = off.
    public var snapshotEvery: Int

    public init(dir: String, checkpointEvery: Int, checkpointSeconds: Double,
                keepCheckpoints: Int, snapshotEvery: Int) {
      self.dir = dir
      self.checkpointEvery = checkpointEvery
      self.checkpointSeconds = checkpointSeconds
      self.keepCheckpoints = keepCheckpoints
      self.snapshotEvery = snapshotEvery
    }
  }
}
