#!/usr/bin/env bash
# Tests of the Slurm machinery with the REAL solver (.build/release/macroopt, built by
# scripts/test before it runs the script tests) on a real single-node Slurm cluster
# (scripts/slurm-local, own state dir and ports, always stopped on exit). Needs root.
#
# Phase 1 (concurrently; 45-55 s on this 2-core machine under load 4-7):
#   - bad config: FAILED 2:0 within seconds, the config error in the job's output, no requeue;
#   - chain of 2 with a bad config: link 2 is cancelled (--kill-on-invalid-dep=yes);
#   - chain of 3 with --rounds 1200: links run to rounds 400, 800, 1200, each resuming the
#     previous one's checkpoint; final state_digest = an uninterrupted 1200-round run's;
#   - chain of 2 without --rounds: link 1 gets USR1 (scancel --signal=USR1 --batch), checkpoints,
#     exits 0 in chain mode, link 2 finishes the run; same digest again;
#   - scaling array 1:250 2:250 2:500 + scripts/scaling-report: one row per run, speed-ups and
#     efficiencies recomputed here from each run's summary.json.
# Phase 2 (35-80 s: up to 30 s waiting for a check window, then 30-50 s): a job with --time=1
#   --signal=B:USR1@57 whose run needs longer than the 3 s the 57 s warning leaves it: Slurm's
#   own time-limit warning (no scancel) reaches the batch shell, macroopt checkpoints and exits
#   85, the job requeues itself, finishes in a later allocation, and its state_digest equals
#   an uninterrupted 3000-round run's.
#
# Why phase 2 is timed: slurmctld checks time limits only every 30 s (PERIODIC_TIMEOUT,
# counted from its start; see scripts/slurm-local). The test reads the controller's start from
# its log and submits the job with --begin so that it starts ~7 s before a check: the warning
# then comes after ~5 s of run time (macroopt's handler is installed by then), and the
# requeued allocation (6 s later) has ~22 s until the next check, enough to finish the run.
# Uninterrupted reference runs go directly through scripts/mpirun, in the background.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/.build/release/macroopt"
export MACROOPT_SLURM_DIR="/tmp/macroopt-slurm-test-$$"
export MACROOPT_SLURM_CTLD_PORT=6917 MACROOPT_SLURMD_PORT=6918
export SLURM_CONF="$MACROOPT_SLURM_DIR/slurm.conf"
export MACROOPT_ROOT="$ROOT"
unset MACROOPT_CONFIG MACROOPT_OUTPUT MACROOPT_EXTRA MACROOPT_ROUNDS MACROOPT_RANKS MACROOPT_BIN MACROOPT_MPIRUN MACROOPT_ON_CHECKPOINT
WORK="$(mktemp -d /tmp/macroopt-slurm-jobs.XXXXXX)"
T_ALL="$(date +%s.%N)"

# shellcheck source=scripts/tests/slurm_support.sh
. "$ROOT/scripts/tests/slurm_support.sh"

