extension RunConfig {
  /// The default scenario of DESIGN.md section 1: what `macroopt run` uses without a config
  /// file. `examples/default.toml` spells out the same values; a MacroIO test keeps them equal.
  public static let `default` = RunConfig(
    agents: Agents(count: 1000, dimension: 2, initialization: .uniform, file: "", seed: 1),
    graph: Graph(kind: .geometric, meanDegree: 10.0, probability: 0.01, file: "",
                 weights: .metropolis),
    basis: Basis(degree: 6, quadratureNodes: 40),
    lower: Lower(lambda: 1e-2, method: .newton, gamma: 1.0),
    upper: Upper(cost: .forwardKL, motionCost: 0.0),
    target: Target(
      kind: .mixture,
      weights: [0.3, 0.3, 0.4],
      means: [[-0.45, -0.4], [0.5, -0.35], [0.05, 0.5]],
      covariances: [
        [[0.04, 0.015], [0.015, 0.03]],
        [[0.03, -0.01], [-0.01, 0.05]],
        [[0.06, 0.0], [0.0, 0.025]],
      ],
      file: ""),
    run: Run(algorithm: .distributed, rounds: 3000, warmup: 300, alpha: 1e-3, cgIterations: 2,
             diagEvery: 50, consensusSteps: 10, consensusAcceleration: .chebyshev),
    output: Output(dir: "run", checkpointEvery: 500, checkpointSeconds: 0, keepCheckpoints: 2,
                   snapshotEvery: 250))
}
