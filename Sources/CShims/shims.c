#include "CShims.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t cshims_caught = 0;

static void cshims_handler(int sig) { cshims_caught = sig; }

void cshims_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

void cshims_install_signal_flag(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = cshims_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  /* A process inherits its parent's blocked signals (mpirun started from a test harness or a
     job script may have USR1 blocked): unblock the two we rely on. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int cshims_signal_flag(void) { return (int)cshims_caught; }
void cshims_clear_signal_flag(void) { cshims_caught = 0; }
int cshims_raise(int sig) { return raise(sig); }
