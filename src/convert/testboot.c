/* testboot.c: the test boot (testboot.h).
 *
 * One run:
 *
 *   testboot_run
 *     │ check the request, compile the marker, find QEMU, make a private
 *     │ directory, choose the accelerator (testboot_accelerator)
 *     ▼
 *   testboot_attempt ── overlays made ── QEMU started ──► RUNNING
 *                                                          │
 *     testboot_console_check: marker seen ────────────────►├─► BOOTED
 *     testboot_console_check: failure sign seen ──────────►├─► FAILED
 *     QEMU ended (both its pipes closed) before either ───►├─► FAILED
 *       (the guest powered off or reset: -no-reboot, so a guest that
 *       panics and reboots, or resets in a loop, fails at once)
 *     the deadline passed ────────────────────────────────►└─► TIMEOUT
 *                                                          │
 *     testboot_stop (SIGTERM, SIGKILL after a grace; always reaped),
 *     overlays discarded ◄─────────────────────────────────┘
 *
 * and once, when KVM was chosen and QEMU's stderr says "KVM internal
 * error" (KVM that opens and runs the probe, then fails a real guest),
 * KVM is marked broken for the process and the attempt is repeated under
 * TCG on fresh overlays.  testboot_outcome_decide is the only place a
 * state changes, and only from RUNNING.
 *
 * The serial console is QEMU's stdout (a pipe): every byte is copied into
 * the log and looked at line by line.  A line not yet ended is looked at
 * once the console has been quiet for TESTBOOT_PROMPT_QUIET (and when QEMU
 * ends): a prompt ("host login: ", "grub rescue> ") ends without a newline
 * and waits, while a line still being printed must not match a marker
 * such as /^STATUS [a-z]+$/ half-way through.
 *
 * QEMU is started with fork and execv (no shell, one argv entry per
 * argument), in its own process group (a Ctrl-C reaches ferry, which
 * stops QEMU) and with a parent-death signal (QEMU never outlives ferry).
 * Every descriptor is O_CLOEXEC.  The guest's NICs are on QEMU user-mode
 * networks with restrict=on: no route out of the guest.
 *
 * Must never: write to the disks it boots (QEMU sees only the overlays),
 * leave QEMU running or unreaped, or leave its private directory behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "convert/overlay.h"
#include "convert/testboot.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/io.h"
#include "util/json.h"
#include "util/log.h"
#include "util/vector.h"

#define TESTBOOT_QEMU "qemu-system-x86_64"
/* Seconds between SIGTERM and SIGKILL when stopping QEMU. */
#define TESTBOOT_STOP_GRACE 5.0
/* A working KVM runs the probe guest in a fraction of a second; one that
 * takes longer emulates so slowly (or hangs) that TCG is the better
 * choice. */
#define TESTBOOT_KVM_PROBE_SECONDS 3.0
/* QEMU's exit status when the probe guest writes 0x21 to isa-debug-exit:
 * (value << 1) | 1. */
#define TESTBOOT_KVM_PROBE_STATUS 0x43
/* Seconds of console silence after which an unfinished line is taken as
 * a prompt. */
#define TESTBOOT_PROMPT_QUIET 0.5
/* Longest wait in poll, so that a Ctrl-C is seen promptly. */
#define TESTBOOT_POLL_MS 200
/* QEMU stderr kept for messages. */
#define TESTBOOT_STDERR_MAX 2048
#define TESTBOOT_MIN_MEMORY_MIB 16
#define TESTBOOT_MAX_MEMORY_MIB (1u << 20)
#define TESTBOOT_MAX_CPUS 64

/* Console lines that mean the guest will not come up. */
static const char *const testboot_failure_signs[] = {
  "Kernel panic",
  "ALERT!",
  "Gave up waiting for root",
  "grub rescue>",
};

/* OVMF: code and variables templates, in the order looked for. */
static const char *const testboot_ovmf[][2] = {
  { "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd" },
  { "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd" },
};

enum testboot_state {
  TESTBOOT_RUNNING,
  TESTBOOT_BOOTED,
  TESTBOOT_FAILED,
  TESTBOOT_TIMEOUT,
};

static const char *const testboot_state_names[] = {
  [TESTBOOT_RUNNING] = "running",
  [TESTBOOT_BOOTED] = "booted",
  [TESTBOOT_FAILED] = "failed",
  [TESTBOOT_TIMEOUT] = "timeout",
};

struct testboot_outcome {
  enum testboot_state state;
  double start, seconds;
  bool saw_line;
  char saw[TESTBOOT_LINE_MAX + 1];  /* printable ASCII only (JSON) */
  char reason[512];
  bool kvm_error;               /* QEMU said "KVM internal error" */
};

