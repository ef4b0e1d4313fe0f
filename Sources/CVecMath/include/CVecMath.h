// CVecMath: a vector exp and the fused log-sum-exp of the rows of Z (issue 17).
//
// One C source, compiled for three instruction sets (x86-64 baseline SSE2, AVX2, AVX-512F)
// with function target attributes; the widest one this CPU supports is chosen once at load
// time (__builtin_cpu_supports), so a binary built anywhere runs on any x86-64 CPU. All
// variants give the same bits: no FMA contraction (#pragma STDC FP_CONTRACT OFF), every
// operation IEEE-rounded, and sums kept in 8 fixed lanes combined by one fixed tree, so the
// vector width changes the speed, never the result.
#ifndef MACROOPT_CVECMATH_H
#define MACROOPT_CVECMATH_H
#include <stddef.h>

/// Instruction sets of the variants (index for the `_variant` entry points).
enum { CVM_BASELINE = 0, CVM_AVX2 = 1, CVM_AVX512 = 2 };

/// y[j] = exp(x[j]), j < n; x and y may be the same array. Within 1 ulp of glibc's exp for
/// all x (subnormal results, −inf → 0, overflow → +inf, NaN → NaN).
void cvm_exp(const double *x, double *y, size_t n);

/// For each of `rows` rows of z (row r at z + r·ld, length q): z_j ← z_j + lw_j, then
/// A = max + log Σ_j exp(z_j − max) into logPartition[r], and in place
/// z_j ← exp(z_j − max) / Σ (the normalized weights π). With `inv` non-null the rows are left
/// unscaled, z_j ← exp(z_j − max), and inv[r] = 1/Σ (the caller scales what it computes from
/// the row). A row whose max is not finite (NaN or ±inf θ) becomes all NaN with A = NaN
/// (and inv[r] = NaN).
void cvm_logsumexp_rows(double *z, size_t rows, size_t q, size_t ld, const double *lw,
                        double *logPartition, double *inv);

/// The same with a chosen variant (tests and benchmarks). Returns 0, or −1 when this CPU
/// lacks the variant's instruction set (nothing is written then).
int cvm_exp_variant(int variant, const double *x, double *y, size_t n);
int cvm_logsumexp_rows_variant(int variant, double *z, size_t rows, size_t q, size_t ld,
                               const double *lw, double *logPartition, double *inv);

/// Whether this CPU can run `variant` (1) or not (0).
int cvm_variant_supported(int variant);

/// The variant in use: CVM_BASELINE, CVM_AVX2 or CVM_AVX512.
int cvm_active_variant(void);
/// "x86-64 baseline (SSE2)", "AVX2" or "AVX-512F".
const char *cvm_variant_name(int variant);

/// Plain reference twins: glibc's scalar exp, one element after another, sequential sum.
void cvm_exp_reference(const double *x, double *y, size_t n);
void cvm_logsumexp_rows_reference(double *z, size_t rows, size_t q, size_t ld, const double *lw,
                                  double *logPartition, double *inv);

// The small dense kernels of the Newton round, same variant scheme.
#include "CSmallMatrix.h"
#endif
