/* validate_warm.c: the rules a running KVM guest must pass to be a warm
 * source (see validate.h, docs/validation.md).
 *
 * They read only the facts kvm_source_open gathered (source/kvm.h): a
 * warm migration copies views of pull-mode backup jobs and counts the
 * changes between them with checkpoints, whose dirty bitmaps live in the
 * qcow2 images; whatever stops that is Critical.  Like validate.c, a rule
 * never fails because of what it finds.
 */
#include <stdio.h>
#include <string.h>

#include "host/host.h"
#include "preflight/validate.h"
#include "util/progress.h"
#include "source/kvm.h"

static int
check_domain (const struct kvm_facts *f, finding_vector *out)
{
  char have[32], need[32];

  if (!f->running
      && validate_finding_add (out, "warm-not-running", FINDING_CRITICAL,
                               -1, -1, "the domain is not running: a warm "
                               "migration copies a running guest; migrate "
                               "it cold, or start it first") == -1)
    return -1;
  /* The last view starts the shut-down guest paused again, which needs
   * its definition; checkpoints of a transient domain also vanish with
   * it. */
  if (!f->persistent
      && validate_finding_add (out, "warm-transient-domain",
                               FINDING_CRITICAL, -1, -1, "the domain is "
                               "transient (no persistent definition): its "
                               "checkpoints vanish when it stops and the "
                               "final sync cannot restart it paused; define "
                               "it (virsh define) first") == -1)
    return -1;
  if (f->libvirt_version < VALIDATE_WARM_LIBVIRT_MIN
      && validate_finding_add (out, "warm-hypervisor-old", FINDING_CRITICAL,
                               -1, -1, "libvirt %s on the host has no "
                               "pull-mode backups with checkpoints enabled "
                               "(%s or later); upgrade libvirt or migrate "
                               "cold",
                               host_version_text (f->libvirt_version, have),
                               host_version_text (VALIDATE_WARM_LIBVIRT_MIN,
                                                  need)) == -1)
    return -1;
  if (f->qemu_version < VALIDATE_WARM_QEMU_MIN
      && validate_finding_add (out, "warm-hypervisor-old", FINDING_CRITICAL,
                               -1, -1, "QEMU %s on the host lacks what "
                               "libvirt needs for incremental backups "
                               "(blockdev-reopen, QEMU %s or later); upgrade "
                               "QEMU or migrate cold",
                               host_version_text (f->qemu_version, have),
                               host_version_text (VALIDATE_WARM_QEMU_MIN,
                                                  need)) == -1)
    return -1;
  if (f->block_job
      && validate_finding_add (out, "warm-block-job", FINDING_CRITICAL, -1,
                               -1, "%s runs on the domain: a backup job "
                               "cannot start beside it; wait for it to end "
                               "or abort it (virsh domjobabort / "
                               "blockjob --abort)",
                               f->block_job_what ? f->block_job_what
                               : "another job") == -1)
    return -1;
  return 0;
}

/* A view's scratch images hold the old contents of every block the guest
 * overwrites while the view is open: at worst the disks' size. */
static int
check_scratch (const struct kvm_facts *f, finding_vector *out)
{
  uint64_t need = 0;
  char have[32], want[32];

  if (f->scratch_free < 0)
    return 0;
  for (size_t i = 0; i < f->nr_disks; i++)
    need += f->disks[i].size;
  progress_format_bytes (f->scratch_free, have, sizeof have);
  progress_format_bytes (need, want, sizeof want);
  if ((uint64_t) f->scratch_free < VALIDATE_WARM_SCRATCH_MIN)
    return validate_finding_add (out, "warm-scratch-space", FINDING_CRITICAL,
                                 -1, -1, "%s has %s free for the scratch "
                                 "images of the backup jobs; a view cannot "
                                 "be held open safely (at least %d MiB)",
                                 f->scratch_dir, have,
                                 (int) (VALIDATE_WARM_SCRATCH_MIN >> 20));
  if ((uint64_t) f->scratch_free < need)
    return validate_finding_add (out, "warm-scratch-space", FINDING_WARNING,
                                 -1, -1, "%s has %s free for the scratch "
                                 "images of the backup jobs, less than the "
                                 "disks (%s): a guest that rewrites most of "
                                 "its disks during one sync could fill it",
                                 f->scratch_dir, have, want);
  return 0;
}