refpid=""
cleanup() {
  local t0; t0="$(now)"
  stop_reference
  "$ROOT/scripts/slurm-local" stop >/dev/null 2>&1
  echo "# cleanup stop: $(since "$t0") s; whole Slurm test: $(since "$T_ALL") s"
  rm -rf "$MACROOPT_SLURM_DIR" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # so that the EXIT trap stops the cluster on ^C or kill too

if [ ! -x "$BIN" ]; then notok "release binary $BIN missing (swift build -c release)"; exit 1; fi


# The scenario: tiny (N = 250, degree 4, 20 quadrature nodes), one rank per run.
cat > "$WORK/tiny.toml" <<'EOF'
[agents]
count = 250
[basis]
degree = 4
quadrature_nodes = 20
[run]
alpha = 2e-4
warmup = 50
rounds = 1200
[output]
checkpoint_every = 100
EOF
sed 's/^degree = 4$/degree = 99/' "$WORK/tiny.toml" > "$WORK/bad.toml"
LONG=15000  # rounds of the time-limit job: ~27 s on 2 idle cores (547 rounds/s), 50-90 s loaded: longer than the
            # 8 s between its start and Slurm's first time-limit check (3000 rounds took 5.5 s idle and ended first)

# --- uninterrupted reference runs (outside Slurm), in the background ------------------------
(
  "$ROOT/scripts/mpirun" -np 1 "$BIN" run "$WORK/tiny.toml" --output "$WORK/ref1200" > "$WORK/ref1200.log" 2>&1
  "$ROOT/scripts/mpirun" -np 1 "$BIN" run "$WORK/tiny.toml" --output "$WORK/ref$LONG" --set run.rounds=$LONG > "$WORK/ref$LONG.log" 2>&1
) &
refpid=$!

# --- cluster start (twice: idempotent) --------------------------------------------------------
t0="$(now)"
if ! "$ROOT/scripts/slurm-local" start > "$WORK/start.log" 2>&1; then
  cat "$WORK/start.log"; notok "slurm-local start"; exit 1
fi
echo "# cluster start: $(since "$t0") s"
ok "slurm-local start"
check "start prints export SLURM_CONF" grep -qx "export SLURM_CONF=$SLURM_CONF" "$WORK/start.log"
pid1="$(cat "$MACROOPT_SLURM_DIR/run/slurmctld.pid")"
check "second start is ok and keeps the same slurmctld" bash -c \
  "'$ROOT/scripts/slurm-local' start >/dev/null 2>&1 && test '$pid1' = \"\$(cat '$MACROOPT_SLURM_DIR/run/slurmctld.pid')\""
check "node localhost idle with $(nproc) CPUs" test "$(sinfo -h -n localhost -o '%T %c')" = "idle $(nproc)"
check "status works" quiet "$ROOT/scripts/slurm-local" status
cd "$WORK" || exit 1

# ============================ phase 1 =========================================================
t_p1="$(now)"
# bad config
t_bad="$(now)"
jb="$(MACROOPT_OUTPUT="$WORK/bad" MACROOPT_CONFIG="$WORK/bad.toml" sbatch --parsable --job-name=bad "$ROOT/jobs/macroopt.sbatch")"
# chain whose first link fails: the rest is cancelled
mapfile -t badchain < <(MACROOPT_OUTPUT="$WORK/badchain" "$ROOT/jobs/chain.sh" "$WORK/bad.toml" 2 --job-name=badchain 2>/dev/null)
# chain of 3 sharing 1200 rounds
t_ch="$(now)"
mapfile -t chain < <(MACROOPT_OUTPUT="$WORK/chain" "$ROOT/jobs/chain.sh" --rounds 1200 "$WORK/tiny.toml" 3 --job-name=chain 2>"$WORK/chain-submit.log")
# chain of 2 cut by a signal
mapfile -t sigchain < <(MACROOPT_OUTPUT="$WORK/sigchain" "$ROOT/jobs/chain.sh" "$WORK/tiny.toml" 2 --job-name=sigchain 2>/dev/null)
# scaling array over 1 and 2 ranks
t_sc="$(now)"
ja="$(MACROOPT_SCALING_CASES="1:250 2:250 2:500" MACROOPT_SCALING_DIR="$WORK/scaling" MACROOPT_CONFIG="$WORK/tiny.toml" \
  MACROOPT_EXTRA="--set run.rounds=150" sbatch --parsable --array=0-2 "$ROOT/jobs/scaling.sbatch")"

check "chain.sh printed 3 job ids" test "${#chain[@]}" -eq 3
check "signal chain: chain.sh printed 2 job ids" test "${#sigchain[@]}" -eq 2

# signal chain: USR1 to link 1's batch shell once macroopt runs (its handler is installed
# before it looks for a checkpoint)
if [ "${#sigchain[@]}" -eq 2 ]; then
  s1out="$WORK/sigchain-${sigchain[0]}.out"
  if wait_grep "no checkpoint in" "$s1out" 40; then
    sleep 0.5
    scancel --signal=USR1 --batch "${sigchain[0]}"
  else
    notok "signal chain: link 1 started macroopt within 40 s"; show_out "$s1out"
  fi
fi

# --- bad config ---
wait_state "$jb" 'FAILED|COMPLETED' 30
bad_secs="$(since "$t_bad")"
echo "# bad config job submit->FAILED: $bad_secs s"
out_b="$WORK/bad-$jb.out"
check "bad job FAILED with exit 2:0" test "$(field "$jb" JobState) $(field "$jb" ExitCode)" = "FAILED 2:0"
check "bad job failed fast (< 20 s from submission)" awk -v s="$bad_secs" 'BEGIN{exit !(s < 20)}'
check "bad job output has the config error" grep -q "basis.degree = 99: must be an integer in 1...12" "$out_b"
check "bad job output says not requeued" grep -q 'bad config, not requeued' "$out_b"
sleep 3
check "bad job: no requeue loop (Restarts=0, still FAILED 3 s later, launched once)" test \
  "$(field "$jb" Restarts) $(field "$jb" JobState) $(grep -c 'launching on' "$out_b")" = "0 FAILED 1"

# --- bad chain ---
if [ "${#badchain[@]}" -eq 2 ]; then
  wait_state "${badchain[1]}" 'CANCELLED|FAILED|COMPLETED' 30
  check "bad chain: link 1 FAILED, link 2 CANCELLED" test \
    "$(field "${badchain[0]}" JobState) $(field "${badchain[1]}" JobState)" = "FAILED CANCELLED"
else
  notok "bad chain: chain.sh printed 2 job ids"
fi

# --- reference runs ---
deadline=$(( $(date +%s) + 240 ))
while kill -0 "$refpid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.3; done
if kill -0 "$refpid" 2>/dev/null; then echo "# reference runs still running after 240 s"; ref_rc=124
else wait "$refpid"; ref_rc=$?; refpid=""; fi
ref_short="$(digest "$WORK/ref1200/summary.json")"
ref_long="$(digest "$WORK/ref$LONG/summary.json")"
check "reference runs finished (1200 and $LONG rounds, digests present)" test "$ref_rc:${#ref_short}:${#ref_long}" = "0:64:64"
echo "# reference 1200 rounds: $(sed -n 's/^ *"loop_seconds": \([0-9.]*\).*/\1/p' "$WORK/ref1200/summary.json") s loop; $LONG rounds: $(sed -n 's/^ *"loop_seconds": \([0-9.]*\).*/\1/p' "$WORK/ref$LONG/summary.json") s loop"

# --- chain of 3 ---
if [ "${#chain[@]}" -eq 3 ]; then
  wait_state "${chain[2]}" 'COMPLETED|FAILED|CANCELLED' 90 && echo "# chain of 3 submit->last COMPLETED: $(since "$t_ch") s"
  states=""
  for j in "${chain[@]}"; do states+="$(field "$j" JobState)/$(field "$j" ExitCode) "; done
  check "chain: all 3 COMPLETED 0:0 ($states)" test "$states" = "COMPLETED/0:0 COMPLETED/0:0 COMPLETED/0:0 "
  check "chain: link 2 depended on link 1, link 3 on link 2" bash -c \
    "grep -q 'link 2/3 job ${chain[1]} after ${chain[0]} to round 800' '$WORK/chain-submit.log' && grep -q 'link 3/3 job ${chain[2]} after ${chain[1]} to round 1200' '$WORK/chain-submit.log'"
  c1="$WORK/chain-${chain[0]}.out" c2="$WORK/chain-${chain[1]}.out" c3="$WORK/chain-${chain[2]}.out"
  check "chain: link 1 started at round 0 and ran to 400" bash -c \
    "grep -q 'no checkpoint in' '$c1' && grep -q -- '--set run.rounds=400' '$c1'"
  check "chain: link 2 resumed at round 400, link 3 at round 800" bash -c \
    "grep -q 'resuming from .*round-00000400.h5 at round 400' '$c2' && grep -q 'resuming from .*round-00000800.h5 at round 800' '$c3'"
  d="$(digest "$WORK/chain/summary.json")"
  check "chain: final summary at round 1200" test "$(json_int "$WORK/chain/summary.json" rounds)" = 1200
  check "chain: state_digest equals the uninterrupted run's ($d)" same_digest "$d" "$ref_short"
  [ "$d" = "$ref_short" ] || { show_out "$c1"; show_out "$c2"; show_out "$c3"; }
fi

# --- signal chain ---
if [ "${#sigchain[@]}" -eq 2 ]; then
  wait_state "${sigchain[1]}" 'COMPLETED|FAILED|CANCELLED' 90
  s1out="$WORK/sigchain-${sigchain[0]}.out" s2out="$WORK/sigchain-${sigchain[1]}.out"
  check "signal chain: both links COMPLETED 0:0" test \
    "$(field "${sigchain[0]}" JobState)/$(field "${sigchain[0]}" ExitCode) $(field "${sigchain[1]}" JobState)/$(field "${sigchain[1]}" ExitCode)" \
    = "COMPLETED/0:0 COMPLETED/0:0"
  check "signal chain: link 1 forwarded USR1, macroopt checkpointed and exited 85, chain mode exit 0" bash -c \
    "grep -q 'got SIGUSR1: forwarding USR1 to mpirun' '$s1out' && grep -q 'signal [0-9]* at round [0-9]*: checkpoint .* written; stopping with exit code 85' '$s1out' && grep -q 'mpirun exited with 85' '$s1out' && grep -q 'chain mode, exit 0' '$s1out'"
  r="$(sed -n 's/.*resuming from .* at round \([0-9]*\) .*/\1/p' "$s2out" | head -n 1)"
  check "signal chain: link 2 resumed mid-run (round ${r:-none}, 0 < r < 1200)" test "${r:-0}" -gt 0 -a "${r:-0}" -lt 1200
  d="$(digest "$WORK/sigchain/summary.json")"
  check "signal chain: state_digest equals the uninterrupted run's" same_digest "$d" "$ref_short"
  [ "$d" = "$ref_short" ] || { show_out "$s1out"; show_out "$s2out"; }
fi

# --- scaling array + report ---
wait_state "${ja}_2" 'COMPLETED|FAILED|CANCELLED' 90 && echo "# scaling array submit->COMPLETED: $(since "$t_sc") s"
check "scaling array: 3 tasks COMPLETED" test \
  "$(field "${ja}_0" JobState) $(field "${ja}_1" JobState) $(field "${ja}_2" JobState)" = "COMPLETED COMPLETED COMPLETED"
if "$ROOT/scripts/scaling-report" "$WORK/scaling" > "$WORK/report.log" 2>&1; then ok "scaling-report exit 0"
else notok "scaling-report exit 0"; cat "$WORK/report.log"; fi
/usr/bin/python3 - "$WORK/scaling" <<'EOF'
# Checks the report against each run's own summary.json (times measured by macroopt).
import csv, json, math, os, sys
d = sys.argv[1]
def check(name, cond):
    print(("ok - " if cond else "not ok - ") + "scaling report: " + name)
def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9)
try:
    rows = {r["run"]: r for r in csv.DictReader(open(os.path.join(d, "scaling.csv")))}
