// The flags `run` and `resume` share.
import ArgumentParser

struct RunFlags: ParsableArguments {
  @Flag(help: "Delete another run's checkpoints in the output directory instead of refusing to start there.")
  var overwrite = false

  @Flag(inversion: .prefixedNo, help: ArgumentHelp(
    "Progress reports on rank 0 every run.diag_every rounds (default: on).",
    discussion: "A live line when launched from a terminal (scripts/mpirun sets MACROOPT_TTY=1 when its stderr is one), else one line per report, for job logs."))
  var progress: Bool = true
}