static int
check_disks (const struct kvm_facts *f, finding_vector *out)
{
  for (size_t i = 0; i < f->nr_disks; i++) {
    const struct kvm_disk_fact *d = &f->disks[i];
    const char *format = d->format ? d->format : "(unknown)";
    char label[64];
    int di = (int) i;

    snprintf (label, sizeof label, "disk %zu (%s)", i,
              d->target ? d->target : "?");
    if (d->format == NULL || strcmp (d->format, "qcow2") != 0) {
      if (validate_finding_add (out, "warm-disk-format", FINDING_CRITICAL,
                                di, -1, "%s: its image is %s: raw and "
                                "qcow2 v2 cannot hold persistent bitmaps, so "
                                "changes cannot be tracked; convert it to "
                                "qcow2 v3 (qemu-img convert -O qcow2 -o "
                                "compat=1.1, guest off), or migrate cold",
                                label, format) == -1)
        return -1;
    }
    else if (d->qcow2_v3_known && !d->qcow2_v3) {
      if (validate_finding_add (out, "warm-disk-format", FINDING_CRITICAL,
                                di, -1, "%s: its image is qcow2 v2 (compat "
                                "0.10): raw and qcow2 v2 cannot hold "
                                "persistent bitmaps; upgrade it (qemu-img "
                                "amend -o compat=1.1, guest off), or migrate "
                                "cold", label) == -1)
        return -1;
    }
    else if (!d->qcow2_v3_known
             && validate_finding_add (out, "warm-disk-format",
                                      FINDING_WARNING, di, -1, "%s: the "
                                      "version of its qcow2 image cannot be "
                                      "read from here (in no storage pool); "
                                      "if it is v2 (compat 0.10) the first "
                                      "sync fails: check with qemu-img info "
                                      "on the host", label) == -1)
      return -1;
    if (d->readonly
        && validate_finding_add (out, "warm-disk-readonly", FINDING_CRITICAL,
                                 di, -1, "%s is read-only: its image cannot "
                                 "take a checkpoint's bitmap; detach it for "
                                 "the migration, or migrate cold", label)
           == -1)
      return -1;
    if (d->shareable
        && validate_finding_add (out, "warm-disk-shared", FINDING_CRITICAL,
                                 di, -1, "%s is shareable: what other "
                                 "domains write to it is in no bitmap of this "
                                 "one, so syncs would miss it; migrate the "
                                 "domains that share it cold", label) == -1)
      return -1;
  }
  return 0;
}

static int
check_checkpoints (const struct kvm_facts *f, finding_vector *out)
{
  if (f->nr_foreign_checkpoints
      && validate_finding_add (out, "checkpoints-foreign", FINDING_INFO, -1,
                               -1, "the domain has %zu checkpoint(s) ferry "
                               "did not make (a backup tool's?): ferry "
                               "leaves them alone; each costs the guest a "
                               "little on every write",
                               f->nr_foreign_checkpoints) == -1)
    return -1;
  if (f->nr_own_checkpoints
      && validate_finding_add (out, "checkpoints-own", FINDING_INFO, -1, -1,
                               "%zu checkpoint(s) of this migration are "
                               "left from an earlier run: deleted when it "
                               "starts", f->nr_own_checkpoints) == -1)
    return -1;
  return 0;
}

int
validate_warm_kvm (const struct kvm_facts *facts, finding_vector *out)
{
  if (check_domain (facts, out) == -1 || check_disks (facts, out) == -1
      || check_scratch (facts, out) == -1
      || check_checkpoints (facts, out) == -1)
    return -1;
  return 0;
}