except OSError:
    rows = {}
cases = {"case-0-p1-n250": (1, 250), "case-1-p2-n250": (2, 250), "case-2-p2-n500": (2, 500)}
check("one CSV row per run (%s)" % sorted(rows), sorted(rows) == sorted(cases))
t = {}
for run, (p, n) in cases.items():
    try:
        s = json.load(open(os.path.join(d, run, "summary.json")))
    except (OSError, ValueError):
        check(run + " summary.json readable", False); continue
    t[run] = s["loop_seconds"] / (s["rounds"] - s.get("resumed_round", 0))
    r = rows.get(run, {})
    num = lambda k: float(r[k]) if r.get(k) not in (None, "") else None
    check(f"{run}: ranks {p}, agents {n}, 150 rounds in summary and CSV",
          (s["ranks"], s["agents"], s["rounds"]) == (p, n, 150) and (r.get("ranks"), r.get("agents"), r.get("rounds")) == (str(p), str(n), "150"))
    check(f"{run}: seconds_per_round = loop_seconds / rounds = {t[run]:.3g}", close(num("seconds_per_round"), t[run]))
    check(f"{run}: timer columns present", num("step_avg") is not None and num("step_avg") > 0)
if len(t) == 3:
    r1, r2, r3 = (rows.get(k, {}) for k in cases)
    num = lambda r, k: float(r[k]) if r.get(k) not in (None, "") else None
    s = t["case-0-p1-n250"] / t["case-1-p2-n250"]
    check(f"strong speed-up t(1,250)/t(2,250) = {s:.3g}", close(num(r2, "strong_speedup"), s))
    check(f"strong efficiency = speed-up / 2 = {s/2:.3g}", close(num(r2, "strong_efficiency"), s / 2))
    check("1-rank baseline: speed-up 1, efficiency 1", close(num(r1, "strong_speedup"), 1.0) and close(num(r1, "strong_efficiency"), 1.0))
    w = t["case-0-p1-n250"] / t["case-2-p2-n500"]
    check(f"weak efficiency t(1,250)/t(2,500) = {w:.3g}", close(num(r3, "weak_efficiency"), w))
    check("no strong speed-up for N = 500 (no 1-rank run of 500)", r3.get("strong_speedup") == "")
    print(f"# scaling: t/round 1x250 {t['case-0-p1-n250']*1e3:.2f} ms, 2x250 {t['case-1-p2-n250']*1e3:.2f} ms, "
          f"2x500 {t['case-2-p2-n500']*1e3:.2f} ms; strong S {s:.2f} E {s/2:.2f}; weak E {w:.2f}")
