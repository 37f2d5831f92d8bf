/* testboot.h: boot a migrated VM's disks once, in isolation, and report
 * whether the guest came to life.
 *
 * The disks are never written: each is booted through its own throw-away
 * qcow2 overlay (convert/overlay.h), removed afterwards.  QEMU runs with
 * virtio-blk disks, virtio-net NICs on a user-mode network with
 * restrict=on (the guest reaches neither the host's network nor the
 * outside world), SeaBIOS or OVMF, and its serial console copied into a
 * log file that is kept.  KVM is used when it really works (/dev/kvm opens
 * and a tiny probe guest runs under it quickly; asked once per process),
 * TCG otherwise.
 *
 * States of one run (testboot.c draws the machine):
 *   booted   the proof-of-life pattern appeared on the serial console;
 *   failed   a known failure sign appeared ("Kernel panic", "ALERT!",
 *            "Gave up waiting for root", "grub rescue>"), or QEMU stopped
 *            before a proof of life;
 *   timeout  neither within the time allowed.
 *
 * Must never: write to a disk it boots, touch the host's network, run a
 * shell, or leave QEMU running or unreaped.
 */
#ifndef FERRY_CONVERT_TESTBOOT_H
#define FERRY_CONVERT_TESTBOOT_H

#include <stddef.h>

#include <jansson.h>

/* The proof of life looked for when the caller gives none. */
#define TESTBOOT_DEFAULT_MARKER "login:"
/* Longest serial console line looked at as one line; longer lines are
 * looked at in pieces of this size. */
#define TESTBOOT_LINE_MAX 4096
/* Most disks and NICs one test boot attaches. */
#define TESTBOOT_MAX_DISKS 16
#define TESTBOOT_MAX_NICS 8

enum testboot_firmware {
  TESTBOOT_BIOS,
  TESTBOOT_UEFI,
};

/* A disk to boot: raw or qcow2, the formats ferry writes (an overlay is
 * refused over anything else, see overlay.h). */
struct testboot_disk {
  const char *path;
  const char *format;           /* NULL = probed */
};

struct testboot {
  const struct testboot_disk *disks;  /* boot order: the first boots */
  size_t nr_disks;
  const char *const *macs;      /* one virtio-net NIC per MAC address */
  size_t nr_nics;
  enum testboot_firmware firmware;
  unsigned memory_mib;          /* guest memory */
  unsigned cpus;                /* 0 = 1 */
  double timeout;               /* seconds to wait for a proof of life */
  /* POSIX extended regular expression matched against each console line;
   * NULL = TESTBOOT_DEFAULT_MARKER. */
  const char *marker;
  const char *serial_log;       /* the console is written here and kept */
  /* Directory for the overlays and firmware variables (a private
   * directory is made inside it and removed); NULL = $TMPDIR or /tmp. */
  const char *work_dir;
};

/* Boot, wait, stop, clean up.  On 0, *result is a new JSON object:
 *   {"result": "booted"|"failed"|"timeout", "seconds": since QEMU started,
 *    "accelerator": "kvm"|"tcg", "saw": the console line that decided
 *    (null when none), "reason": why (failed and timeout only),
 *    "serial-log": the log's path}
 * -1 with the error set when the boot could not be tried (bad input, no
 * QEMU, an overlay or the log could not be made). */
int testboot_run (const struct testboot *tb, json_t **result);

#endif
