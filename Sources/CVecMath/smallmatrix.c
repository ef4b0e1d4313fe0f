// Small dense kernels of the Newton round (see include/CSmallMatrix.h): batched over 8 agents
// in the 8 lanes of a vector, so that every operation is a full vector and the dependency
// chains of one agent's Cholesky or CG (sqrt, division, dot products) overlap across agents.
// Written once with explicit 8-double vectors and instantiated per ISA like vecmath.c; every
// lane sees the same IEEE operations in every variant (no FMA contraction), so the bits do not
// depend on the CPU.
#include "CSmallMatrix.h"
#include "CVecMath.h"
#include <math.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define CSM_INLINE static inline __attribute__((always_inline))
#define LANES 8
typedef double v8d __attribute__((vector_size(64)));
typedef long long v8l __attribute__((vector_size(64)));

CSM_INLINE v8d load8(const double *p) { v8d v; memcpy(&v, p, sizeof v); return v; }
CSM_INLINE void store8(double *p, v8d v) { memcpy(p, &v, sizeof v); }
CSM_INLINE v8d splat(double x) { return (v8d){x, x, x, x, x, x, x, x}; }
// mask ? a : b, lane by lane (mask lanes all ones or zero).
CSM_INLINE v8d select8(v8l mask, v8d a, v8d b) { return (v8d)(((v8l)a & mask) | ((v8l)b & ~mask)); }
CSM_INLINE int any8(v8l mask) {
  long long x = 0;
  for (int l = 0; l < LANES; l++) x |= mask[l];
  return x != 0;
}

// ---------------------------------------------------------------------------- assembly
// Two groups of 8 agents at a time (16 agents; a last odd group alone): moments and μ
// transposed into lanes (unused lanes zero, so their H is λI), then per packed entry (k, c) the
// sparse sum in lanes, H = G − μ_kμ_c (+ λ), written once (upper triangle, k ≤ c) as one vector
// store in the lanes layout — the Cholesky and CG read the upper triangle only, so the store
// traffic of a block's 8·m² doubles a group is halved — and to both triangles by 8 scalar
// stores each in the agent-major one. With two groups, every term
// read of the pattern (coefficient, moment index) feeds two independent vector sums, which
// halves the per-agent cost of walking the pattern and overlaps two add chains. Each sum keeps
// its order, whatever the number of groups (same bits).
CSM_INLINE void transpose_rows8(const double *restrict src, size_t n, size_t width, size_t stride,
                                double *restrict dst) {
  if (n == LANES) {
    for (size_t r = 0; r < width; r++)
      store8(dst + r * LANES, (v8d){src[r], src[stride + r], src[2 * stride + r], src[3 * stride + r],
                                    src[4 * stride + r], src[5 * stride + r], src[6 * stride + r],
                                    src[7 * stride + r]});
  } else {
    for (size_t r = 0; r < width; r++) {
      v8d v = splat(0.0);
      for (size_t l = 0; l < n; l++) v[l] = src[l * stride + r];
      store8(dst + r * LANES, v);
    }
  }
}

// h into entry (k, c) of agents b0…b0+n−1: in the lanes layout once (group = their group, upper
// triangle), agent-major into (k, c) and (c, k).
CSM_INLINE void assemble_store(double *restrict out, double *restrict group, size_t b0, size_t n, size_t m,
                               int lanes, size_t k, size_t c, v8d h) {
  if (lanes) {
    store8(group + (k * m + c) * LANES, h);
  } else {
    for (size_t l = 0; l < n; l++) {
      double *restrict o = out + (b0 + l) * m * m;
      o[k * m + c] = h[l];
      o[c * m + k] = h[l];
    }
  }
}

