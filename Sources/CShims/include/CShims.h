// CShims: the few C functions MacroOpt needs that must be real functions.
#ifndef MACROOPT_CSHIMS_H
#define MACROOPT_CSHIMS_H
#include <stdint.h>

/// Line-buffer stdout (output of many ranks interleaves by line, not by 4 KiB block).
void cshims_line_buffer_stdout(void);
/// Install async-signal-safe handlers for SIGUSR1, SIGTERM and SIGINT that only set a flag
/// (and unblock the three). The macroopt executable also does this in a constructor, before
/// main() and MPI_Init.
void cshims_install_signal_flag(void);
/// Restore the default action of SIGUSR1, SIGTERM and SIGINT (commands that never poll the flag).
void cshims_default_signals(void);
/// The last caught signal number (0 if none). Async-signal-safe to set, read here.
int cshims_signal_flag(void);
/// Appends the line "RANK CODE\n" to `path` (created if missing) with one O_APPEND write, so
/// the lines of several ranks never interleave: the exit code this rank is about to exit
/// with, for scripts/mpirun (MACROOPT_STATUS_FILE). 0, or the errno.
int cshims_report_exit(const char *path, int rank, int code);
/// Reset the flag to 0.
void cshims_clear_signal_flag(void);
/// Raise a signal in this process (tests).
int cshims_raise(int sig);
/// 1 when the parent process (the launcher: mpirun, orted, slurmstepd) is no longer the one
/// that started this process (it died and the process was re-parented), else 0.
int cshims_launcher_lost(void);
/// Reserves `bytes` of disk space for the existing file `path` without changing its size
/// (fallocate with FALLOC_FL_KEEP_SIZE), so later writes inside [0, bytes) cannot fail for
/// lack of space or quota. Where the file system cannot reserve (EOPNOTSUPP), checks that
/// statvfs reports `bytes` available instead. 0, or the errno (ENOSPC, EDQUOT, …).
int cshims_reserve_space(const char *path, long long bytes);
/// Returns what `cshims_reserve_space` reserved beyond the file's end to the file system
/// (truncates the file to its own size, which frees the blocks past its end). 0, or the errno.
int cshims_release_reserve(const char *path);
#endif
