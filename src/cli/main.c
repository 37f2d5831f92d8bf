/* main.c: the `ferry` command: global options and subcommand dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/log.h"

/* cancellable: the command polls interrupt_check() at its cancel points,
 * so a first SIGINT/SIGTERM stops it through its failure path (created
 * files removed, plans left resumable) instead of killing it mid-write.
 * `live` and `host` are not: only their check, migrate and evacuate
 * subcommands poll, so those install the handler themselves (cmd_live.c)
 * and `host list` stays stoppable by a single Ctrl-C.  Whoever installed
 * it, main_run() turns a failure after a signal into 128 + the signal. */
static const struct command {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
  bool cancellable;
} commands[] = {
  { "info", cmd_info, "show an image's format, size and backing chain", false },
  { "map", cmd_map, "list an image's extents: data, zero, and which layer", false },
  { "convert", cmd_convert, "copy an image's guest-visible content to a new image", true },
  { "compare", cmd_compare, "check whether two images hold the same content", true },
  { "hash", cmd_hash, "print a format-independent digest of an image's content", true },
  { "validate", cmd_validate, "run the pre-flight rules on source VMs", false },
  { "migrate", cmd_migrate, "cold-migrate a VM to KVM, verified", true },
  { "plan", cmd_plan, "migration plans: create, run, resume, cancel, show", true },
  { "host", cmd_host, "KVM hosts for live migration: add, list, evacuate", false },
  { "cpu", cmd_cpu, "CPU compatibility: compare, baseline, apply-baseline", false },
  { "live", cmd_live, "live-migrate a running VM between KVM hosts", false },
  { "adapt", cmd_adapt, "adapt a VMware Linux guest's disks to KVM, in place", false },
};

void
cli_error (const char *fmt, ...)
{
  va_list ap;

  fputs ("ferry: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

int
cli_fail (void)
{
  cli_error ("%s", error_message ());
  log_debug ("error raised at %s", error_origin ());
  return EXIT_ERROR;
}

int
cli_option_error (const char *cmd, int c, char **argv)
{
  if (c == ':')
    cli_error ("%s: option '%s' needs a value", cmd, argv[optind - 1]);
  else if (optopt)
    cli_error ("%s: unknown option '-%c'", cmd, optopt);
  else
    cli_error ("%s: unknown option '%s'", cmd, argv[optind - 1]);
  return cli_usage_error (cmd);
}

int
cli_usage_error (const char *cmd)
{
  fprintf (stderr, "Try 'ferry %s --help' for more information.\n", cmd);
  return EXIT_ERROR;
}

/* A DURATION option's argument in seconds (> 0): 0, or -1 after saying
 * why on stderr. */
int
cli_duration_arg (const char *cmd, const char *opt, const char *arg,
                   double *out)
{
  uint64_t seconds;

  if (duration_parse (arg, &seconds) == -1) {
    cli_error ("%s: %s: %s", cmd, opt, error_message ());
    return -1;
  }
  if (seconds == 0) {
    cli_error ("%s: %s: must be more than 0 seconds, got '%s'", cmd, opt,
               arg);
    return -1;
  }
  *out = seconds;
  return 0;
}

int
cli_parse_size (const char *s, unsigned long long *out)
{
  char *end;
  unsigned long long v, mult = 1;

  if (*s < '0' || *s > '9')
    return -1;
  v = strtoull (s, &end, 10);
  switch (*end) {
  case 'k': case 'K': mult = 1ull << 10; end++; break;
  case 'm': case 'M': mult = 1ull << 20; end++; break;
  case 'g': case 'G': mult = 1ull << 30; end++; break;
  case 't': case 'T': mult = 1ull << 40; end++; break;
  default: break;
  }
  if (*end != '\0' || __builtin_mul_overflow (v, mult, out))
    return -1;
  return 0;
}

static void
usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry [-v|--verbose] COMMAND [OPTIONS] ARGS...\n"
           "\n"
           "ferry moves virtual machines onto KVM.\n"
           "\n"
           "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (fp,
           "\n"
           "Run 'ferry COMMAND --help' for a command's options.\n"
           "Exit status: 0 success, 1 a negative answer (compare, validate), 2 error,\n"
           "128+N stopped by signal N (130 for Ctrl-C) after cleaning up.\n");
}

/* Everything a command printed must have reached its destination: a
 * full disk under `ferry ... --json > out` must not give a truncated file
 * and exit 0.  Buffered output is written only now, so its errors are
 * only seen now. */
static int
main_close_stdout (void)
{
  int err = 0;
  bool failed = false;

  if (fflush (stdout) == EOF) {
    err = errno;
    failed = true;
  }
  if (ferror (stdout))
    failed = true;
  if (fclose (stdout) == EOF && !failed) {
    err = errno;
    failed = true;
  }
  if (failed) {
    if (err)
      cli_error ("write error on standard output: %s", strerror (err));
    else
      cli_error ("write error on standard output");
    return -1;
  }
  return 0;
}

static int
main_run (const struct command *cmd, int argc, char **argv)
{
  int status, sig;

  if (cmd->cancellable && interrupt_install () == -1)
    return cli_fail ();
  status = cmd->run (argc, argv);
  /* A command that failed has said why already (errors are one line). */
  if (status == 0 && main_close_stdout () == -1)
    status = EXIT_ERROR;
  /* Stopped by a signal: report it as the shell would, after the
   * command's own clean-up ran. */
  sig = interrupt_signal ();
  if (sig != 0 && status != 0)
    status = INTERRUPT_EXIT_STATUS (sig);
  return status;
}

int
main (int argc, char **argv)
{
  int i = 1;

  opterr = 0;                   /* commands report bad options themselves */

  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp (argv[i], "-v") == 0 || strcmp (argv[i], "--verbose") == 0)
      log_set_level (log_get_level () < LOG_DEBUG ? log_get_level () + 1
                                                  : LOG_DEBUG);
    else if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0) {
      usage (stdout);
      return 0;
    }
    else if (strcmp (argv[i], "--version") == 0) {
      printf ("ferry %s\n", FERRY_VERSION);
      return 0;
    }
    else {
      cli_error ("unknown option '%s'", argv[i]);
      usage (stderr);
      return EXIT_ERROR;
    }
  }
  if (i >= argc) {
    cli_error ("no command given");
    usage (stderr);
    return EXIT_ERROR;
  }
  for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
    if (strcmp (argv[i], commands[c].name) == 0)
      return main_run (&commands[c], argc - i, argv + i);
  cli_error ("unknown command '%s'", argv[i]);
  usage (stderr);
  return EXIT_ERROR;
}