/* src as printable ASCII in dst (size bytes, NUL-terminated): other bytes
 * become '?' and line ends "; ", so that it fits in a JSON string and on
 * one line. */
static void
testboot_printable (char *dst, size_t size, const char *src)
{
  size_t i = 0;

  for (; *src && i + 1 < size; src++) {
    if (*src == '\n' && src[1] && i + 3 < size) {
      dst[i++] = ';';
      dst[i++] = ' ';
    }
    else if (*src != '\n' && *src != '\r')
      dst[i++] = *src >= 0x20 && *src < 0x7f ? *src : '?';
  }
  dst[i] = '\0';
}

/* The state machine's one transition: RUNNING to a final state. */
static void __attribute__ ((format (printf, 4, 5)))
testboot_outcome_decide (struct testboot_outcome *o, enum testboot_state to,
                         const char *line, const char *fmt, ...)
{
  va_list ap;

  if (o->state != TESTBOOT_RUNNING || to == TESTBOOT_RUNNING)
    abort ();
  o->state = to;
  o->seconds = clock_monotonic () - o->start;
  if (line) {
    size_t n;

    testboot_printable (o->saw, sizeof o->saw, line);
    for (n = strlen (o->saw); n > 0 && o->saw[n - 1] == ' '; n--)
      o->saw[n - 1] = '\0';
    o->saw_line = true;
  }
  va_start (ap, fmt);
  vsnprintf (o->reason, sizeof o->reason, fmt, ap);
  va_end (ap);
}

/*----------------------------------------------------------------------
 * The serial console
 */

struct testboot_console {
  const regex_t *marker;
  const char *marker_text;
  char line[TESTBOOT_LINE_MAX + 1];
  size_t len;
  double last_byte;             /* clock_monotonic of the latest byte */
  bool idle_checked;            /* the unfinished line was looked at */
};

/* Look at the line so far (it may still grow). */
static void
testboot_console_check (struct testboot_console *c,
                        struct testboot_outcome *o)
{
  c->line[c->len] = '\0';
  for (size_t i = 0; i < sizeof testboot_failure_signs
                         / sizeof testboot_failure_signs[0]; i++)
    if (strstr (c->line, testboot_failure_signs[i])) {
      testboot_outcome_decide (o, TESTBOOT_FAILED, c->line,
                               "the console showed \"%s\"",
                               testboot_failure_signs[i]);
      return;
    }
  if (regexec (c->marker, c->line, 0, NULL, 0) == 0)
    testboot_outcome_decide (o, TESTBOOT_BOOTED, c->line, "the console "
                             "matched /%s/", c->marker_text);
}

/* Bytes from the console: decide as soon as a whole line says something. */
static void
testboot_console_feed (struct testboot_console *c, const char *buf,
                       size_t n, struct testboot_outcome *o)
{
  for (size_t i = 0; i < n && o->state == TESTBOOT_RUNNING; i++) {
    if (buf[i] == '\n') {
      testboot_console_check (c, o);
      c->len = 0;
      continue;
    }
    if (buf[i] == '\r')
      continue;
    /* A NUL would end the line early for strstr and regexec. */
    c->line[c->len++] = buf[i] ? buf[i] : '?';
    if (c->len == TESTBOOT_LINE_MAX) {
      testboot_console_check (c, o);
      c->len = 0;
    }
  }
  c->last_byte = clock_monotonic ();
  c->idle_checked = false;
}

/* The console is quiet (or closed): look at the unfinished line, once. */
static void
testboot_console_idle (struct testboot_console *c,
                       struct testboot_outcome *o)
{
  if (o->state == TESTBOOT_RUNNING && c->len > 0 && !c->idle_checked) {
    testboot_console_check (c, o);
    c->idle_checked = true;
  }
}

/*----------------------------------------------------------------------
 * Processes
 */

DEFINE_VECTOR_TYPE (testboot_argv, char *);

static void
testboot_argv_free (testboot_argv *v)
{
  for (size_t i = 0; i < v->len; i++)
    free (v->ptr[i]);
  testboot_argv_reset (v);
}
#define CLEANUP_ARGV __attribute__ ((cleanup (testboot_argv_free)))

static int __attribute__ ((format (printf, 2, 3)))
testboot_arg (testboot_argv *v, const char *fmt, ...)
{
  va_list ap;
  char *s;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (r == -1) {
    error_set_errno (errno, "test boot: building QEMU's arguments");
    return -1;
  }
  if (testboot_argv_append (v, s) == -1) {
    free (s);
    return -1;
  }
  return 0;
}

