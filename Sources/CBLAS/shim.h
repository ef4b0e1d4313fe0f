// CBLAS shim: Debian's OpenBLAS ships cblas.h and (inside libopenblas) LAPACK's Fortran
// symbols. We declare the few LAPACK routines we use instead of pulling in lapacke.h.
#ifndef MACROOPT_CBLAS_SHIM_H
#define MACROOPT_CBLAS_SHIM_H
#include <cblas.h>

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a,
             const int *lda, double *b, const int *ldb, int *info);
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info);

static inline int cblas_shim_row_major(void) { return CblasRowMajor; }
static inline int cblas_shim_no_trans(void) { return CblasNoTrans; }
static inline int cblas_shim_trans(void) { return CblasTrans; }
static inline int cblas_shim_upper(void) { return CblasUpper; }
static inline int cblas_shim_lower(void) { return CblasLower; }
#endif
