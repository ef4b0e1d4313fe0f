// Small dense kernels of the Newton round (issue 17), batched over 8 agents in vector lanes:
// the sparse Hessian assembly, a Cholesky solve and truncated CG.
//
// Same scheme as the vector exp (CVecMath.h): one C source compiled for the x86-64 baseline,
// AVX2 and AVX-512F, and every variant gives the same bits (no FMA contraction; every sum in
// one fixed order). `variant` −1 uses the widest this CPU has (chosen at load time); another
// value asks for that variant and the call returns −1 (nothing done) when this CPU lacks it.
// Plain twins: MacroCore's Swift loops (ExpFamily.assembleHessianPlain,
// ConjugateGradient.solve: the same bits) and LAPACK's dpotrf/dpotrs.
//
// The lanes layout of m × m matrices for a block of agents: agent a = 8g + l, entry (k, j) at
// [(g·m·m + k·m + j)·8 + l]; vectors of m values likewise at [(g·m + k)·8 + l].
#ifndef MACROOPT_CSMALLMATRIX_H
#define MACROOPT_CSMALLMATRIX_H
#include <stddef.h>
#include <stdint.h>

/// Where the assembly reads the moments: moment r of agent b is
/// moments[b·agentStride + offsets[r]] (offsets NULL: r), times scale[b] when scale is not NULL
/// (one multiply); with meanColumns (m indices) μ_b[k] is moment meanColumns[k] (scaled) —
/// written to `mean` agent-major — instead of read from `mean`. Rows of M2 moments one after
/// another are {moments, M2, NULL, NULL, NULL}; the sum factorization's J×J_p arrays (d = 2)
/// are read in place, each agent's row of moments never written out.
typedef struct {
  const double *moments;
  size_t agentStride;
  const int64_t *offsets;
  const double *scale;
  const int64_t *meanColumns;
} csm_moment_source;

/// H_b = G_b − μ_bμ_bᵀ + λI for the agents b < count, G_b[k, j] = Σ values[i]·moments_b[rows[i]]
/// over i in start[col]..<start[col + 1], col the packed index of (k, j), k ≤ j (row by row),
/// summed in increasing i from 0.0 with one multiply and one add a term; the moments and μ as
/// `source` says (mean: count × m). out: with `lanes` 0 agent-major (count × m × m, full
/// symmetric, row-major); with `lanes` 1 the lanes layout for ⌈count/8⌉ groups, upper triangle
/// only (j ≥ k; the lower triangle is not written; lanes past count hold λI).
/// scratch: 2·(M2 + m)·8 doubles. Returns 0, or −1 (nothing done) for a variant this CPU lacks.
int csm_hessian_assemble_gather(int variant, size_t count, size_t m, size_t M2, const csm_moment_source *source,
                                double *mean, double lambda, const int64_t *start, const int64_t *rows,
                                const double *values, int lanes, double *scratch, double *out);

/// Solves A_l x_l = b_l in the 8 lanes (a: one group of m × m matrices in the lanes layout, upper
/// triangle read, unchanged; x: b in, solutions out, m × 8) by Cholesky. scratch: m·m·8
/// doubles. Returns the bit mask of the lanes whose A is positive definite (bit l set); a lane
/// with a pivot ≤ 0 or NaN has its bit clear and an unspecified x.
int csm_cholesky_solve8(int variant, const double *a, size_t m, double *x, double *scratch);

/// ConjugateGradient.solve in each of the 8 lanes: T truncated CG iterations on H v = b from the
/// v given (h: a group of symmetric matrices in the lanes layout, upper triangle read; b, v: m × 8). scratch: 3·m·8
/// doubles. Returns 0.
int csm_cg_solve8(int variant, const double *h, const double *b, double *v, size_t m, int iterations,
                  double *scratch);
/// One mixing row of two arrays at once: outA[k] = Σ w_e·a[slots[e]·m + k] over the entries
/// e = lo…selfAt−1, then selfWeight·a[selfSlot·m + k], then e = selfAt…hi−1, for every k < m in
/// that order from 0.0 with one multiply and one add a term; outB likewise from b. The
/// consensus step's neighbour sums of σ and θ (MixingKernel.rowSumReference is the twin).
/// Returns 0, or −1 (nothing done) for a variant this CPU lacks.
int csm_mix_rowsum2(int variant, const double *a, const double *b, const int32_t *slots, const double *weights,
                    size_t lo, size_t selfAt, size_t hi, size_t selfSlot, double selfWeight, size_t m, double *outA,
                    double *outB);
#endif
