#!/usr/bin/env bash
# Tests of MacroOpt on a real multi-node Slurm cluster: `scripts/slurm-local start --nodes 3`
# (one slurmd per network + UTS namespace, joined by a bridge on 10.213.8.0/24; own state dir,
# ports and name prefix; always stopped on exit) with the REAL solver (.build/release/macroopt)
# launched by jobs/*.sbatch -> scripts/mpirun -> mpirun, whose daemons reach the other nodes
# through srun and talk back over TCP. Needs root and network namespaces; without them it
# prints "# SKIP" with the reason and passes nothing. Checks:
#   (1) `macroopt info` on 3 nodes x 1 rank prints 3 different host names (node1..node3), and
#       the same run restricted to shared memory (--mca btl self,vader) cannot connect the ranks:
#       they are on different nodes as far as OpenMPI is concerned;
#       `srun --mpi=pmix macroopt info` (no mpirun) is tried last, best effort (reported, not
#       asserted: it hung once in OpenMPI's TCP connect);
#   (2) the default scenario shortened (300 rounds, 100 of them warm-up) on 3 nodes x 1 rank
#       (jobs/macroopt.sbatch) has the state_digest of 1 rank on this host outside Slurm;
#   (3) a 2-node job whose rank on node2 is killed (kill -9 of the job's processes in node2's
#       namespace) ends FAILED within a bound (time printed); resubmitted with the same output
#       directory it resumes from the newest checkpoint, gets a USR1 (scancel --signal=USR1
#       --batch) that mpirun forwards to both nodes' ranks, checkpoints, requeues itself and
#       ends at the uninterrupted run's digest;
#   (4) the scaling study (jobs/scaling.sbatch on 1, 2, 3 nodes + scripts/scaling-report)
#       produces its report, one row per case with the right rank counts.
# After `stop`: no namespace, veth, bridge or daemon of the cluster is left.
# Timings printed here are NOT performance figures: every "node" runs on the same cores.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/.build/release/macroopt"
export MACROOPT_SLURM_DIR="/tmp/macroopt-mn-test-$$"
export MACROOPT_SLURM_CTLD_PORT=6937 MACROOPT_SLURMD_PORT=6938
export MACROOPT_SLURM_NET=mot MACROOPT_SLURM_SUBNET=10.213.8
export SLURM_CONF="$MACROOPT_SLURM_DIR/slurm.conf"
export MACROOPT_ROOT="$ROOT"
unset MACROOPT_CONFIG MACROOPT_OUTPUT MACROOPT_EXTRA MACROOPT_ROUNDS MACROOPT_RANKS MACROOPT_BIN MACROOPT_MPIRUN MACROOPT_ON_CHECKPOINT
NET=mot NODES=3
WORK="$(mktemp -d /tmp/macroopt-mn-jobs.XXXXXX)"
T_ALL="$(date +%s.%N)"

# shellcheck source=scripts/tests/slurm_support.sh
. "$ROOT/scripts/tests/slurm_support.sh"

