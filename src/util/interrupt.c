/* interrupt.c: SIGINT/SIGTERM as a cancel request; see interrupt.h. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "util/error.h"
#include "util/interrupt.h"

static volatile sig_atomic_t interrupt_received;

static void
interrupt_handler (int sig)
{
  interrupt_received = sig;
}

int
interrupt_install (void)
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = interrupt_handler;
  sa.sa_flags = SA_RESTART | SA_RESETHAND;
  sigemptyset (&sa.sa_mask);
  if (sigaction (SIGINT, &sa, NULL) == -1
      || sigaction (SIGTERM, &sa, NULL) == -1) {
    error_set_errno (errno, "sigaction");
    return -1;
  }
  return 0;
}

int
interrupt_signal (void)
{
  return interrupt_received;
}

int
interrupt_check (void)
{
  int sig = interrupt_received;

  if (sig == 0)
    return 0;
  error_set ("interrupted by SIG%s", sigabbrev_np (sig));
  return -1;
}
