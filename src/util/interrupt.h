/* interrupt.h: SIGINT and SIGTERM turned into a cancel request.
 *
 * A front end calls interrupt_install() once.  The first SIGINT or SIGTERM
 * only records the signal; long work (the mover, the digest, a plan's
 * checkpoints) polls interrupt_check() at its cancel points and fails with
 * "interrupted by SIGINT", so the ordinary failure path runs: created
 * files are removed (migrate, convert), a plan's VMs are left resumable.
 * A second signal takes the default action (the handler resets itself),
 * so a stuck process still dies on a second Ctrl-C.
 *
 * Async-signal-safe: the handler only stores the signal number.
 */
#ifndef FERRY_UTIL_INTERRUPT_H
#define FERRY_UTIL_INTERRUPT_H

/* Catch SIGINT and SIGTERM (once each; see above).  0, or -1 with the
 * error set. */
int interrupt_install (void);

/* The signal received, or 0. */
int interrupt_signal (void);

/* 0 when no signal arrived; otherwise -1 with the error set to
 * "interrupted by SIGxxx". */
int interrupt_check (void);

/* The exit status of a command that stopped because of signal sig:
 * 128 + sig, as a shell reports a process killed by it. */
#define INTERRUPT_EXIT_STATUS(sig) (128 + (sig))

#endif