md = open(os.path.join(d, "scaling.md")).read() if os.path.exists(os.path.join(d, "scaling.md")) else ""
check("markdown has the runs, N = 250 strong and N/P = 250 weak tables",
      all(k in md for k in ("case-0-p1-n250", "case-2-p2-n500", "N = 250", "N/P = 250")))
for png in ("scaling-speedup.png", "scaling-efficiency.png", "scaling-phases.png"):
    p = os.path.join(d, png)
    check(png + " is a PNG", os.path.exists(p) and open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n")
EOF
echo "# phase 1: $(since "$t_p1") s"

# ============================ phase 2: the time limit ========================================
# Next time-limit check at least 12 s from now: the controller checks every 30 s from the
# "Running as primary controller" line of its log.
primary="$(sed -n 's/^\[\([0-9T:.-]*\)\] Running as primary controller.*/\1/p' "$MACROOPT_SLURM_DIR/log/slurmctld.log" | tail -n 1)"
tbg="$(date -d "$primary" +%s.%N 2>/dev/null)"
if [ -z "$tbg" ]; then notok "slurmctld start time in its log"; exit 1; fi
nowf="$(now)"
check_at="$(awk -v b="$tbg" -v n="$nowf" 'BEGIN{k = int((n + 12 - b) / 30) + 1; printf "%.3f", b + 30 * k}')"
begin_in="$(awk -v c="$check_at" -v n="$nowf" 'BEGIN{printf "%d", c - 7 - n}')"
echo "# time-limit checks at controller start + 30 k; next one in $(awk -v c="$check_at" -v n="$nowf" 'BEGIN{printf "%.1f", c - n}') s; job begins in $begin_in s"
t_rq="$(now)"
jr="$(MACROOPT_OUTPUT="$WORK/requeue" MACROOPT_CONFIG="$WORK/tiny.toml" MACROOPT_EXTRA="--set run.rounds=$LONG" \
  sbatch --parsable --job-name=requeue --time=1 --signal=B:USR1@57 --begin="now+$begin_in" "$ROOT/jobs/macroopt.sbatch")"
check "time-limit job: TimeLimit 1 min" test "$(field "$jr" TimeLimit)" = "00:01:00"
wait_state "$jr" 'COMPLETED|FAILED|CANCELLED|TIMEOUT' 240
echo "# time-limit job submit->COMPLETED: $(since "$t_rq") s (begin delay $begin_in s; requeue wait 6 s)"
out_rq="$WORK/requeue-$jr.out"
restarts="$(field "$jr" Restarts)"
check "time-limit job COMPLETED 0:0 after at least one requeue (Restarts=$restarts)" test \
  "$(field "$jr" JobState) $(field "$jr" ExitCode) $([ "${restarts:-0}" -ge 1 ] && echo yes)" = "COMPLETED 0:0 yes"
check "time-limit job: Slurm's warning reached the batch shell and was forwarded" grep -q 'restart 0: got SIGUSR1: forwarding USR1 to mpirun' "$out_rq"
check "time-limit job: macroopt checkpointed and exited 85" bash -c \
  "grep -q 'signal [0-9]* at round [0-9]*: checkpoint .* written; stopping with exit code 85' '$out_rq' && grep -q 'restart 0: mpirun exited with 85' '$out_rq'"
check "time-limit job: requeued itself" grep -q 'restart 0: checkpointed on a signal: scontrol requeue' "$out_rq"
r="$(sed -n 's/.*resuming from .* at round \([0-9]*\) .*/\1/p' "$out_rq" | head -n 1)"
check "time-limit job: restart 1 resumed mid-run (round ${r:-none} of $LONG)" test "${r:-0}" -gt 0 -a "${r:-0}" -lt "$LONG"
check "time-limit job: finished in a later allocation, not killed" bash -c \
  "grep -q 'restart [1-9][0-9]*: run finished' '$out_rq' && ! grep -q 'DUE TO TIME LIMIT' '$out_rq'"
check "time-limit job: summary at round $LONG" test "$(json_int "$WORK/requeue/summary.json" rounds)" = "$LONG"
d="$(digest "$WORK/requeue/summary.json")"
check "time-limit job: state_digest equals the uninterrupted run's" same_digest "$d" "$ref_long"
sig_at="$(sed -n 's/^macroopt.sbatch: \([0-9-]* [0-9:]*\) .*restart 0: got SIGUSR1.*/\1/p' "$out_rq" | head -n 1)"
launch_at="$(sed -n 's/^macroopt.sbatch: \([0-9-]* [0-9:]*\) .*restart 0: launching.*/\1/p' "$out_rq" | head -n 1)"
[ -n "$sig_at" ] && [ -n "$launch_at" ] && echo "# warning arrived $(( $(date -d "$sig_at" +%s) - $(date -d "$launch_at" +%s) )) s after launch; signalled at round $r"
if [ "$d" != "$ref_long" ] || [ "${restarts:-0}" -lt 1 ]; then show_out "$out_rq"; fi

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
