"""Shared helpers of the fault tests (test_faults_*.py): the tiny scenario, launching
scripts/mpirun jobs one at a time, reading run directories."""

import glob
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MPIRUN = os.path.join(ROOT, "scripts", "mpirun")
BINARY = os.environ.get("MACROOPT_BINARY", os.path.join(ROOT, ".build", "release", "macroopt"))

# The tiny scenario of the Swift checkpoint tests (N = 200, K = 4, n_q = 20), with one plain
# consensus step a round so a round is cheap on a loaded machine.
TINY = """[agents]
count = 200
[basis]
degree = 4
quadrature_nodes = 20
[run]
rounds = {rounds}
warmup = 10
alpha = {alpha}
diag_every = 10
consensus_steps = 1
consensus_acceleration = "none"
[output]
checkpoint_every = {every}
keep_checkpoints = 2
"""


def write_config(directory, name="tiny.toml", rounds=300, every=50, alpha="2e-4"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(TINY.format(rounds=rounds, every=every, alpha=alpha))
    return path


def start(args, log):
    """Starts `scripts/mpirun -np 2 macroopt run ARGS` (stdout+stderr to `log`); the Popen."""
    f = open(log, "w")
    return subprocess.Popen([MPIRUN, "-np", "2", BINARY, "run"] + args, stdout=f, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)


def run(args, timeout=300):
    """Runs `macroopt run ARGS` on 2 ranks to the end: (exit code, output, seconds)."""
    t0 = time.monotonic()
    r = subprocess.run([MPIRUN, "-np", "2", BINARY, "run"] + args, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr, time.monotonic() - t0


def run_alone(args, timeout=120):
    """The binary without mpirun (singleton MPI): (exit code, output)."""
    r = subprocess.run([BINARY] + args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr


def summary(out):
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def checkpoints(out):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "checkpoints", "round-*.h5")))


def ranks_of(out):
    """pids of processes whose command line names the output directory `out` (the ranks)."""
    r = subprocess.run(["pgrep", "-f", "--", f"macroopt run .*{out}"], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def real_mpirun(wrapper):
    """pids of the real mpirun processes under the scripts/mpirun process `wrapper` (its child
    is a supervisor shell, whose child is mpirun)."""
    found, todo = [], [wrapper]
    while todo:
        r = subprocess.run(["pgrep", "-P", str(todo.pop())], capture_output=True, text=True)
        for pid in (int(x) for x in r.stdout.split()):
            todo.append(pid)
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() in ("mpirun", "orterun"):
                        found.append(pid)
            except OSError:
                pass
    return found


def wait_gone(out, seconds):
    """True when no rank of `out` is left within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not ranks_of(out):
            return True
        time.sleep(0.05)
    return not ranks_of(out)


def kill_ranks(out):
    for pid in ranks_of(out):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class ReferenceRunCase(unittest.TestCase):
    """A test class with a temporary directory, the tiny config (300 rounds, a checkpoint every
    50) in it, and that config's uninterrupted 2-rank run: `tmp`, `config`, `reference` (its
    output directory) and `digest` (its state_digest, the independent truth the faulted runs
    must reach). Subclasses set `prefix`."""

    prefix = "faults-"
    rounds = 300

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix=cls.prefix)
        cls.config = write_config(cls.tmp.name, rounds=cls.rounds, every=50)
        cls.reference = os.path.join(cls.tmp.name, "uninterrupted")
        rc, text, _ = run([cls.config, "--output", cls.reference, "--no-progress"])
        assert rc == 0, text
        cls.digest = summary(cls.reference)["state_digest"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