/* A copy of path with every ',' doubled, as QEMU's option syntax needs
 * inside a value. */
static char *
testboot_escape_commas (const char *path)
{
  size_t commas = 0, len = strlen (path);
  char *out, *p;

  for (const char *s = path; *s; s++)
    commas += *s == ',';
  out = malloc (len + commas + 1);
  if (out == NULL) {
    error_set_errno (errno, "test boot: %s", path);
    return NULL;
  }
  for (p = out; *path; path++) {
    *p++ = *path;
    if (*path == ',')
      *p++ = ',';
  }
  *p = '\0';
  return out;
}

/* Full path of program in $PATH (malloc'd), or NULL with the error set. */
static char *
testboot_find_program (const char *program, const char *package)
{
  const char *path = getenv ("PATH");

  if (path == NULL || *path == '\0')
    path = "/usr/bin:/bin";
  while (*path) {
    size_t n = strcspn (path, ":");
    char *full;

    if (asprintf (&full, "%.*s/%s", (int) n, n ? path : ".", program) == -1) {
      error_set_errno (errno, "test boot: looking for %s", program);
      return NULL;
    }
    if (access (full, X_OK) == 0)
      return full;
    free (full);
    path += n + (path[n] == ':');
  }
  error_set ("test boot: %s not found in PATH (Debian package %s)", program,
             package);
  return NULL;
}

/* In the child: make fd the descriptor target, without O_CLOEXEC.
 * Async-signal-safe. */
static int
testboot_dup_to (int fd, int target)
{
  if (fd == target)
    return fcntl (fd, F_SETFD, 0);
  return dup2 (fd, target);
}

/* Start argv (argv[0] a full path) with stdin from /dev/null and stdout
 * and stderr on out_fd and err_fd (-1: /dev/null).  The pid, or -1 with
 * the error set. */
static pid_t
testboot_spawn (char *const *argv, int out_fd, int err_fd)
{
  CLEANUP_CLOSE int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t parent = getpid ();
  pid_t pid;

  if (null_fd == -1) {
    error_set_errno (errno, "test boot: /dev/null");
    return -1;
  }
  pid = fork ();
  if (pid == -1) {
    error_set_errno (errno, "test boot: starting %s", argv[0]);
    return -1;
  }
  if (pid == 0) {
    /* Only async-signal-safe calls from here to execv. */
    if (prctl (PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid () != parent
        || setpgid (0, 0) == -1
        || testboot_dup_to (null_fd, 0) == -1
        || testboot_dup_to (out_fd >= 0 ? out_fd : null_fd, 1) == -1
        || testboot_dup_to (err_fd >= 0 ? err_fd : null_fd, 2) == -1)
      _exit (127);
    execv (argv[0], argv);
    _exit (127);
  }
  /* Here too, so that the group exists before testboot_stop signals it,
   * whichever of the two runs first. */
  setpgid (pid, pid);
  return pid;
}

/* Wait up to `seconds` for pid to end: 1 (reaped, *status set) or 0
 * (still running). */
static int
testboot_wait (pid_t pid, double seconds, int *status)
{
  double deadline = clock_monotonic () + seconds;
  const struct timespec tick = { 0, 20 * 1000 * 1000 };

  for (;;) {
    pid_t r = waitpid (pid, status, WNOHANG);

    if (r == pid || (r == -1 && errno == ECHILD))
      return 1;
    if (clock_monotonic () >= deadline)
      return 0;
    nanosleep (&tick, NULL);
  }
}

/* Stop pid and its process group (whatever QEMU started goes with it):
 * SIGTERM, then SIGKILL after the grace.  pid is always reaped. */
static void
testboot_stop (pid_t pid, int *status)
{
  kill (-pid, SIGTERM);
  if (testboot_wait (pid, TESTBOOT_STOP_GRACE, status))
    return;
  log_warn ("test boot: QEMU (pid %d) ignored SIGTERM for %.0f s; killing "
            "it", (int) pid, TESTBOOT_STOP_GRACE);
  kill (-pid, SIGKILL);
  while (waitpid (pid, status, 0) == -1 && errno == EINTR)
    ;
}

/* How QEMU ended, for a message. */
static void
testboot_describe_status (int status, char *out, size_t size)
{
  if (WIFEXITED (status))
    snprintf (out, size, "exited with status %d", WEXITSTATUS (status));
  else if (WIFSIGNALED (status))
    snprintf (out, size, "was killed by signal %d", WTERMSIG (status));
  else
    snprintf (out, size, "ended (wait status %d)", status);
}

/*----------------------------------------------------------------------
 * The accelerator
 */

/* The process's one answer to "does KVM work" (a registry of one), under
 * its lock. */
enum testboot_kvm { TESTBOOT_KVM_UNKNOWN, TESTBOOT_KVM_WORKS,
                    TESTBOOT_KVM_BROKEN };
static pthread_mutex_t testboot_kvm_lock = PTHREAD_MUTEX_INITIALIZER;
static enum testboot_kvm testboot_kvm_answer = TESTBOOT_KVM_UNKNOWN;

/* Write the probe guest into path: a 1 MiB disk whose boot sector reads
 * its second sector through the BIOS (int 13h) and writes 0x21 to the
 * isa-debug-exit port, so that QEMU ends with TESTBOOT_KVM_PROBE_STATUS
 * once firmware and a BIOS call ran under KVM. */
static int
testboot_write_probe (const char *path)
{
  static const uint8_t code[] = {
    0x31, 0xc0,                 /* xor ax, ax */
    0x8e, 0xc0,                 /* mov es, ax */
    0xbb, 0x00, 0x80,           /* mov bx, 0x8000 */
    0xb8, 0x01, 0x02,           /* mov ax, 0x0201: read one sector */
    0xb9, 0x02, 0x00,           /* mov cx, 0x0002: cylinder 0, sector 2 */
    0xb6, 0x00,                 /* mov dh, 0 (dl: the boot drive) */
    0xcd, 0x13,                 /* int 0x13 */
    0xb0, 0x21,                 /* mov al, 0x21 */
    0xe6, 0xf4,                 /* out 0xf4, al */
    0xf4,                       /* hlt */
    0xeb, 0xfd,                 /* jmp back to hlt */
  };
  uint8_t sector[512] = { 0 };
  CLEANUP_CLOSE int fd = -1;

  memcpy (sector, code, sizeof code);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd == -1) {
    error_set_errno (errno, "test boot: %s", path);
    return -1;
  }
  if (io_pwrite_full (fd, sector, sizeof sector, 0, path) == -1
      || io_ftruncate (fd, 1 << 20, path) == -1)
    return -1;
  return 0;
}

