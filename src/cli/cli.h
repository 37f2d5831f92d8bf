/* cli.h: the `ferry` command's subcommands and shared helpers.
 *
 * Exit status everywhere: 0 success, 1 a negative answer (compare found a
 * difference, validate found a critical problem), 2 an error, reported as
 * one line on stderr.
 */
#ifndef FERRY_CLI_CLI_H
#define FERRY_CLI_CLI_H

#define EXIT_DIFFERENT 1
#define EXIT_ERROR 2

int cmd_info (int argc, char **argv);
int cmd_map (int argc, char **argv);
int cmd_convert (int argc, char **argv);
int cmd_compare (int argc, char **argv);
int cmd_hash (int argc, char **argv);
int cmd_migrate (int argc, char **argv);
int cmd_validate (int argc, char **argv);
int cmd_plan (int argc, char **argv);
int cmd_host (int argc, char **argv);
int cmd_cpu (int argc, char **argv);
int cmd_live (int argc, char **argv);
int cmd_adapt (int argc, char **argv);
/* `ferry host evacuate ...` (argv[0] is "evacuate"). */
int cmd_live_evacuate (int argc, char **argv);

/* Run plan opts->name of the store at db (NULL: the default), reporting
 * as `ferry plan run` does; its exit status (cmd_plan.c). */
struct plan_run_options;
int plan_run_and_report (struct plan_run_options *opts, const char *db);

/* Print "ferry: MESSAGE" (printf-style) on stderr. */
void cli_error (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Print the current error (error_message()) and return EXIT_ERROR. */
int cli_fail (void);
/* Report a getopt failure (c is '?' or ':'; the option string must start
 * with "+:") as one "ferry: CMD: ..." line and return EXIT_ERROR. */
int cli_option_error (const char *cmd, int c, char **argv);
/* "Try 'ferry CMD --help'" and return EXIT_ERROR. */
int cli_usage_error (const char *cmd);
/* Parse a size such as 65536, 64k, 2M; -1 on error. */
int cli_parse_size (const char *s, unsigned long long *out);
/* A DURATION option's argument ("90", "10m", "1h30m") in seconds, more
 * than 0: 0, or -1 after saying why on stderr. */
int cli_duration_arg (const char *cmd, const char *opt, const char *arg,
                      double *out);

#endif
