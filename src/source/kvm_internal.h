/* kvm_internal.h: what the KVM warm source's files share (kvm.c: views,
 * marks and power; kvm_domain.c: the domain's definition read into the VM
 * model and the facts, and the backup job's description).  Not for other
 * layers. */
#ifndef FERRY_SOURCE_KVM_INTERNAL_H
#define FERRY_SOURCE_KVM_INTERNAL_H

#include <stdbool.h>

#include "source/kvm.h"
#include "util/virt.h"

/* The name of the bitmap a view's NBD export serves its changes under
 * (libvirt merges the marks since the base into it for the job). */
#define KVM_EXPORT_BITMAP "ferry-changes"

struct kvm_priv {
  virConnectPtr conn;
  virDomainPtr dom;
  char *uri;                    /* as given, for messages ("" = default) */
  char *name;                   /* the domain's */
  bool local;                   /* the daemon runs on this machine */
  bool agent;                   /* a guest agent channel is defined */
  char **targets;               /* "vda", one per vm.disks entry */
};

/* The backup job running on the domain, as virDomainBackupGetXMLDesc
 * describes it. */
struct kvm_backup {
  char *incremental;            /* the base checkpoint, or NULL (full) */
  char *socket;                 /* unix transport: the socket's path */
  char *host;                   /* tcp transport: name and port */
  char *port;
  size_t nr_disks;
  struct kvm_backup_disk {
    char *target;
    char *exportname;
    char *exportbitmap;         /* NULL: no bitmap exported */
  } *disks;
};
void kvm_backup_free (struct kvm_backup *b);

/* The backup job of k's domain: 1 = one runs (*out filled), 0 = none, -1
 * = error. */
int kvm_backup_read (struct kvm_priv *k, struct kvm_backup *out);

/* Whether a backup job was started by this migration (its exports are
 * named with the migration's prefix). */
bool kvm_backup_is_ours (const struct kvm_backup *b, const char *prefix);

/* Read k->dom's definition into vm (and k->targets, k->agent) and, when
 * facts is not NULL, its facts (prefix: the migration's marks). */
int kvm_domain_read (struct kvm_priv *k, const char *prefix, struct vm *vm,
                     struct kvm_facts *facts);

static inline struct kvm_priv *
kvm_of (struct change_source *src)
{
  return src->priv;
}

/* How often the source looks whether a job or a guest is gone. */
#define KVM_POLL_NS 100000000L

/* kvm_power.c.  Each tells the journal first.  start_paused marks the
 * process as this migration's; started_by_us says whether the domain runs
 * as such a process.  process_need starts the domain paused when it is
 * off (*started says so); process_release destroys it again when it was
 * started, and returns r (the error of r kept). */
int kvm_start_paused (struct change_source *src);
bool kvm_started_by_us (struct change_source *src);
int kvm_destroy (struct change_source *src);
int kvm_process_need (struct change_source *src, bool *started);
int kvm_process_release (struct change_source *src, bool started, int r);
int kvm_is_running (struct change_source *src, bool *running);
int kvm_shutdown (struct change_source *src, double timeout, bool *forced);
int kvm_power_on (struct change_source *src);

/* A malloc'd copy of s (NULL stays NULL); -1 with the error set. */
int kvm_strdup (char **out, const char *s);

#endif