static bool
testboot_kvm_probe (const char *qemu, const char *dir)
{
  CLEANUP_FREE char *probe = NULL;
  CLEANUP_FREE char *escaped = NULL;
  CLEANUP_ARGV testboot_argv args = empty_vector;
  int fd, status = 0;
  bool works = false;
  pid_t pid;

  fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd == -1) {
    log_debug ("test boot: /dev/kvm: %s: using TCG", strerror (errno));
    return false;
  }
  close (fd);
  if (asprintf (&probe, "%s/kvm-probe.raw", dir) == -1) {
    probe = NULL;
    return false;
  }
  if (testboot_write_probe (probe) == -1
      || (escaped = testboot_escape_commas (probe)) == NULL
      || testboot_arg (&args, "%s", qemu) == -1
      || testboot_arg (&args, "-accel") == -1
      || testboot_arg (&args, "kvm") == -1
      || testboot_arg (&args, "-machine") == -1
      || testboot_arg (&args, "q35") == -1
      || testboot_arg (&args, "-m") == -1
      || testboot_arg (&args, "64") == -1
      || testboot_arg (&args, "-nodefaults") == -1
      || testboot_arg (&args, "-display") == -1
      || testboot_arg (&args, "none") == -1
      || testboot_arg (&args, "-no-reboot") == -1
      || testboot_arg (&args, "-drive") == -1
      || testboot_arg (&args, "if=none,id=probe,format=raw,readonly=on,"
                       "file=%s", escaped) == -1
      || testboot_arg (&args, "-device") == -1
      || testboot_arg (&args, "virtio-blk-pci,drive=probe,bootindex=1") == -1
      || testboot_arg (&args, "-device") == -1
      || testboot_arg (&args, "isa-debug-exit,iobase=0xf4,iosize=0x04") == -1
      || testboot_argv_append (&args, NULL) == -1)
    goto out;
  pid = testboot_spawn (args.ptr, -1, -1);
  if (pid == -1)
    goto out;
  if (testboot_wait (pid, TESTBOOT_KVM_PROBE_SECONDS, &status)) {
    char how[64];

    works = WIFEXITED (status)
            && WEXITSTATUS (status) == TESTBOOT_KVM_PROBE_STATUS;
    testboot_describe_status (status, how, sizeof how);
    error_set ("the probe guest's QEMU %s", how);
  }
  else {
    error_set ("the probe guest did not finish in %.0f s",
               TESTBOOT_KVM_PROBE_SECONDS);
    testboot_stop (pid, &status);
  }