refpid="" started=0
cleanup() {
  local t0; t0="$(now)"
  stop_reference
  if [ "$started" -eq 1 ]; then
    "$ROOT/scripts/slurm-local" stop >/dev/null 2>&1
    echo "# cleanup stop: $(since "$t0") s"
  fi
  echo "# whole multi-node test: $(since "$T_ALL") s"
  rm -rf "$MACROOPT_SLURM_DIR" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # so that the EXIT trap stops the cluster on ^C or kill too

if [ ! -x "$BIN" ]; then notok "release binary $BIN missing (swift build -c release)"; exit 1; fi

leftovers() { # what of the cluster is still there: namespaces, links, daemons
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NET-" | sed 's/^/netns /'
  ip -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -E "^$NET-" | sed 's/^/link /'
  ps -e -o pid=,args= | grep -E "(slurmctld|slurmd|munged).*$MACROOPT_SLURM_DIR" | grep -v grep | sed 's/^/process /'
}

# --- skip without root or namespaces (the reason printed), and the non-root message ---------
if [ "$(id -u)" -ne 0 ]; then echo "# SKIP multi-node tests: not root"; exit 0; fi
if command -v setpriv >/dev/null 2>&1; then
  # as nobody; the script on stdin, since nobody may not be able to read the checkout
  msg="$(setpriv --reuid=65534 --regid=65534 --clear-groups bash -s start --nodes 2 --dir "/tmp/macroopt-mn-nonroot-$$" \
    < "$ROOT/scripts/slurm-local" 2>&1)"
  rc=$?
  check "start --nodes 2 as non-root exits 3 naming the reason (got $rc: $msg)" \
    test "$rc:$(grep -c 'multi-node mode unavailable: must run as root' <<<"$msg")" = "3:1"
  rm -rf "/tmp/macroopt-mn-nonroot-$$"
fi

# The default scenario, shortened to 300 rounds of which 100 warm-up (so that the agents move),
# a checkpoint every 50 rounds (the kill test resumes from one). One uninterrupted reference:
# 1 rank on this host, outside Slurm, in the background.
ROUNDS=300
EXTRA="--set run.rounds=$ROUNDS --set run.warmup=100 --set output.checkpoint_every=50"
# shellcheck disable=SC2086
"$ROOT/scripts/mpirun" -np 1 "$BIN" run --output "$WORK/ref" $EXTRA > "$WORK/ref.log" 2>&1 &
refpid=$!

# --- cluster start (twice: idempotent) --------------------------------------------------------
t0="$(now)"
"$ROOT/scripts/slurm-local" start --nodes $NODES > "$WORK/start.log" 2>&1
rc=$?
if [ "$rc" -eq 3 ]; then
  echo "# SKIP multi-node tests: $(grep 'multi-node mode unavailable' "$WORK/start.log" | head -n 1)"
  exit 0
fi
started=1
if [ "$rc" -ne 0 ]; then cat "$WORK/start.log"; notok "slurm-local start --nodes $NODES"; exit 1; fi
echo "# cluster start ($NODES nodes): $(since "$t0") s"
ok "slurm-local start --nodes $NODES"
check "start prints export SLURM_CONF" grep -qx "export SLURM_CONF=$SLURM_CONF" "$WORK/start.log"
pid1="$(cat "$MACROOPT_SLURM_DIR/run/slurmctld.pid")"
"$ROOT/scripts/slurm-local" start --nodes $NODES > "$WORK/start2.log" 2>&1
check "second start is ok and keeps the same slurmctld" test "$?:$pid1" = "0:$(cat "$MACROOPT_SLURM_DIR/run/slurmctld.pid")"
check "a second start with another node count is refused" bash -c "! '$ROOT/scripts/slurm-local' start --nodes 2 >/dev/null 2>&1"
check "sinfo: node1..node3 idle" test "$(sinfo -h -N -o '%N %T' | sort | tr '\n' ' ')" = "node1 idle node2 idle node3 idle "
ns_ok=1
for k in 1 2 3; do
  p="$(cat "$MACROOPT_SLURM_DIR/run/slurmd-node$k.pid" 2>/dev/null)"
  [ "$(ip netns identify "$p" 2>/dev/null)" = "$NET-node$k" ] || { ns_ok=0; echo "# slurmd of node$k (pid '$p') in netns '$(ip netns identify "$p" 2>/dev/null)'"; }
  [ "$(nsenter --target "$p" --uts hostname 2>/dev/null)" = "node$k" ] || { ns_ok=0; echo "# slurmd of node$k: hostname '$(nsenter --target "$p" --uts hostname 2>/dev/null)'"; }
done
check "each slurmd in its own network namespace with its node's hostname" test "$ns_ok" = 1
check "the host's /etc/hosts and MCA file are untouched (bind mounts stay in the nodes)" bash -c \
  "! grep -q '10.213.8' /etc/hosts /etc/openmpi/openmpi-mca-params.conf"
cd "$WORK" || exit 1

# ============================ jobs ==========================================================
t_jobs="$(now)"
# (1) macroopt info on 3 nodes, default transports; and shared memory only, which must fail
ji="$(sbatch --parsable --job-name=info --nodes=3 --ntasks-per-node=1 -o info-%j.out \
  --wrap "'$ROOT/scripts/mpirun' -np 3 --mca btl_base_verbose 100 '$BIN' info")"
jv="$(sbatch --parsable --job-name=vader --nodes=3 --ntasks-per-node=1 -o vader-%j.out \
  --wrap "'$ROOT/scripts/mpirun' -np 3 --mca btl self,vader '$BIN' info")"
# (2) the shortened default scenario on 3 nodes x 1 rank
t_dg="$(now)"
jd="$(MACROOPT_OUTPUT="$WORK/three" MACROOPT_EXTRA="$EXTRA" \
  sbatch --parsable --job-name=three --nodes=3 --ntasks-per-node=1 "$ROOT/jobs/macroopt.sbatch")"
# (3) the same on 2 nodes, killed on node2 once a checkpoint of round >= 100 exists
t_k="$(now)"
jk="$(MACROOPT_OUTPUT="$WORK/kill" MACROOPT_EXTRA="$EXTRA" \
  sbatch --parsable --job-name=kill --nodes=2 --ntasks-per-node=1 "$ROOT/jobs/macroopt.sbatch")"

# --- (1) info ---
wait_state "$ji" 'COMPLETED|FAILED|CANCELLED' 90
out_i="$WORK/info-$ji.out"
hosts="$(sed -n 's|^rank \([0-9]*\)/3: \(.*\)$|\1=\2|p' "$out_i" | sort | tr '\n' ' ')"
check "info: COMPLETED, ranks 0/1/2 on node1/node2/node3 ($hosts)" test \
  "$(field "$ji" JobState) $hosts" = "COMPLETED 0=node1 1=node2 2=node3 "
tcp_ok=1
for k in 1 2 3; do   # btl_base_verbose: each rank's tcp btl on its node's bridge address, no shared memory
  grep -q "^\[node$k:[0-9]*\] btl: tcp: Found match: 10.213.8.1$k (eth0)" "$out_i" || tcp_ok=0
  grep -q "^\[node$k:[0-9]*\] select: init of component vader returned failure" "$out_i" || tcp_ok=0
done
check "info: every rank's tcp btl on its node's bridge address, its vader (shared memory) btl off (no peer on its node)" test "$tcp_ok" = 1
[ -n "$hosts" ] || show_out "$out_i"
wait_state "$jv" 'COMPLETED|FAILED|CANCELLED' 90
out_v="$WORK/vader-$jv.out"
check "shared memory only (btl self,vader): the nodes cannot reach each other, job FAILED" bash -c \
  "test '$(field "$jv" JobState)' = FAILED && grep -q 'unable to reach each other' '$out_v'"


# --- (3) the kill ---
out_k="$WORK/kill-$jk.out"
killed_at=""
newest_round() { ls "$WORK/kill/checkpoints" 2>/dev/null | sed -n 's/^round-0*\([0-9][0-9]*\)\.h5$/\1/p' | sort -n | tail -n 1; }
deadline=$(( $(date +%s) + 300 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  [ "$(newest_round)" -ge 100 ] 2>/dev/null && break
  [[ "$(field "$jk" JobState)" =~ ^(RUNNING|PENDING|CONFIGURING)$ ]] || break
  sleep 0.2
done
echo "# 2-node job: checkpoint of round $(newest_round) after $(since "$t_k") s"
job_procs() { # NAMESPACE JOBID -> "pid(comm)" of the processes of that job in that namespace
  local p
  for p in $(ip netns pids "$1" 2>/dev/null); do
    tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "SLURM_JOB_ID=$2" && echo "$p($(cat "/proc/$p/comm" 2>/dev/null))"
  done
}
# the job's rank and its ORTE daemon on node2 (the 3-node job also runs there: not those)
victims="$(job_procs "$NET-node2" "$jk" | grep -E '\((macroopt|orted)\)$' | tr '\n' ' ')"
if [ "$(newest_round)" -ge 100 ] 2>/dev/null && [ "$(newest_round)" -lt "$ROUNDS" ] && [ -n "$victims" ]; then
  killed_at="$(now)"
  for v in $victims; do kill -KILL "${v%%(*}" 2>/dev/null; done
  echo "# killed on node2: $victims"
else
  notok "kill: a checkpoint of round 100..$((ROUNDS - 1)) written and a rank running in node2's namespace (newest '$(newest_round)', victims '$victims')"
  ls -R "$WORK/kill" 2>/dev/null | head; show_out "$out_k"
fi
if [ -n "$killed_at" ]; then
  wait_state "$jk" 'FAILED|COMPLETED|CANCELLED|TIMEOUT' 120
  kill_secs="$(since "$killed_at")"
  echo "# kill -9 on node2 -> job ended: $kill_secs s"
  check "kill: job FAILED (not hung, not requeued) within 60 s ($kill_secs s, $(field "$jk" JobState) $(field "$jk" ExitCode))" bash -c \
    "test '$(field "$jk" JobState) $(field "$jk" Restarts)' = 'FAILED 0' && awk -v s='$kill_secs' 'BEGIN{exit !(s < 60)}'"
  left="$(job_procs "$NET-node1" "$jk"; job_procs "$NET-node2" "$jk")"
  check "kill: no process of the job left on node1 or node2${left:+ ($(echo $left))}" test -z "$left"
  newest="$(ls "$WORK/kill/checkpoints" 2>/dev/null | sort | tail -n 1)"
  t_rs="$(now)"
  jr="$(MACROOPT_OUTPUT="$WORK/kill" MACROOPT_EXTRA="$EXTRA" \
    sbatch --parsable --job-name=resume --nodes=2 --ntasks-per-node=1 "$ROOT/jobs/macroopt.sbatch")"
  out_r="$WORK/resume-$jr.out"
  # Once the resumed job wrote a checkpoint of its own (so its ranks' handlers are installed),
  # Slurm's USR1 to its batch shell: forwarded to mpirun, then to the ranks on both nodes, which
  # checkpoint and exit 85; the job requeues itself and finishes in its next allocation.
  r0="$(newest_round)" signalled=0
  deadline=$(( $(date +%s) + 240 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    nr="$(newest_round)"
    if [ "$nr" -gt "$r0" ] 2>/dev/null; then
      [ "$nr" -le $((ROUNDS - 100)) ] && scancel --signal=USR1 --batch "$jr" && signalled=1
      break
    fi
    [[ "$(field "$jr" JobState)" =~ ^(RUNNING|PENDING|CONFIGURING)$ ]] || break
    sleep 0.2
  done
  echo "# resubmitted job: checkpoint of round ${nr:-none} after $(since "$t_rs") s$([ "$signalled" = 1 ] && echo ": USR1 sent")"
  wait_state "$jr" 'COMPLETED|FAILED|CANCELLED' 240 && echo "# resubmitted 2-node job submit->COMPLETED: $(since "$t_rs") s"
  r="$(sed -n 's/.*resuming from .*round-0*\([0-9]*\)\.h5 at round \([0-9]*\).*/\2/p' "$out_r" | head -n 1)"
  check "resume: from the newest checkpoint ($newest) at round ${r:-none} >= 100" bash -c \
    "test -n '$r' && test '$r' -ge 100 && test '$newest' = \"\$(printf 'round-%08d.h5' '$r')\""
  r2="$(sed -n 's/.*resuming from .* at round \([0-9]*\).*/\1/p' "$out_r" | sed -n 2p)"
  check "USR1 across nodes: forwarded, ranks checkpointed and exited 85, requeued, resumed at round ${r2:-none} > $r0, COMPLETED" bash -c \
    "test '$signalled' = 1 && grep -q 'restart 0: got SIGUSR1: forwarding USR1 to mpirun' '$out_r' \
     && grep -q 'stopping with exit code 85' '$out_r' && grep -q 'restart 0: checkpointed on a signal: scontrol requeue' '$out_r' \
     && test '$(field "$jr" JobState) $(field "$jr" Restarts)' = 'COMPLETED 1' && test '${r2:-0}' -gt '$r0'"
fi

# --- references, then digests ---
deadline=$(( $(date +%s) + 300 ))
while kill -0 "$refpid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.3; done
if kill -0 "$refpid" 2>/dev/null; then echo "# reference runs still running after 300 s"; ref_rc=124
else wait "$refpid"; ref_rc=$?; refpid=""; fi
ref="$(digest "$WORK/ref/summary.json")"
check "reference run finished ($ROUNDS rounds, 1 rank, this host)" test "$ref_rc:${#ref}" = "0:64"

wait_state "$jd" 'COMPLETED|FAILED|CANCELLED' 300 && echo "# 3-node job submit->COMPLETED: $(since "$t_dg") s"
d="$(digest "$WORK/three/summary.json")"
check "3 nodes x 1 rank: COMPLETED, 3 ranks, $ROUNDS rounds" test \
  "$(field "$jd" JobState) $(json_int "$WORK/three/summary.json" ranks) $(json_int "$WORK/three/summary.json" rounds)" = "COMPLETED 3 $ROUNDS"
check "3 nodes x 1 rank: state_digest equals 1 rank on this host ($d)" same_digest "$d" "$ref"
[ "$d" = "$ref" ] || show_out "$WORK/three-$jd.out"
if [ -n "$killed_at" ]; then
  d="$(digest "$WORK/kill/summary.json")"
  check "killed + resumed 2-node run: $ROUNDS rounds, state_digest equals the uninterrupted run's" bash -c \
    "test '$(json_int "$WORK/kill/summary.json" rounds)' = $ROUNDS && test -n '$d' && test '$d' = '$ref'"
  [ "$d" = "$ref" ] || { show_out "$out_k"; show_out "$out_r"; }
fi

# --- (4) scaling study on 1, 2, 3 nodes (1 rank a node) ---------------------------------------
t_sc="$(now)"
export MACROOPT_SCALING_CASES="1:300 2:300 3:300" MACROOPT_SCALING_DIR="$WORK/scaling" MACROOPT_EXTRA="--set run.rounds=100 --set run.warmup=20"
js=()
for i in 0 1 2; do
  js+=("$(sbatch --parsable --array=$i --nodes=$((i + 1)) --ntasks-per-node=1 "$ROOT/jobs/scaling.sbatch")")
done
unset MACROOPT_SCALING_CASES MACROOPT_SCALING_DIR MACROOPT_EXTRA
states=""
for i in 0 1 2; do
  wait_state "${js[$i]}_$i" 'COMPLETED|FAILED|CANCELLED' 240
  states+="$(field "${js[$i]}_$i" JobState) "
done
echo "# scaling: 3 array tasks submit->COMPLETED: $(since "$t_sc") s"
check "scaling: 3 tasks (1, 2, 3 nodes) COMPLETED ($states)" test "$states" = "COMPLETED COMPLETED COMPLETED "
if "$ROOT/scripts/scaling-report" "$WORK/scaling" > "$WORK/report.log" 2>&1; then ok "scaling-report exit 0"
else notok "scaling-report exit 0"; cat "$WORK/report.log"; fi
/usr/bin/python3 - "$WORK/scaling" <<'EOF'
# The report against each case's own summary.json and the nodes its job ran on.
import csv, json, os, sys
d = sys.argv[1]
def check(name, cond):
    print(("ok - " if cond else "not ok - ") + "scaling report: " + name)
try:
    rows = {r["run"]: r for r in csv.DictReader(open(os.path.join(d, "scaling.csv")))}
except OSError:
    rows = {}
cases = {f"case-{i}-p{i + 1}-n300": i + 1 for i in range(3)}
check("one CSV row per case (%s)" % sorted(rows), sorted(rows) == sorted(cases))
for run, p in cases.items():
    r = rows.get(run, {})
    check(f"{run}: {p} ranks on {p} nodes, 100 rounds", (r.get("ranks"), r.get("nodes"), r.get("rounds")) == (str(p), str(p), "100"))
md = open(os.path.join(d, "scaling.md")).read() if os.path.exists(os.path.join(d, "scaling.md")) else ""
check("markdown has the N = 300 strong-scaling table", "N = 300" in md and all(k in md for k in cases))
t = {run: float(rows[run]["seconds_per_round"]) for run in cases if run in rows}
if len(t) == 3:
    print("# scaling (NOT performance figures: all nodes share this machine's cores): t/round "
          + ", ".join(f"{p} node(s) {t[run] * 1e3:.1f} ms" for run, p in cases.items()))
EOF
# (1b) direct launch by Slurm's PMIx plugin instead of mpirun: best effort, reported but not
# asserted. The job scripts use mpirun; in one fresh-clone CI run srun --mpi=pmix hung in
# OpenMPI's TCP connect (segfault of rank 0) and its job held all three nodes, so it runs last,
# alone, and is cancelled if it does not end.
jp="$(sbatch --parsable --job-name=pmix --nodes=3 --ntasks-per-node=1 -o "$WORK/pmix-%j.out" \
  --wrap "export OPENBLAS_NUM_THREADS=1 SWIFT_BACKTRACE=enable=no; srun --mpi=pmix '$BIN' info")"
if wait_state "$jp" 'COMPLETED|FAILED|CANCELLED' 60; then :; else scancel "$jp" 2>/dev/null; fi
hosts="$(sed -n 's|^rank \([0-9]*\)/3: \(.*\)$|\1=\2|p' "$WORK/pmix-$jp.out" | sort | tr '\n' ' ')"
if [ "$(field "$jp" JobState) $hosts" = "COMPLETED 0=node1 1=node2 2=node3 " ]; then
  echo "# srun --mpi=pmix (best effort): info COMPLETED, ranks on node1/node2/node3"
else
  echo "# srun --mpi=pmix (best effort, not asserted): did not complete ($(field "$jp" JobState), ranks '$hosts')"
  show_out "$WORK/pmix-$jp.out"
fi
echo "# jobs: $(since "$t_jobs") s"

# --- stop ---------------------------------------------------------------------------------
cd /
t0="$(now)"
check "slurm-local stop" bash -c "'$ROOT/scripts/slurm-local' stop >/dev/null 2>&1"
echo "# cluster stop: $(since "$t0") s"
left="$(leftovers)"
check "after stop: no namespace, veth, bridge or daemon of the cluster left${left:+ ($(echo $left))}" test -z "$left"
check "status fails when stopped" bash -c "! '$ROOT/scripts/slurm-local' status >/dev/null 2>&1"
started=0
