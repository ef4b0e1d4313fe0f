#!/usr/bin/env bash
# scripts/blas-core's rules on given CPUs (flags and OpenBLAS's own choice replaced through
# MACROOPT_CPU_FLAGS / MACROOPT_OPENBLAS_OWN_CORE), then on this machine through scripts/mpirun:
# the core macroopt reports is the one scripts/blas-core chose (or OpenBLAS's own when it chose
# none). TAP-like "ok - NAME" lines.
set -uo pipefail
cd "$(dirname "$0")/../.."
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
AVX512="flags : fpu sse2 avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl"
AVX2="flags : fpu sse2 avx fma avx2"
# expect NAME WANT ENV...: scripts/blas-core prints WANT with ENV (OPENBLAS_CORETYPE unset unless given).
expect() {
  local name="$1" want="$2"; shift 2
  local got
  got="$(env -u OPENBLAS_CORETYPE -u MACROOPT_BLAS_CORE "$@" scripts/blas-core)"
  if [[ "$got" == "$want" ]]; then ok "$name"; else notok "$name: got '$got', want '$want' ($(env -u OPENBLAS_CORETYPE -u MACROOPT_BLAS_CORE "$@" scripts/blas-core --explain))"; fi
}
expect "generic core on an AVX-512 CPU -> SkylakeX" SkylakeX MACROOPT_CPU_FLAGS="$AVX512" MACROOPT_OPENBLAS_OWN_CORE=Prescott
expect "generic core on an AVX2 CPU -> Haswell" Haswell MACROOPT_CPU_FLAGS="$AVX2" MACROOPT_OPENBLAS_OWN_CORE=Prescott
expect "AVX2 core on an AVX-512 CPU -> SkylakeX" SkylakeX MACROOPT_CPU_FLAGS="$AVX512" MACROOPT_OPENBLAS_OWN_CORE=Haswell
expect "AVX2 core on an AVX2 CPU stands" "" MACROOPT_CPU_FLAGS="$AVX2" MACROOPT_OPENBLAS_OWN_CORE=Zen
expect "a recognised AVX-512 core stands" "" MACROOPT_CPU_FLAGS="$AVX512" MACROOPT_OPENBLAS_OWN_CORE=Cooperlake
expect "no AVX2: nothing overridden" "" MACROOPT_CPU_FLAGS="flags : fpu sse2" MACROOPT_OPENBLAS_OWN_CORE=Prescott
expect "an inherited narrower core is not used" "" MACROOPT_CPU_FLAGS="$AVX512" MACROOPT_OPENBLAS_OWN_CORE=Cooperlake OPENBLAS_CORETYPE=Haswell
expect "an inherited narrower core is replaced by the correction" SkylakeX MACROOPT_CPU_FLAGS="$AVX512" MACROOPT_OPENBLAS_OWN_CORE=Prescott OPENBLAS_CORETYPE=Haswell
expect "an inherited core as wide as the best is kept" SkylakeX MACROOPT_CPU_FLAGS="$AVX512" MACROOPT_OPENBLAS_OWN_CORE=Cooperlake OPENBLAS_CORETYPE=SkylakeX
expect "an inherited core this script does not know is kept" Sandybridge2 MACROOPT_CPU_FLAGS="$AVX512" MACROOPT_OPENBLAS_OWN_CORE=Cooperlake OPENBLAS_CORETYPE=Sandybridge2
expect "MACROOPT_BLAS_CORE=inherit keeps a narrower core" Haswell MACROOPT_BLAS_CORE=inherit OPENBLAS_CORETYPE=Haswell
expect "MACROOPT_BLAS_CORE=auto leaves it to OpenBLAS" "" MACROOPT_BLAS_CORE=auto OPENBLAS_CORETYPE=Haswell MACROOPT_OPENBLAS_OWN_CORE=Prescott
expect "MACROOPT_BLAS_CORE=NAME forces NAME" Haswell MACROOPT_BLAS_CORE=Haswell MACROOPT_CPU_FLAGS="$AVX512"

# This machine, end to end: what macroopt reports under scripts/mpirun (with a global
# OPENBLAS_CORETYPE=Haswell inherited, as some images set) is scripts/blas-core's choice, or
# OpenBLAS's own detection when it chose none.
BIN=.build/release/macroopt
if [[ -x "$BIN" ]]; then
  chosen="$(OPENBLAS_CORETYPE=Haswell scripts/blas-core)"
  own="$(env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -c 'import ctypes
l = ctypes.CDLL("libopenblas.so.0"); l.openblas_get_corename.restype = ctypes.c_char_p
print(l.openblas_get_corename().decode())' 2>/dev/null)"
  want="${chosen:-$own}"
  info="$(OPENBLAS_CORETYPE=Haswell scripts/mpirun -np 1 "$BIN" info 2>&1)"
  if grep -q "core $want" <<<"$info"; then ok "macroopt under scripts/mpirun runs core $want ($(OPENBLAS_CORETYPE=Haswell scripts/blas-core --explain))"
  else notok "macroopt under scripts/mpirun: want core $want, info says: $(grep -i openblas <<<"$info")"; fi
else
  notok "$BIN missing: build it with swift build -c release"
fi
