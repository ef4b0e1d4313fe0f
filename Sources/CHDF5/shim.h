// CHDF5 shim: H5P_DEFAULT, H5T_NATIVE_* and friends are macros (some over library
// globals initialised by H5open); re-export them as static inline accessors.
#ifndef MACROOPT_CHDF5_SHIM_H
#define MACROOPT_CHDF5_SHIM_H
#include <hdf5.h>
#include <stdio.h>

static inline hid_t chdf5_p_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline hid_t chdf5_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_dataset_xfer(void) { return H5P_DATASET_XFER; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline unsigned chdf5_f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline H5S_seloper_t chdf5_select_set(void) { return H5S_SELECT_SET; }
static inline H5FD_mpio_xfer_t chdf5_mpio_collective(void) { return H5FD_MPIO_COLLECTIVE; }
static inline H5FD_mpio_xfer_t chdf5_mpio_independent(void) { return H5FD_MPIO_INDEPENDENT; }
static inline H5F_scope_t chdf5_scope_global(void) { return H5F_SCOPE_GLOBAL; }
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }
/// Silence HDF5's automatic error stack printing (we report errors ourselves).
static inline void chdf5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
static inline H5D_fill_time_t chdf5_fill_time_never(void) { return H5D_FILL_TIME_NEVER; }
static inline unsigned chdf5_f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline haddr_t chdf5_haddr_undef(void) { return HADDR_UNDEF; }
/// Parallel (MPI-IO) file access on `comm` with MPI_INFO_NULL.
static inline herr_t chdf5_set_fapl_mpio(hid_t fapl, MPI_Comm comm) {
  return H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
}
typedef struct { char *buf; size_t cap; size_t len; } chdf5_errbuf;
static herr_t chdf5_walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
  chdf5_errbuf *b = (chdf5_errbuf *)data;
  (void)n;
  if (b->len + 3 >= b->cap) return 0;
  int w = snprintf(b->buf + b->len, b->cap - b->len, "%s%s: %s", b->len ? "; " : "",
                   e->func_name ? e->func_name : "?", e->desc ? e->desc : "?");
  if (w > 0) { b->len += (size_t)w; if (b->len >= b->cap) b->len = b->cap - 1; }
  return 0;
}
/// The current thread's HDF5 error stack as one line (innermost last), then cleared.
static inline void chdf5_error_text(char *buf, size_t cap) {
  chdf5_errbuf b = { buf, cap, 0 };
  if (cap == 0) return;
  buf[0] = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, chdf5_walk_cb, &b);
  H5Eclear2(H5E_DEFAULT);
}
#endif