// The moments of agents b0…b0+n−1 into lanes, from wherever they lie (csm_moment_source):
// moment r of agent b is base[b·stride + offsets[r]] (offsets NULL: r), times scale[b] when
// given (one multiply: the bits of scaling a gathered row); unused lanes zero.
CSM_INLINE void gather_rows8(const csm_moment_source *restrict src, size_t b0, size_t n, size_t M2,
                             double *restrict dst) {
  const double *restrict base = src->moments + b0 * src->agentStride;
  const size_t stride = src->agentStride;
  const int64_t *restrict off = src->offsets;
  double sc[LANES];
  for (size_t l = 0; l < LANES; l++) sc[l] = src->scale && l < n ? src->scale[b0 + l] : 1.0;
  for (size_t r = 0; r < M2; r++) {
    const size_t o = off ? (size_t)off[r] : r;
    v8d v = splat(0.0);
    for (size_t l = 0; l < n; l++) v[l] = base[l * stride + o];
    if (src->scale) v = v * load8(sc);  // unused lanes: 0 · 1
    store8(dst + r * LANES, v);
  }
}

// μ of agents b0…b0+n−1 into lanes: read from `mean` (count × m), or with meanColumns the
// moment columns of φ (already in lanes in mt) copied, and written back to `mean` agent-major.
CSM_INLINE void means8(const csm_moment_source *restrict src, const double *restrict mt, double *restrict mean,
                       size_t b0, size_t n, size_t m, double *restrict ut) {
  if (!src->meanColumns) {
    transpose_rows8(mean + b0 * m, n, m, m, ut);
    return;
  }
  for (size_t k = 0; k < m; k++) {
    const v8d v = load8(mt + (size_t)src->meanColumns[k] * LANES);
    store8(ut + k * LANES, v);
    for (size_t l = 0; l < n; l++) mean[(b0 + l) * m + k] = v[l];
  }
}

