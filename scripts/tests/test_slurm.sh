#!/usr/bin/env bash
# Tests of the Slurm machinery: scripts/slurm-local, jobs/macroopt.sbatch, jobs/chain.sh.
#
# The job payloads here are STAND-INS (scripts/tests/standin-macroopt under the real mpirun
# through scripts/tests/standin-mpirun), not MacroOpt: they only mimic the exit-code contract
# (0 done, 2 bad input, 85 checkpointed on a signal). End-to-end tests with the real solver
# are separate. Runs its own cluster (state dir and ports of its own, so a cluster started by
# hand is not disturbed) and always stops it. Needs root. ~40 s.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
T="$ROOT/scripts/tests"
export MACROOPT_SLURM_DIR="/tmp/macroopt-slurm-test-$$"
export MACROOPT_SLURM_CTLD_PORT=6917 MACROOPT_SLURMD_PORT=6918
export SLURM_CONF="$MACROOPT_SLURM_DIR/slurm.conf"
WORK="$(mktemp -d /tmp/macroopt-slurm-jobs.XXXXXX)"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else notok "$name"; fi; }
quiet() { "$@" >/dev/null 2>&1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

cleanup() {
  local t0; t0="$(now)"
  "$ROOT/scripts/slurm-local" stop >/dev/null 2>&1
  echo "# cleanup stop: $(since "$t0") s"
  rm -rf "$MACROOPT_SLURM_DIR" "$WORK"
}
trap cleanup EXIT

field() { # JOBID KEY -> value from scontrol show job
  scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
wait_state() { # JOBID REGEX TIMEOUT -> 0 when JobState matches
  local deadline=$(( $(date +%s) + $3 )) s
  while [ "$(date +%s)" -lt "$deadline" ]; do
    s="$(field "$1" JobState)"
    [[ "$s" =~ ^($2)$ ]] && return 0
    sleep 0.2
  done
  echo "# job $1 still '$(field "$1" JobState)' after $3 s (wanted $2)"
  return 1
}

# --- cluster start (twice: idempotent) --------------------------------------------------------
t0="$(now)"
if ! "$ROOT/scripts/slurm-local" start > "$WORK/start.log" 2>&1; then
  cat "$WORK/start.log"; notok "slurm-local start"; exit 1
fi
echo "# cluster start: $(since "$t0") s"
ok "slurm-local start"
check "start prints export SLURM_CONF" grep -qx "export SLURM_CONF=$SLURM_CONF" "$WORK/start.log"
pid1="$(cat "$MACROOPT_SLURM_DIR/run/slurmctld.pid")"
check "second start is ok" quiet "$ROOT/scripts/slurm-local" start
check "second start keeps the same slurmctld" test "$pid1" = "$(cat "$MACROOPT_SLURM_DIR/run/slurmctld.pid")"
check "node localhost idle with $(nproc) CPUs" test "$(sinfo -h -n localhost -o '%T %c')" = "idle $(nproc)"
check "status works" quiet "$ROOT/scripts/slurm-local" status

common_env() {
  export MACROOPT_ROOT="$ROOT" MACROOPT_BIN="$T/standin-macroopt" MACROOPT_MPIRUN="$T/standin-mpirun"
}
common_env
cd "$WORK" || exit 1

# --- job latency: a trivial job -----------------------------------------------------------
t0="$(now)"
jl="$(sbatch --parsable -o "$WORK/latency.out" --wrap true)"
wait_state "$jl" COMPLETED 30 && echo "# trivial job submit->COMPLETED: $(since "$t0") s"

# --- 1. USR1 -> checkpoint (exit 85) -> requeue once -> completes ---------------------------
t_rq="$(now)"
jr="$(MACROOPT_OUTPUT="$WORK/requeue" MACROOPT_RANKS=2 MACROOPT_EXTRA="--set run.rounds=40 --set standin.round_seconds=0.1" \
  sbatch --parsable --job-name=requeue "$ROOT/jobs/macroopt.sbatch")"
# --- 2. bad config: exit 2, not requeued ----------------------------------------------------
echo 'bad = true' > "$WORK/bad.toml"
jb="$(MACROOPT_OUTPUT="$WORK/bad" MACROOPT_CONFIG="$WORK/bad.toml" sbatch --parsable --job-name=bad "$ROOT/jobs/macroopt.sbatch")"
# --- 3. chain of 3: each link does 5 of 15 rounds, checkpoints (85), the next resumes --------
t_ch="$(now)"
mapfile -t chain < <(MACROOPT_OUTPUT="$WORK/chain" MACROOPT_EXTRA="--set run.rounds=15 --set standin.per_run=5 --set standin.round_seconds=0.05" \
  "$ROOT/jobs/chain.sh" - 3 --job-name=chain 2>"$WORK/chain-submit.log")
check "chain.sh printed 3 job ids" test "${#chain[@]}" -eq 3
# --- 4. chain whose first link fails: the rest is cancelled (kill-on-invalid-dep) ------------
mapfile -t badchain < <(MACROOPT_OUTPUT="$WORK/badchain" "$ROOT/jobs/chain.sh" "$WORK/bad.toml" 2 --job-name=badchain 2>/dev/null)

# --- 5. scaling array: 2 cases, each in its own dir with its ranks and agents -----------------
ja="$(MACROOPT_SCALING_CASES="1:100 2:200" MACROOPT_SCALING_DIR="$WORK/scaling" MACROOPT_EXTRA="--set run.rounds=3 --set standin.round_seconds=0.01" \
  sbatch --parsable --array=0-1 "$ROOT/jobs/scaling.sbatch")"

# send USR1 to the batch shell once the stand-in runs
deadline=$(( $(date +%s) + 30 ))
until grep -q '^start' "$WORK/requeue/standin.log" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.2; done
sleep 0.5
scancel --signal=USR1 --batch "$jr"
wait_state "$jr" COMPLETED 60 && echo "# requeue job submit->COMPLETED (incl. requeue delay): $(since "$t_rq") s"
check "requeue job COMPLETED exit 0:0" test "$(field "$jr" JobState) $(field "$jr" ExitCode)" = "COMPLETED 0:0"
check "requeue job restarted once" test "$(field "$jr" Restarts)" = 1
out_rq="$WORK/requeue-$jr.out"
check "requeue job log: USR1 forwarded" grep -q 'got SIGUSR1: forwarding USR1 to mpirun' "$out_rq"
check "requeue job log: scontrol requeue" grep -q 'checkpointed on a signal: scontrol requeue' "$out_rq"
check "requeue job log: second run finished" grep -q 'restart 1: run finished' "$out_rq"
check "stand-in: 2 starts, resumed past 0, finished at 40" \
  bash -c "[ \$(grep -c '^start' '$WORK/requeue/standin.log') = 2 ] && grep -q 'restart=1 ranks=2 from_round=[1-9]' '$WORK/requeue/standin.log' && grep -q 'finished at round 40' '$WORK/requeue/standin.log'"

wait_state "$jb" 'FAILED|COMPLETED' 30
check "bad job FAILED exit 2:0" test "$(field "$jb" JobState) $(field "$jb" ExitCode)" = "FAILED 2:0"
check "bad job not requeued" test "$(field "$jb" Restarts)" = 0
check "bad job log says so" grep -q 'bad config, not requeued' "$WORK/bad-$jb.out"

if [ "${#chain[@]}" -eq 3 ]; then
  wait_state "${chain[2]}" 'COMPLETED|FAILED|CANCELLED' 60 && echo "# chain of 3 submit->last COMPLETED: $(since "$t_ch") s"
  states=""
  for j in "${chain[@]}"; do states+="$(field "$j" JobState)/$(field "$j" ExitCode) "; done
  check "chain: all 3 COMPLETED 0:0 ($states)" test "$states" = "COMPLETED/0:0 COMPLETED/0:0 COMPLETED/0:0 "
  check "chain: link 2 depended on link 1" grep -q "link 2/3 job ${chain[1]} after ${chain[0]}" "$WORK/chain-submit.log"
  check "chain: links ran in order from rounds 0, 5, 10" test \
    "$(grep '^start' "$WORK/chain/standin.log" | sed 's/.*job=\([0-9]*\).*from_round=\([0-9]*\)/\1:\2/' | tr '\n' ' ')" \
    = "${chain[0]}:0 ${chain[1]}:5 ${chain[2]}:10 "
  check "chain: run finished at round 15" grep -q 'finished at round 15' "$WORK/chain/standin.log"
fi

if [ "${#badchain[@]}" -eq 2 ]; then
  wait_state "${badchain[1]}" 'CANCELLED|FAILED' 30
  check "bad chain: link 1 FAILED, link 2 CANCELLED" test \
    "$(field "${badchain[0]}" JobState) $(field "${badchain[1]}" JobState)" = "FAILED CANCELLED"
else
  notok "bad chain: chain.sh printed 2 job ids"
fi

wait_state "${ja}_1" 'COMPLETED|FAILED' 30
check "scaling array: both tasks COMPLETED" test "$(field "${ja}_0" JobState) $(field "${ja}_1" JobState)" = "COMPLETED COMPLETED"
check "scaling array: case dirs with ranks and agents" grep -q '"agents": 200, "ranks": 2' "$WORK/scaling/case-1-p2-n200/summary.json"
check "scaling array: case 0 has 1 rank, 100 agents" grep -q '"agents": 100, "ranks": 1' "$WORK/scaling/case-0-p1-n100/summary.json"

# --- stop ---------------------------------------------------------------------------------
cd /
pids="$(cat "$MACROOPT_SLURM_DIR"/run/*.pid "$MACROOPT_SLURM_DIR"/munge/munged.pid 2>/dev/null)"
t0="$(now)"
check "slurm-local stop" quiet "$ROOT/scripts/slurm-local" stop
echo "# cluster stop: $(since "$t0") s"
alive=""
for p in $pids; do kill -0 "$p" 2>/dev/null && alive+="$p "; done
check "daemons gone after stop" test -z "$alive"
check "status fails when stopped" bash -c "! '$ROOT/scripts/slurm-local' status >/dev/null 2>&1"