out:
  if (!works)
    log_debug ("test boot: KVM does not work here (%s); using TCG",
               error_message ());
  error_clear ();
  unlink (probe);
  return works;
}

/* "kvm" or "tcg" (see testboot.h); dir is where the probe may write. */
static const char *
testboot_accelerator (const char *qemu, const char *dir)
{
  bool works;

  pthread_mutex_lock (&testboot_kvm_lock);
  if (testboot_kvm_answer == TESTBOOT_KVM_UNKNOWN)
    testboot_kvm_answer = testboot_kvm_probe (qemu, dir)
                          ? TESTBOOT_KVM_WORKS : TESTBOOT_KVM_BROKEN;
  works = testboot_kvm_answer == TESTBOOT_KVM_WORKS;
  pthread_mutex_unlock (&testboot_kvm_lock);
  return works ? "kvm" : "tcg";
}

static void
testboot_kvm_mark_broken (void)
{
  pthread_mutex_lock (&testboot_kvm_lock);
  testboot_kvm_answer = TESTBOOT_KVM_BROKEN;
  pthread_mutex_unlock (&testboot_kvm_lock);
}

/*----------------------------------------------------------------------
 * One attempt
 */

/* The overlays of one attempt, discarded when it ends. */
struct testboot_files {
  char *paths[TESTBOOT_MAX_DISKS + 1];
  size_t n;
};

static void
testboot_files_discard (struct testboot_files *f)
{
  for (size_t i = 0; i < f->n; i++) {
    if (overlay_discard (f->paths[i]) == -1)
      log_warn ("%s", error_message ());
    free (f->paths[i]);
  }
  f->n = 0;
}
#define CLEANUP_OVERLAYS __attribute__ ((cleanup (testboot_files_discard)))

/* An overlay of base in dir, named name; its path (owned by f). */
static const char *
testboot_overlay (struct testboot_files *f, const char *dir,
                  const char *name, const char *base, const char *format)
{
  char *path;

  if (asprintf (&path, "%s/%s", dir, name) == -1) {
    error_set_errno (errno, "test boot: %s", base);
    return NULL;
  }
  if (overlay_create (base, format, path) == -1) {
    free (path);
    error_prefix ("test boot");
    return NULL;
  }
  f->paths[f->n++] = path;
  return path;
}

/* -drive if=<...>,file=<path>: the file escaped. */
static int
testboot_arg_drive (testboot_argv *args, const char *opts, const char *path)
{
  CLEANUP_FREE char *escaped = testboot_escape_commas (path);

  if (escaped == NULL || testboot_arg (args, "-drive") == -1)
    return -1;
  return testboot_arg (args, "%s,file=%s", opts, escaped);
}

/* The firmware arguments (UEFI: OVMF's code, and an overlay of its
 * variables template so that the template is never written). */
static int
testboot_args_firmware (const struct testboot *tb, testboot_argv *args,
                        struct testboot_files *files, const char *dir)
{
  if (tb->firmware == TESTBOOT_BIOS)
    return 0;
  for (size_t i = 0; i < sizeof testboot_ovmf / sizeof testboot_ovmf[0];
       i++) {
    const char *code = testboot_ovmf[i][0], *vars = testboot_ovmf[i][1];
    const char *overlay;

    if (access (code, R_OK) == -1 || access (vars, R_OK) == -1)
      continue;
    overlay = testboot_overlay (files, dir, "vars.qcow2", vars, "raw");
    if (overlay == NULL
        || testboot_arg_drive (args, "if=pflash,format=raw,unit=0,"
                               "readonly=on", code) == -1
        || testboot_arg_drive (args, "if=pflash,format=qcow2,unit=1",
                               overlay) == -1)
      return -1;
    return 0;
  }
  error_set ("test boot: UEFI firmware (OVMF) not found in /usr/share/OVMF "
             "(Debian package ovmf)");
  return -1;
}