CSM_INLINE void assemble_body(size_t count, size_t m, size_t M2, const csm_moment_source *restrict src,
                              double *restrict mean, double lambda, const int64_t *restrict start,
                              const int64_t *restrict rows, const double *restrict values, int lanes,
                              double *restrict scratch, double *restrict out) {
  const size_t W = (M2 + m) * LANES;  // one group's transposed moments and μ
  double *restrict mtA = scratch, *restrict utA = scratch + M2 * LANES;
  double *restrict mtB = scratch + W, *restrict utB = scratch + W + M2 * LANES;
  for (size_t b0 = 0; b0 < count; b0 += 2 * LANES) {
    const size_t nA = count - b0 < LANES ? count - b0 : LANES;
    const size_t rest = count - b0 - nA, nB = rest < LANES ? rest : LANES;  // nB = 0: one group
    gather_rows8(src, b0, nA, M2, mtA);
    means8(src, mtA, mean, b0, nA, m, utA);
    double *restrict groupA = out + b0 * m * m;  // lanes layout: group b0/8 starts at b0·m·m
    double *restrict groupB = groupA + LANES * m * m;
    size_t col = 0;
    if (nB > 0) {
      gather_rows8(src, b0 + LANES, nB, M2, mtB);
      means8(src, mtB, mean, b0 + LANES, nB, m, utB);
      for (size_t k = 0; k < m; k++) {
        const v8d ukA = load8(utA + k * LANES), ukB = load8(utB + k * LANES);
        for (size_t c = k; c < m; c++, col++) {
          v8d accA = splat(0.0), accB = splat(0.0);
          for (int64_t j = start[col]; j < start[col + 1]; j++) {
            const double v = values[j];
            const size_t r = (size_t)rows[j] * LANES;
            accA += v * load8(mtA + r);
            accB += v * load8(mtB + r);
          }
          v8d hA = accA - ukA * load8(utA + c * LANES), hB = accB - ukB * load8(utB + c * LANES);
          if (k == c) { hA += lambda; hB += lambda; }
          assemble_store(out, groupA, b0, nA, m, lanes, k, c, hA);
          assemble_store(out, groupB, b0 + LANES, nB, m, lanes, k, c, hB);
        }
      }
    } else {
      for (size_t k = 0; k < m; k++) {
        const v8d uk = load8(utA + k * LANES);
        for (size_t c = k; c < m; c++, col++) {
          v8d acc = splat(0.0);
          for (int64_t j = start[col]; j < start[col + 1]; j++) acc += values[j] * load8(mtA + rows[j] * LANES);
          v8d h = acc - uk * load8(utA + c * LANES);
          if (k == c) h += lambda;
          assemble_store(out, groupA, b0, nA, m, lanes, k, c, h);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------- Cholesky
// Per lane: Cholesky A = UᵀU of the upper triangle of `a` into u (a is only read), then
// Uᵀy = b, U x = y. Left-looking (row j of U from rows 0…j−1 and row j of A): every entry is
// the arithmetic of the right-looking elimination, a_jk − U_0j·U_0k − U_1j·U_1k − … in that
// order, times 1/U_jj — the same bits — but each U entry is stored once (four running entries
// in registers) instead of updated j times in memory. A lane whose pivot is not positive (or
// NaN) is marked failed and continues with pivot 1 (its numbers are then meaningless, never
// NaN-traps).
CSM_INLINE int cholesky8_body(const double *restrict a, size_t m, double *restrict x, double *restrict u) {
  v8l failed = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t j = 0; j < m; j++) {
    double *restrict uj = u + j * m * LANES;
    v8d d = load8(a + (j * m + j) * LANES);
    for (size_t i = 0; i < j; i++) {
      const v8d f = load8(u + (i * m + j) * LANES);
      d = d - f * f;
    }
    const v8l bad = ~(d > 0.0);
    failed |= bad;
    d = select8(bad, splat(1.0), d);
    d = __builtin_elementwise_sqrt(d);
    store8(uj + j * LANES, d);
    const v8d inv = 1.0 / d;
    size_t k = j + 1;
    for (; k + 4 <= m; k += 4) {
      const double *aj = a + (j * m + k) * LANES;
      v8d c0 = load8(aj), c1 = load8(aj + LANES), c2 = load8(aj + 2 * LANES), c3 = load8(aj + 3 * LANES);
      for (size_t i = 0; i < j; i++) {
        const double *ui = u + (i * m + k) * LANES;
        const v8d f = load8(u + (i * m + j) * LANES);
        c0 = c0 - f * load8(ui);
        c1 = c1 - f * load8(ui + LANES);
        c2 = c2 - f * load8(ui + 2 * LANES);
        c3 = c3 - f * load8(ui + 3 * LANES);
      }
      store8(uj + k * LANES, c0 * inv);
      store8(uj + (k + 1) * LANES, c1 * inv);
      store8(uj + (k + 2) * LANES, c2 * inv);
      store8(uj + (k + 3) * LANES, c3 * inv);
    }
    for (; k < m; k++) {
      v8d c = load8(a + (j * m + k) * LANES);
      for (size_t i = 0; i < j; i++) c = c - load8(u + (i * m + j) * LANES) * load8(u + (i * m + k) * LANES);
      store8(uj + k * LANES, c * inv);
    }
  }
  for (size_t j = 0; j < m; j++) {
    const double *uj = u + j * m * LANES;
    const v8d yj = load8(x + j * LANES) / load8(uj + j * LANES);
    store8(x + j * LANES, yj);
    for (size_t k = j + 1; k < m; k++) store8(x + k * LANES, load8(x + k * LANES) - load8(uj + k * LANES) * yj);
  }
  for (size_t j = m; j-- > 0;) {
    const double *uj = u + j * m * LANES;
    v8d s = load8(x + j * LANES);
    for (size_t k = j + 1; k < m; k++) s -= load8(uj + k * LANES) * load8(x + k * LANES);
    store8(x + j * LANES, s / load8(uj + j * LANES));
  }
  int ok = 0;
  for (int l = 0; l < LANES; l++) ok |= failed[l] ? 0 : 1 << l;
  return ok;
}

// ---------------------------------------------------------------------------- CG
// Entry (k, l) of a symmetric matrix in the lanes layout, read from the upper triangle.
CSM_INLINE v8d sym8(const double *restrict h, size_t m, size_t k, size_t l) {
  return k <= l ? load8(h + (k * m + l) * LANES) : load8(h + (l * m + k) * LANES);
}

// y = H p per lane (H symmetric, upper triangle read), y_k = Σ_l h[k][l] p_l in increasing l from
// 0.0 (ConjugateGradient.solve's order); four rows at a time share the loads of p and run four
// independent add chains.
CSM_INLINE void matvec8(const double *restrict h, const double *restrict p, size_t m, double *restrict y) {
  size_t k = 0;
  for (; k + 4 <= m; k += 4) {
    v8d a0 = splat(0.0), a1 = splat(0.0), a2 = splat(0.0), a3 = splat(0.0);
    size_t l = 0;
    for (; l < k; l++) {  // below the diagonal block: column l of the upper triangle, rows k…k+3
      const v8d pl = load8(p + l * LANES);
      const double *restrict col = h + (l * m + k) * LANES;
      a0 += load8(col) * pl;
      a1 += load8(col + LANES) * pl;
      a2 += load8(col + 2 * LANES) * pl;
      a3 += load8(col + 3 * LANES) * pl;
    }
    for (; l < k + 4; l++) {  // the 4×4 diagonal block
      const v8d pl = load8(p + l * LANES);
      a0 += sym8(h, m, k, l) * pl;
      a1 += sym8(h, m, k + 1, l) * pl;
      a2 += sym8(h, m, k + 2, l) * pl;
      a3 += sym8(h, m, k + 3, l) * pl;
    }
    const double *restrict h0 = h + k * m * LANES, *restrict h1 = h0 + m * LANES, *restrict h2 = h1 + m * LANES,
                           *restrict h3 = h2 + m * LANES;
    for (; l < m; l++) {  // right of it: rows k…k+3
      const v8d pl = load8(p + l * LANES);
      a0 += load8(h0 + l * LANES) * pl;
      a1 += load8(h1 + l * LANES) * pl;
      a2 += load8(h2 + l * LANES) * pl;
      a3 += load8(h3 + l * LANES) * pl;
    }
    store8(y + k * LANES, a0);
    store8(y + (k + 1) * LANES, a1);
    store8(y + (k + 2) * LANES, a2);
    store8(y + (k + 3) * LANES, a3);
  }
  for (; k < m; k++) {
    v8d acc = splat(0.0);
    for (size_t l = 0; l < m; l++) acc += sym8(h, m, k, l) * load8(p + l * LANES);
    store8(y + k * LANES, acc);
  }
}

CSM_INLINE v8d dot8(const double *restrict a, const double *restrict b, size_t m) {
  v8d s = splat(0.0);
  for (size_t k = 0; k < m; k++) s += load8(a + k * LANES) * load8(b + k * LANES);
  return s;
}

// ConjugateGradient.solve in every lane: a lane stops (its v frozen) where the scalar loop
// breaks (rr == 0 or pᵀHp ≤ 0); the loop ends when every lane has stopped.
CSM_INLINE void cg8_body(const double *restrict h, const double *restrict b, double *restrict v, size_t m,
                         int iterations, double *restrict scratch) {
  double *restrict r = scratch, *restrict p = scratch + m * LANES, *restrict ap = scratch + 2 * m * LANES;
  matvec8(h, v, m, ap);
  for (size_t k = 0; k < m; k++) {
    const v8d rk = load8(b + k * LANES) - load8(ap + k * LANES);
    store8(r + k * LANES, rk);
    store8(p + k * LANES, rk);
  }
  v8d rr = dot8(r, r, m);
  v8l active = ~(v8l){0, 0, 0, 0, 0, 0, 0, 0};
  for (int t = 0; t < iterations; t++) {
    active &= rr != 0.0;
    if (!any8(active)) break;
    matvec8(h, p, m, ap);
    const v8d pap = dot8(p, ap, m);
    active &= pap > 0.0;
    if (!any8(active)) break;
    const v8d step = rr / pap;
    for (size_t k = 0; k < m; k++) {
      const v8d pk = load8(p + k * LANES), vk = load8(v + k * LANES), rk = load8(r + k * LANES);
      store8(v + k * LANES, select8(active, vk + step * pk, vk));
      store8(r + k * LANES, select8(active, rk - step * load8(ap + k * LANES), rk));
    }
    const v8d rrNew = dot8(r, r, m);
    const v8d beta = rrNew / rr;
    for (size_t k = 0; k < m; k++) {
      const v8d pk = load8(p + k * LANES);
      store8(p + k * LANES, select8(active, load8(r + k * LANES) + beta * pk, pk));
    }
    rr = select8(active, rrNew, rr);
  }
}

// ---------------------------------------------------------------------------- mixing row sums
// outA = Σ_e w_e · a[slot_e·m …], outB likewise from b, over one mixing row: the entries
// lo…selfAt−1, the self term (selfWeight, selfSlot), the entries selfAt…hi−1 — for every k the
// terms added in that order from 0.0, one multiply and one add each (MixingKernel's order, the
// same bits). Neighbour by neighbour with all m sums of both arrays in registers (m ≤ 32: four
// 8-lane accumulators an array, the last one overlapping the third when m is not a multiple of
// 8 — its overlapped entries are computed twice, identically), so the loads of every neighbour
// row are independent and in flight together. Larger m: the same in column chunks of 32.
CSM_INLINE void mix_term(double w, const double *restrict ra, const double *restrict rb, const size_t *off, int nv,
                         v8d *accA, v8d *accB) {
  const v8d wv = splat(w);
  for (int c = 0; c < nv; c++) {
    accA[c] += wv * load8(ra + off[c]);
    accB[c] += wv * load8(rb + off[c]);
  }
}

CSM_INLINE void mix_rowsum2_body(const double *restrict a, const double *restrict b, const int32_t *restrict slots,
                                 const double *restrict weights, size_t lo, size_t selfAt, size_t hi,
                                 size_t selfSlot, double selfWeight, size_t m, double *restrict outA,
                                 double *restrict outB) {
  if (m < LANES) {
    for (size_t k = 0; k < m; k++) {
      double sa = 0.0, sb = 0.0;
      for (size_t e = lo; e < selfAt; e++) { sa += weights[e] * a[(size_t)slots[e] * m + k]; sb += weights[e] * b[(size_t)slots[e] * m + k]; }
      sa += selfWeight * a[selfSlot * m + k];
      sb += selfWeight * b[selfSlot * m + k];
      for (size_t e = selfAt; e < hi; e++) { sa += weights[e] * a[(size_t)slots[e] * m + k]; sb += weights[e] * b[(size_t)slots[e] * m + k]; }
      outA[k] = sa;
      outB[k] = sb;
    }
    return;
  }
  for (size_t k0 = 0; k0 < m; k0 += 4 * LANES) {
    // Column offsets of this chunk's vectors (the last one ends at column min(m, k0 + 32)).
    const size_t width = m - k0 < 4 * LANES ? m - k0 : 4 * LANES;
    size_t off[4];
    int nv = 0;
    for (size_t c = 0; c + LANES <= width; c += LANES) off[nv++] = k0 + c;
    if (width % LANES != 0) off[nv++] = k0 + width - LANES;  // overlaps the previous vector (k0 + width ≥ 8)
    v8d accA[4] = {splat(0.0), splat(0.0), splat(0.0), splat(0.0)};
    v8d accB[4] = {splat(0.0), splat(0.0), splat(0.0), splat(0.0)};
    for (size_t e = lo; e < selfAt; e++) {
      const size_t r = (size_t)slots[e] * m;
      mix_term(weights[e], a + r, b + r, off, nv, accA, accB);
    }
    mix_term(selfWeight, a + selfSlot * m, b + selfSlot * m, off, nv, accA, accB);
    for (size_t e = selfAt; e < hi; e++) {
      const size_t r = (size_t)slots[e] * m;
      mix_term(weights[e], a + r, b + r, off, nv, accA, accB);
    }
    for (int c = 0; c < nv; c++) {
      store8(outA + off[c], accA[c]);
      store8(outB + off[c], accB[c]);
    }
  }
}

// ---------------------------------------------------------------------------- variants
#define CSM_VARIANT(suffix, attr)                                                                          \
  attr static void assemble_##suffix(size_t count, size_t m, size_t M2, const csm_moment_source *src,      \
                                     double *mu, double lam, const int64_t *st, const int64_t *rw,          \
                                     const double *va, int lanes, double *scr, double *out) {             \
    assemble_body(count, m, M2, src, mu, lam, st, rw, va, lanes, scr, out);                               \
  }                                                                                                       \
  attr static int cholesky8_##suffix(const double *a, size_t m, double *x, double *u) {                   \
    return cholesky8_body(a, m, x, u);                                                                    \
  }                                                                                                       \
  attr static void cg8_##suffix(const double *h, const double *b, double *v, size_t m, int T, double *s) { \
    cg8_body(h, b, v, m, T, s);                                                                           \
  }                                                                                                       \
  attr static void mix_rowsum2_##suffix(const double *a, const double *b, const int32_t *sl, const double *w, \
                                        size_t lo, size_t sa, size_t hi, size_t ss, double sw, size_t m,  \
                                        double *oa, double *ob) {                                          \
    mix_rowsum2_body(a, b, sl, w, lo, sa, hi, ss, sw, m, oa, ob);                                         \
  }

