/* The warm rules of a running KVM guest (validate_warm_kvm), one case per
 * row: a clean guest (running, persistent, libvirt 9.0.0, QEMU 7.2.0, one
 * qcow2 v3 disk) changed in one way must give exactly the findings listed
 * (rule, severity, disk, a piece of the message), nothing else.  The
 * version limits come from libvirt's release notes (pull-mode backups with
 * checkpoints on by default from 7.6.0) and QEMU's (blockdev-reopen stable
 * in 6.1.0), not from the code. */
#include "validatetest.h"
#include "source/kvm.h"

struct want {
  const char *rule;
  enum finding_severity severity;
  int disk;
  const char *text;
};

struct row {
  const char *name;
  void (*change) (struct kvm_facts *f);
  struct want want[3];          /* ends at the first NULL rule */
};

static void clean (struct kvm_facts *f) { }
static void stopped (struct kvm_facts *f) { f->running = false; }
static void transient (struct kvm_facts *f) { f->persistent = false; }
static void libvirt_7_5 (struct kvm_facts *f) { f->libvirt_version = 7005000; }
static void libvirt_7_6 (struct kvm_facts *f) { f->libvirt_version = 7006000; }
static void qemu_6_0 (struct kvm_facts *f) { f->qemu_version = 6000000; }
static void qemu_6_1 (struct kvm_facts *f) { f->qemu_version = 6001000; }
static void job (struct kvm_facts *f)
{
  f->block_job = true;
  f->block_job_what = strdup ("a block copy job on vda");
}
static void raw (struct kvm_facts *f)
{
  free (f->disks[1].format);
  f->disks[1].format = strdup ("raw");
  f->disks[1].qcow2_v3 = f->disks[1].qcow2_v3_known = false;
}
static void qcow2_v2 (struct kvm_facts *f) { f->disks[1].qcow2_v3 = false; }
static void qcow2_unknown (struct kvm_facts *f)
{
  f->disks[1].qcow2_v3 = f->disks[1].qcow2_v3_known = false;
}
static void readonly (struct kvm_facts *f) { f->disks[0].readonly = true; }
static void shareable (struct kvm_facts *f) { f->disks[1].shareable = true; }
static void foreign (struct kvm_facts *f) { f->nr_foreign_checkpoints = 2; }
static void own (struct kvm_facts *f) { f->nr_own_checkpoints = 3; }
/* the disks are 2 x 64 MiB; a view must have 256 MiB of scratch room */
static void scratch_unknown (struct kvm_facts *f) { f->scratch_free = -1; }
static void scratch_tight (struct kvm_facts *f)
{
  f->scratch_free = 1000 * MiB;
  f->disks[0].size = f->disks[1].size = 4096 * MiB;
}
static void scratch_full (struct kvm_facts *f) { f->scratch_free = 10 * MiB; }

static const struct row rows[] = {
  { "clean", clean, { { NULL } } },
  { "not running", stopped,
    { { "warm-not-running", FINDING_CRITICAL, -1, "not running" } } },
  { "transient", transient,
    { { "warm-transient-domain", FINDING_CRITICAL, -1, "transient" } } },
  { "libvirt 7.5.0", libvirt_7_5,
    { { "warm-hypervisor-old", FINDING_CRITICAL, -1, "libvirt 7.5.0" } } },
  { "libvirt 7.6.0", libvirt_7_6, { { NULL } } },
  { "qemu 6.0.0", qemu_6_0,
    { { "warm-hypervisor-old", FINDING_CRITICAL, -1, "QEMU 6.0.0" } } },
  { "qemu 6.1.0", qemu_6_1, { { NULL } } },
  { "block job", job,
    { { "warm-block-job", FINDING_CRITICAL, -1, "a block copy job on vda" } } },
  { "raw disk", raw,
    { { "warm-disk-format", FINDING_CRITICAL, 1,
        "disk 1 (vdb): its image is raw: raw and qcow2 v2 cannot hold "
        "persistent bitmaps" } } },
  { "qcow2 v2", qcow2_v2,
    { { "warm-disk-format", FINDING_CRITICAL, 1, "qcow2 v2 (compat 0.10)" } } },
  { "qcow2 version unknown", qcow2_unknown,
    { { "warm-disk-format", FINDING_WARNING, 1, "cannot be read" } } },
  { "read-only", readonly,
    { { "warm-disk-readonly", FINDING_CRITICAL, 0, "disk 0 (vda) is "
        "read-only" } } },
  { "shareable", shareable,
    { { "warm-disk-shared", FINDING_CRITICAL, 1, "shareable" } } },
  { "foreign checkpoints", foreign,
    { { "checkpoints-foreign", FINDING_INFO, -1, "2 checkpoint(s)" } } },
  { "own checkpoints", own,
    { { "checkpoints-own", FINDING_INFO, -1, "3 checkpoint(s)" } } },
  { "scratch room unknown", scratch_unknown, { { NULL } } },
  { "scratch room below the disks", scratch_tight,
    { { "warm-scratch-space", FINDING_WARNING, -1, "less than the disks "
        "(8.0 GiB)" } } },
  { "scratch room below 256 MiB", scratch_full,
    { { "warm-scratch-space", FINDING_CRITICAL, -1, "10.0 MiB free" } } },
};

static void
facts_clean (struct kvm_facts *f)
{
  memset (f, 0, sizeof *f);
  f->libvirt_version = 9000000;
  f->qemu_version = 7002000;
  f->running = f->persistent = true;
  f->scratch_dir = "/var/tmp/ferry-nbd";
  f->scratch_free = 100000 * MiB;
  f->nr_disks = 2;
  f->disks = calloc (2, sizeof *f->disks);
  CHECK (f->disks != NULL);
  for (size_t i = 0; i < 2; i++) {
    f->disks[i].target = strdup (i ? "vdb" : "vda");
    f->disks[i].path = strdup (i ? "/pool/data.qcow2" : "/pool/root.qcow2");
    f->disks[i].format = strdup ("qcow2");
    f->disks[i].qcow2_v3 = f->disks[i].qcow2_v3_known = true;
    f->disks[i].size = 64 * MiB;
  }
}

int
main (void)
{
  finding_vector out = empty_vector;

  test_init (false);
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    const struct row *row = &rows[r];
    struct kvm_facts f;
    size_t n = 0;

    facts_clean (&f);
    row->change (&f);
    validate_findings_free (&out);
    if (validate_warm_kvm (&f, &out) == -1)
      FAIL ("%s: validate_warm_kvm: %s", row->name, error_message ());
    valt_dump (&out);
    while (n < 3 && row->want[n].rule)
      n++;
    if (out.len != n)
      FAIL ("%s: %zu finding(s), expected %zu", row->name, out.len, n);
    for (size_t i = 0; i < n; i++) {
      const struct want *w = &row->want[i];
      const struct finding *x = &out.ptr[i];

      if (strcmp (x->rule, w->rule) != 0 || x->severity != w->severity
          || x->disk != w->disk || x->nic != -1)
        FAIL ("%s: got %s %s disk %d, expected %s %s disk %d", row->name,
              x->rule, validate_severity_name (x->severity), x->disk,
              w->rule, validate_severity_name (w->severity), w->disk);
      if (strstr (x->message, w->text) == NULL)
        FAIL ("%s: message \"%s\" lacks \"%s\"", row->name, x->message,
              w->text);
      if (strchr (x->message, '\n') || validate_rule_find (x->rule) == NULL)
        FAIL ("%s: %s: not one line, or not in validate_rules", row->name,
              x->rule);
    }
    kvm_facts_free (&f);
  }
  validate_findings_free (&out);
  return 0;
}
