#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t cshims_caught = 0;
static pid_t cshims_parent = 0;

static void cshims_handler(int sig) { cshims_caught = sig; }

void cshims_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

static const int cshims_signals[] = {SIGUSR1, SIGTERM, SIGINT};

void cshims_install_signal_flag(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = cshims_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigset_t set;
  sigemptyset(&set);
  for (unsigned i = 0; i < sizeof cshims_signals / sizeof cshims_signals[0]; i++) {
    sigaction(cshims_signals[i], &sa, NULL);
    sigaddset(&set, cshims_signals[i]);
  }
  /* A process inherits its parent's blocked signals (mpirun started from a test harness or a
     job script may have USR1 blocked): unblock the ones we rely on. */
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void cshims_default_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for (unsigned i = 0; i < sizeof cshims_signals / sizeof cshims_signals[0]; i++) sigaction(cshims_signals[i], &sa, NULL);
}

/* Before main(), before the Swift runtime, Foundation and MPI run: in the macroopt executable
   only (test executables link this module too and keep their default handlers), catch
   USR1/TERM/INT into the flag, so a signal that arrives while the process starts is neither
   lost nor fatal, and remember the parent (the launcher) to notice when it is gone. */
__attribute__((constructor)) static void cshims_early(void) {
  if (strcmp(program_invocation_short_name, "macroopt") != 0) return;
  cshims_install_signal_flag();
  cshims_parent = getppid();
}

int cshims_report_exit(const char *path, int rank, int code) {
  char line[64];
  int n = snprintf(line, sizeof line, "%d %d\n", rank, code);
  if (n <= 0 || (size_t)n >= sizeof line) return EINVAL;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  /* One write(2) of a few bytes with O_APPEND: lines of different ranks never interleave. */
  int rc = write(fd, line, (size_t)n) == (ssize_t)n ? 0 : (errno ? errno : EIO);
  close(fd);
  return rc;
}

int cshims_signal_flag(void) { return (int)cshims_caught; }
void cshims_clear_signal_flag(void) { cshims_caught = 0; }
int cshims_raise(int sig) { return raise(sig); }

int cshims_launcher_lost(void) {
  if (cshims_parent == 0) cshims_parent = getppid();
  return getppid() != cshims_parent;
}

int cshims_reserve_space(const char *path, long long bytes) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int rc = 0;
  if (bytes > 0 && fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) != 0) {
    rc = errno;
    if (rc == EOPNOTSUPP || rc == ENOSYS) {
      struct statvfs vfs;
      rc = 0;
      if (fstatvfs(fd, &vfs) == 0 && (long long)vfs.f_bavail * (long long)vfs.f_frsize < bytes) rc = ENOSPC;
    }
  }
  close(fd);
  return rc;
}

int cshims_release_reserve(const char *path) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0) {
    rc = errno;
  } else if (ftruncate(fd, st.st_size) != 0) {
    /* Truncating to the file's own size frees the blocks past its end (ext4, xfs, tmpfs;
       punching a hole past the end does not on ext4). */
    rc = errno;
  }
  close(fd);
  return rc;
}