static int
testboot_args (const struct testboot *tb, const char *qemu,
               const char *accel, const char *dir, testboot_argv *args,
               struct testboot_files *files)
{
  if (testboot_arg (args, "%s", qemu) == -1
      || testboot_arg (args, "-accel") == -1
      || testboot_arg (args, "%s", accel) == -1
      || testboot_arg (args, "-machine") == -1
      || testboot_arg (args, "q35") == -1
      || testboot_arg (args, "-m") == -1
      || testboot_arg (args, "%u", tb->memory_mib) == -1
      || testboot_arg (args, "-smp") == -1
      || testboot_arg (args, "%u", tb->cpus ? tb->cpus : 1) == -1
      || testboot_arg (args, "-nodefaults") == -1
      || testboot_arg (args, "-display") == -1
      || testboot_arg (args, "none") == -1
      || testboot_arg (args, "-no-reboot") == -1
      || testboot_arg (args, "-chardev") == -1
      || testboot_arg (args, "stdio,id=console,signal=off") == -1
      || testboot_arg (args, "-serial") == -1
      || testboot_arg (args, "chardev:console") == -1
      || testboot_args_firmware (tb, args, files, dir) == -1)
    return -1;
  for (size_t i = 0; i < tb->nr_disks; i++) {
    char name[32], opts[64];
    const char *overlay;

    snprintf (name, sizeof name, "disk%zu.qcow2", i);
    snprintf (opts, sizeof opts, "if=none,id=disk%zu,format=qcow2", i);
    overlay = testboot_overlay (files, dir, name, tb->disks[i].path,
                                tb->disks[i].format);
    if (overlay == NULL
        || testboot_arg_drive (args, opts, overlay) == -1
        || testboot_arg (args, "-device") == -1
        || testboot_arg (args, "virtio-blk-pci,drive=disk%zu,bootindex=%zu",
                         i, i + 1) == -1)
      return -1;
  }
  /* One isolated user-mode network per NIC: restrict=on leaves the guest
   * no way out, not even to the host. */
  for (size_t i = 0; i < tb->nr_nics; i++)
    if (testboot_arg (args, "-netdev") == -1
        || testboot_arg (args, "user,id=net%zu,restrict=on", i) == -1
        || testboot_arg (args, "-device") == -1
        || testboot_arg (args, "virtio-net-pci,netdev=net%zu,mac=%s", i,
                         tb->macs[i]) == -1)
      return -1;
  return testboot_argv_append (args, NULL);
}

/* Boot once under accel: fill *o.  0, or -1 with the error set (QEMU
 * could not be started, the log could not be written, interrupted). */
static int
testboot_attempt (const struct testboot *tb, const char *qemu,
                  const char *accel, const char *dir, const regex_t *marker,
                  struct testboot_outcome *o)
{
  CLEANUP_OVERLAYS struct testboot_files files = { .n = 0 };
  CLEANUP_ARGV testboot_argv args = empty_vector;
  CLEANUP_CLOSE int log_fd = -1;
  CLEANUP_CLOSE int serial_r = -1;
  CLEANUP_CLOSE int serial_w = -1;
  CLEANUP_CLOSE int err_r = -1;
  CLEANUP_CLOSE int err_w = -1;
  struct testboot_console console = {
    .marker = marker,
    .marker_text = tb->marker ? tb->marker : TESTBOOT_DEFAULT_MARKER,
  };
  char err_text[TESTBOOT_STDERR_MAX + 1] = "";
  size_t err_len = 0;
  uint64_t log_offset = 0;
  bool serial_open = true, err_open = true, exited = false;
  int fds[2], status = 0, r = 0;
  pid_t pid;

