import Testing
import _TestSupport
import MacroCore

/// The lower-level solve θ*(s) (damped Newton with Armijo backtracking) on an aggregate where an
/// earlier version failed: the edgelist example's s(x) at round 420, where accepting
/// norm-reducing steps that raise the objective far from θ* left the solve stuck at |∇| ≈ 6
/// for thousands of iterations. Independent truth: the NumPy model's solve (scripts/numpy_model.py,
/// Problem.solve_lower) on the same s reaches the objective −0.12605643382097625.
@Suite struct MacroProblemTests {
  static let s420: [Double] = [-0.43536380578253014, -0.43229644230953745, 0.05443640974189327, 0.4668753766140752, 0.05452482541167857, 0.20307200401655914, -0.1563824173353612, -0.1410273672898387, 0.1624749421315547, -0.2583028952972599, -0.20969899308782897, 0.10784410189605684, -0.12165922300852804, -0.11310734655964669, 0.0847219919542923, 0.34602319870508075, 0.03896508082523154, 0.005024609191490876, 0.08522622037083033, -0.15299711267160618, 0.13060998330073353, -0.1188836982447861, -0.11789003022148994, 0.09558582337163327, 0.027320573807581575, 0.13778600705208124, 0.30002922560739204]

  @Test func lowerLevelSolveConvergesWhereItOnceStalled() throws {
    let family = ExpFamily(dimension: 2, degree: 6, quadratureNodes: 40, lambda: 1e-2)
    let problem = MacroProblem(family: family, cost: MacroCost(kind: .forwardKL, target: TargetMoments(target: try defaultMixture(), family: family)),
                               motion: MotionCost(rho: 0))
    let s = Self.s420
    let sol = try problem.solveLowerLevel(s: s)
    let p = sol.point, lam = family.lambda
    var objective = p.logPartition
    for k in 0..<family.m { objective += -p.theta[k] * s[k] + 0.5 * lam * p.theta[k] * p.theta[k] }
    print("θ*(s420): \(sol.iterations) Newton iterations, |∇| = \(sol.gradientNorm), objective \(objective)")
    #expect(sol.gradientNorm <= 1e-12)
    #expect(sol.iterations <= 30)
    #expect(abs(objective - -0.12605643382097625) <= 1e-13)
  }
}
