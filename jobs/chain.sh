#!/usr/bin/env bash
# jobs/chain.sh — submit a chain of N jobs/macroopt.sbatch jobs that continue one run.
#
#   jobs/chain.sh [--rounds R] CONFIG N [sbatch args ...]
#
# CONFIG is a config TOML path, or "-" (or "") for the embedded default scenario. Job k+1 is
# submitted with --dependency=afterok:<job k> --kill-on-invalid-dep=yes, so it starts only
# after job k exited 0, and the rest of the chain is cancelled if one fails (exit 2 bad config,
# 3 diverged, ...). Every job runs `macroopt run CONFIG --output DIR --resume auto`, with the
# same DIR: each picks up the newest checkpoint of the previous one.
#
# With --rounds R each link does a share of the work: link k runs the run up to round
# ceil(k*R/N) (MACROOPT_ROUNDS for jobs/macroopt.sbatch, i.e. `--set run.rounds=...`; the
# checkpoint's configuration hash ignores run.rounds, so the next link continues the same
# run), exits 0, and the last link ends at round R. Choose R/N rounds that fit the time limit.
#
# Without --rounds (or when a link's time runs out first), links 1..N-1 run with
# MACROOPT_ON_CHECKPOINT=chain: when their time runs out (Slurm's
# --signal=B:USR1@120 warning) macroopt checkpoints and exits 85 and the job exits 0, which
# releases the next link. The last link keeps the default MACROOPT_ON_CHECKPOINT=requeue: it
# requeues itself until the run is done. A link that starts after the run already finished
# is expected to return at once (macroopt's --resume auto on a finished run).
#
# Environment: MACROOPT_OUTPUT (shared run dir; default $ROOT/runs/chain-<date>-<time>-<pid>),
# MACROOPT_ROOT (default: this repository), and everything jobs/macroopt.sbatch reads
# (MACROOPT_RANKS, MACROOPT_BIN, MACROOPT_EXTRA, MACROOPT_MPIRUN, ...), passed on through
# sbatch's default --export=ALL (do not pass --export=NONE).
#
# Prints the job ids, one a line, in chain order, on stdout; progress goes to stderr.
set -euo pipefail

die() { echo "chain.sh: $*" >&2; exit 2; }
total=""
case "${1:-}" in
  --rounds) [ $# -ge 2 ] || die "--rounds needs a value"; total="$2"; shift 2 ;;
  --rounds=*) total="${1#--rounds=}"; shift ;;
esac
[ $# -ge 2 ] || die "usage: jobs/chain.sh [--rounds R] CONFIG N [sbatch args ...]"
config="$1"; n="$2"; shift 2
case "$n" in ''|*[!0-9]*|0) die "N must be a positive integer, got '$n'" ;; esac
[ -z "$total" ] || case "$total" in *[!0-9]*|0) die "--rounds must be a positive integer, got '$total'" ;; esac

ROOT="${MACROOPT_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
SBATCH_FILE="$ROOT/jobs/macroopt.sbatch"
[ -f "$SBATCH_FILE" ] || die "missing $SBATCH_FILE"
if [ "$config" = - ] || [ -z "$config" ]; then config=""
else
  [ -f "$config" ] || die "config '$config' does not exist"
  config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
fi
out="${MACROOPT_OUTPUT:-$ROOT/runs/chain-$(date +%Y%m%d-%H%M%S)-$$}"
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac
mkdir -p "$out"

export MACROOPT_ROOT="$ROOT" MACROOPT_CONFIG="$config" MACROOPT_OUTPUT="$out"
echo "chain.sh: $n jobs, config '${config:-<default scenario>}', output $out${total:+, $total rounds}" >&2
prev=""
for k in $(seq 1 "$n"); do
  if [ "$k" -lt "$n" ]; then export MACROOPT_ON_CHECKPOINT=chain
  else export MACROOPT_ON_CHECKPOINT=requeue; fi
  if [ -n "$total" ]; then export MACROOPT_ROUNDS=$(( (k * total + n - 1) / n )); fi
  dep=()
  [ -z "$prev" ] || dep=(--dependency="afterok:$prev" --kill-on-invalid-dep=yes)
  id="$(sbatch --parsable "${dep[@]}" "$@" "$SBATCH_FILE")" || die "sbatch failed for link $k"
  id="${id%%;*}"
  echo "chain.sh: link $k/$n job $id${prev:+ after $prev}${total:+ to round $MACROOPT_ROUNDS}" >&2
  echo "$id"
  prev="$id"
done