  memset (o, 0, sizeof *o);
  o->state = TESTBOOT_RUNNING;
  if (testboot_args (tb, qemu, accel, dir, &args, &files) == -1)
    return -1;
  log_fd = open (tb->serial_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                 0644);
  if (log_fd == -1) {
    error_set_errno (errno, "test boot: serial log %s", tb->serial_log);
    return -1;
  }
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    error_set_errno (errno, "test boot: pipe");
    return -1;
  }
  serial_r = fds[0];
  serial_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    error_set_errno (errno, "test boot: pipe");
    return -1;
  }
  err_r = fds[0];
  err_w = fds[1];

  log_debug ("test boot: starting %s under %s", qemu, accel);
  o->start = clock_monotonic ();
  pid = testboot_spawn (args.ptr, serial_w, err_w);
  if (pid == -1)
    return -1;
  close (steal_fd (&serial_w));
  close (steal_fd (&err_w));

  while (o->state == TESTBOOT_RUNNING && (serial_open || err_open)) {
    struct pollfd p[2] = {
      { .fd = serial_open ? serial_r : -1, .events = POLLIN },
      { .fd = err_open ? err_r : -1, .events = POLLIN },
    };
    double left = o->start + tb->timeout - clock_monotonic ();
    char buf[4096];
    ssize_t n;

    if (interrupt_check () == -1) {
      r = -1;
      break;
    }
    if (left <= 0) {
      testboot_outcome_decide (o, TESTBOOT_TIMEOUT, NULL, "no console line "
                               "matched /%s/ within %g s",
                               console.marker_text, tb->timeout);
      break;
    }
    if (poll (p, 2, left * 1000 < TESTBOOT_POLL_MS
                    ? (int) (left * 1000) + 1 : TESTBOOT_POLL_MS) == -1) {
      if (errno == EINTR)
        continue;
      error_set_errno (errno, "test boot: poll");
      r = -1;
      break;
    }
    if (p[0].revents) {
      n = read (serial_r, buf, sizeof buf);
      if (n > 0) {
        if (io_pwrite_full (log_fd, buf, n, log_offset, tb->serial_log)
            == -1) {
          error_prefix ("test boot: serial log");
          r = -1;
          break;
        }
        log_offset += n;
        testboot_console_feed (&console, buf, n, o);
      }
      else if (n == 0 || errno != EINTR) {
        serial_open = false;
        testboot_console_idle (&console, o);
      }
    }
    else if (clock_monotonic () - console.last_byte >= TESTBOOT_PROMPT_QUIET)
      testboot_console_idle (&console, o);
    if (p[1].revents) {
      n = read (err_r, buf, sizeof buf);
      if (n > 0) {
        size_t keep = TESTBOOT_STDERR_MAX - err_len;

        memcpy (err_text + err_len, buf, (size_t) n < keep ? (size_t) n
                                                            : keep);
        err_len += (size_t) n < keep ? (size_t) n : keep;
        err_text[err_len] = '\0';
        if (o->state == TESTBOOT_RUNNING && strcmp (accel, "kvm") == 0
            && strstr (err_text, "KVM internal error")) {
          o->kvm_error = true;
          testboot_outcome_decide (o, TESTBOOT_FAILED, NULL,
                                   "KVM internal error");
        }
      }
      else if (n == 0 || errno != EINTR)
        err_open = false;
    }
  }

  /* Both pipes closed: QEMU is ending by itself. */
  if (!serial_open && !err_open)
    exited = testboot_wait (pid, TESTBOOT_STOP_GRACE, &status);
  if (!exited)
    testboot_stop (pid, &status);
  if (r == -1)
    return -1;
  if (o->state == TESTBOOT_RUNNING && WIFEXITED (status)
      && WEXITSTATUS (status) == 0)
    /* -no-reboot: a reset ends QEMU as a power-off does. */
    testboot_outcome_decide (o, TESTBOOT_FAILED, NULL, "the guest powered "
                             "off or reset before a proof of life");
  else if (o->state == TESTBOOT_RUNNING) {
    char how[64], err_line[256];

    testboot_describe_status (status, how, sizeof how);
    testboot_printable (err_line, sizeof err_line, err_text);
    testboot_outcome_decide (o, TESTBOOT_FAILED, NULL, "QEMU %s before a "
                             "proof of life%s%s", how,
                             err_line[0] ? ": " : "", err_line);
  }
  return 0;
}

/*----------------------------------------------------------------------
 * The entry point
 */

/* "52:54:00:12:34:56": six hex pairs, unicast. */
static bool
testboot_mac_valid (const char *mac)
{
  if (strlen (mac) != 17)
    return false;
  for (size_t i = 0; i < 17; i++)
    if (i % 3 == 2 ? mac[i] != ':'
                   : strchr ("0123456789abcdefABCDEF", mac[i]) == NULL)
      return false;
  return (strtoul (mac, NULL, 16) & 1) == 0;
}

