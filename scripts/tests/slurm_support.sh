# slurm_support.sh — helpers shared by test_slurm.sh and test_multinode.sh (sourced, not run):
# TAP lines, timing, Slurm job queries, run-directory readers and the reference-run cleanup.
# Uses $refpid (the background reference run's pid, "" when none) of the sourcing script.

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else notok "$name"; fi; }
quiet() { "$@" >/dev/null 2>&1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

# Stops the background reference run ($refpid) and the mpirun it started, if still running.
stop_reference() {
  if [ -n "${refpid:-}" ] && kill -0 "$refpid" 2>/dev/null; then
    local kids; kids="$(pgrep -P "$refpid")"   # the reference's mpirun, started by the script
    kill -TERM "$refpid" 2>/dev/null
    [ -z "$kids" ] || kill -TERM $kids 2>/dev/null
    wait "$refpid" 2>/dev/null
  fi
}

field() { # JOBID KEY -> value from scontrol show job
  timeout 10 scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
wait_state() { # JOBID REGEX TIMEOUT -> 0 when JobState matches
  local deadline=$(( $(date +%s) + $3 )) s
  while [ "$(date +%s)" -lt "$deadline" ]; do
    s="$(field "$1" JobState)"
    [[ "$s" =~ ^($2)$ ]] && return 0
    sleep 0.3
  done
  echo "# job $1 still '$(field "$1" JobState)' after $3 s (wanted $2)"
  return 1
}
wait_grep() { # PATTERN FILE TIMEOUT
  local deadline=$(( $(date +%s) + $3 ))
  until grep -q -- "$1" "$2" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
digest() { sed -n 's/^ *"state_digest": "\([0-9a-f]*\)".*/\1/p' "$1" 2>/dev/null; }
json_int() { sed -n "s/^ *\"$2\": \([0-9]*\).*/\1/p" "$1" 2>/dev/null; }
same_digest() { [ -n "$1" ] && [ "$1" = "$2" ]; }
show_out() { echo "# ----- $1 (last 30 lines)"; tail -n 30 "$1" 2>/dev/null | sed 's/^/#   /'; }