CSM_VARIANT(baseline, )
#if defined(__x86_64__)
CSM_VARIANT(avx2, __attribute__((target("avx2,fma"))))
CSM_VARIANT(avx512, __attribute__((target("avx512f,avx512dq,fma"))))
#define CSM_PICK(name, v) ((v) == CVM_AVX512 ? name##_avx512 : (v) == CVM_AVX2 ? name##_avx2 : name##_baseline)
#else
#define CSM_PICK(name, v) name##_baseline
#endif

int csm_hessian_assemble_gather(int variant, size_t count, size_t m, size_t M2, const csm_moment_source *source,
                                double *mean, double lambda, const int64_t *start, const int64_t *rows,
                                const double *values, int lanes, double *scratch, double *out) {
  if (variant < 0) variant = cvm_active_variant();
  else if (!cvm_variant_supported(variant)) return -1;
  CSM_PICK(assemble, variant)(count, m, M2, source, mean, lambda, start, rows, values, lanes, scratch, out);
  return 0;
}

int csm_cholesky_solve8(int variant, const double *a, size_t m, double *x, double *scratch) {
  if (variant < 0) variant = cvm_active_variant();
  else if (!cvm_variant_supported(variant)) return -1;
  return CSM_PICK(cholesky8, variant)(a, m, x, scratch);
}

int csm_cg_solve8(int variant, const double *h, const double *b, double *v, size_t m, int iterations,
                  double *scratch) {
  if (variant < 0) variant = cvm_active_variant();
  else if (!cvm_variant_supported(variant)) return -1;
  CSM_PICK(cg8, variant)(h, b, v, m, iterations, scratch);
  return 0;
}

int csm_mix_rowsum2(int variant, const double *a, const double *b, const int32_t *slots, const double *weights,
                    size_t lo, size_t selfAt, size_t hi, size_t selfSlot, double selfWeight, size_t m, double *outA,
                    double *outB) {
  if (variant < 0) variant = cvm_active_variant();
  else if (!cvm_variant_supported(variant)) return -1;
  CSM_PICK(mix_rowsum2, variant)(a, b, slots, weights, lo, selfAt, hi, selfSlot, selfWeight, m, outA, outB);
  return 0;
}