static int
testboot_check (const struct testboot *tb)
{
  if (tb->nr_disks == 0 || tb->nr_disks > TESTBOOT_MAX_DISKS) {
    error_set ("test boot: %zu disks given (from 1 to %d)", tb->nr_disks,
               TESTBOOT_MAX_DISKS);
    return -1;
  }
  for (size_t i = 0; i < tb->nr_disks; i++)
    if (tb->disks[i].path == NULL || tb->disks[i].path[0] == '\0') {
      error_set ("test boot: disk %zu has no path", i);
      return -1;
    }
  if (tb->nr_nics > TESTBOOT_MAX_NICS) {
    error_set ("test boot: %zu NICs given (at most %d)", tb->nr_nics,
               TESTBOOT_MAX_NICS);
    return -1;
  }
  for (size_t i = 0; i < tb->nr_nics; i++)
    if (tb->macs[i] == NULL || !testboot_mac_valid (tb->macs[i])) {
      error_set ("test boot: NIC %zu: \"%s\" is not a unicast MAC address "
                 "(xx:xx:xx:xx:xx:xx)", i,
                 tb->macs[i] ? tb->macs[i] : "");
      return -1;
    }
  if (tb->firmware != TESTBOOT_BIOS && tb->firmware != TESTBOOT_UEFI) {
    error_set ("test boot: unknown firmware %d", (int) tb->firmware);
    return -1;
  }
  if (tb->memory_mib < TESTBOOT_MIN_MEMORY_MIB
      || tb->memory_mib > TESTBOOT_MAX_MEMORY_MIB) {
    error_set ("test boot: memory %u MiB is out of range (%d to %u MiB)",
               tb->memory_mib, TESTBOOT_MIN_MEMORY_MIB,
               TESTBOOT_MAX_MEMORY_MIB);
    return -1;
  }
  if (tb->cpus > TESTBOOT_MAX_CPUS) {
    error_set ("test boot: %u CPUs is more than %d", tb->cpus,
               TESTBOOT_MAX_CPUS);
    return -1;
  }
  if (!(tb->timeout > 0) || !isfinite (tb->timeout)) {
    error_set ("test boot: the timeout must be a positive number of "
               "seconds, not %g", tb->timeout);
    return -1;
  }
  if (tb->serial_log == NULL || tb->serial_log[0] == '\0') {
    error_set ("test boot: no serial log path given");
    return -1;
  }
  return 0;
}

/* A private directory under work_dir, $TMPDIR or /tmp (malloc'd), or
 * NULL with the error set. */
static char *
testboot_make_dir (const char *work_dir)
{
  const char *base = work_dir;
  char *dir;

  if (base == NULL)
    base = getenv ("TMPDIR");
  if (base == NULL || base[0] == '\0')
    base = "/tmp";
  if (asprintf (&dir, "%s/ferry-testboot-XXXXXX", base) == -1) {
    error_set_errno (errno, "test boot: %s", base);
    return NULL;
  }
  if (mkdtemp (dir) == NULL) {
    error_set_errno (errno, "test boot: making a directory in %s", base);
    free (dir);
    return NULL;
  }
  return dir;
}

static json_t *
testboot_result (const struct testboot *tb, const struct testboot_outcome *o,
                 const char *accel)
{
  json_t *obj = json_object ();

  if (obj == NULL
      || json_set_string (obj, "result", testboot_state_names[o->state]) == -1
      || json_set_new (obj, "seconds",
                       json_real (o->seconds)) == -1
      || json_set_string (obj, "accelerator", accel) == -1
      || json_set_string (obj, "saw", o->saw_line ? o->saw : NULL) == -1
      || json_set_string (obj, "reason", o->state == TESTBOOT_BOOTED
                                         ? NULL : o->reason) == -1
      || json_set_string (obj, "serial-log", tb->serial_log) == -1) {
    if (obj == NULL)
      error_set ("test boot: out of memory");
    json_decref (obj);
    return NULL;
  }
  return obj;
}

int
testboot_run (const struct testboot *tb, json_t **result)
{
  CLEANUP_FREE char *qemu = NULL;
  CLEANUP_FREE char *dir = NULL;
  const char *marker_text = tb->marker ? tb->marker : TESTBOOT_DEFAULT_MARKER;
  struct testboot_outcome o;
  const char *accel;
  regex_t marker;
  int r;

  if (testboot_check (tb) == -1)
    return -1;
  r = regcomp (&marker, marker_text, REG_EXTENDED | REG_NOSUB);
  if (r != 0) {
    char why[256];

    regerror (r, &marker, why, sizeof why);
    error_set ("test boot: marker /%s/: %s", marker_text, why);
    return -1;
  }
  qemu = testboot_find_program (TESTBOOT_QEMU, "qemu-system-x86");
  if (qemu == NULL || (dir = testboot_make_dir (tb->work_dir)) == NULL) {
    regfree (&marker);
    return -1;
  }
  accel = testboot_accelerator (qemu, dir);
  r = testboot_attempt (tb, qemu, accel, dir, &marker, &o);
  if (r == 0 && o.kvm_error) {
    log_warn ("test boot: KVM failed the guest (%s); booting it again "
              "under TCG", o.reason);
    testboot_kvm_mark_broken ();
    accel = "tcg";
    r = testboot_attempt (tb, qemu, accel, dir, &marker, &o);
  }
  regfree (&marker);
  if (rmdir (dir) == -1)
    log_warn ("test boot: removing %s: %s", dir, strerror (errno));
  if (r == -1)
    return -1;
  *result = testboot_result (tb, &o, accel);
  return *result ? 0 : -1;
}
