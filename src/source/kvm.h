/* kvm.h: a running KVM guest on a libvirt host as a warm source
 * (change.h): views and changes from libvirt's backup API in pull mode
 * with checkpoints (persistent dirty bitmaps in the qcow2 images), read
 * over NBD (disk/nbd.h).
 *
 * A view is a backup job: virDomainBackupBegin with <incremental> = the
 * base checkpoint and the new checkpoint created in the same call; its
 * NBD export serves the frozen disks and the "qemu:dirty-bitmap:" context
 * the changes.  The last view, with the guest shut down, starts the domain
 * paused (its vCPUs never run), takes an incremental backup without a new
 * checkpoint, and destroys the paused process again: the bitmap persisted
 * in the image says exactly what changed, nothing is re-read.  Marks of a
 * guest that is off are deleted the same way (libvirt removes bitmaps only
 * through a running QEMU).  Transport, epoch and recovery: kvm.c and
 * docs/warm-kvm.md.
 */
#ifndef FERRY_SOURCE_KVM_H
#define FERRY_SOURCE_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include "source/change.h"

/* What the warm rules need to know about the domain (preflight). */
struct kvm_facts {
  unsigned long libvirt_version;    /* of the host's daemon, 1000000*major+... */
  unsigned long qemu_version;
  bool running;
  bool persistent;
  bool block_job;                   /* another block job or backup runs */
  char *block_job_what;             /* which, for the message */
  size_t nr_disks;
  struct kvm_disk_fact {
    char *target;                   /* "vda" */
    char *path;
    char *format;                   /* "qcow2", "raw", ... */
    bool qcow2_v3;                  /* compat 1.1: can hold bitmaps */
    bool qcow2_v3_known;            /* false: neither the host's storage
                                       pool nor a local read could say */
    bool readonly, shareable;
    uint64_t size;
  } *disks;
  /* Where a view's scratch images go (the copies of the blocks the guest
   * overwrites while the view is open) and the room there: local daemons
   * only; scratch_free -1 = unknown (a remote daemon's go to its own
   * /var/tmp, whose room ferry cannot see). */
  const char *scratch_dir;
  int64_t scratch_free;
  size_t nr_foreign_checkpoints;    /* checkpoints not made by ferry */
  size_t nr_own_checkpoints;        /* with the migration's prefix */
};
void kvm_facts_free (struct kvm_facts *f);

/* Connect to uri, find domain, read its VM model (name, uuid, CPUs,
 * memory, firmware, disks with sizes, NICs with MACs and networks) and its
 * facts.  tag: the migration's id in mark names ("ferry-TAG-N").  journal
 * may be NULL (nothing recorded: for checks).  NULL with the error set. */
struct change_source *kvm_source_open (const char *uri, const char *domain,
                                       const char *tag,
                                       const struct change_journal *journal,
                                       struct kvm_facts *facts);

#endif
