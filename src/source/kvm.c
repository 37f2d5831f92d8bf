/* kvm.c: running KVM guests as warm sources (see kvm.h): views, marks and
 * recovery, through libvirt's backup and checkpoint API (the domain's
 * process and power: kvm_power.c; its definition: kvm_domain.c).
 *
 * A view is one pull-mode backup job.  Its NBD server listens, for a
 * daemon on this machine, on a unix socket in a directory of its own,
 * /var/tmp/ferry-nbd/ferry-TAG-XXXXXX (mode 01777: QEMU runs as another user
 * and must create the socket there; removed at view_close); for a remote
 * daemon on TCP at the host's name (virConnectGetHostname) and port
 * KVM_NBD_PORT, with the scratch images in KVM_REMOTE_SCRATCH_DIR there.  Each
 * disk is exported as "<mark prefix><target>" ("ferry-TAG-vda"): that is
 * how a job left by a process that died is recognised as this
 * migration's.  An incremental view also exports the bitmap
 * KVM_EXPORT_BITMAP, the changes since the base.
 *
 * The tracking epoch is "<domain UUID>/<the mark of the full view that
 * began the chain>".  Each mark carries it in its description ("ferry
 * epoch E"), copied from the base into every mark made on it, so that
 * any mark of a chain says which chain it belongs to.  A base that is
 * gone, or that libvirt refuses as inconsistent (its bitmap lost or
 * damaged), gives a full view and a new epoch.
 *
 * The last view of a guest that is shut down starts the domain paused
 * (its vCPUs never run) and marks that process with live-only metadata
 * (kvm_power.c: gone with the process, never in the definition), so that
 * recovery after a crash destroys exactly the paused processes it started
 * and never a guest someone else paused.  A crash between the start and
 * the metadata leaves a paused domain that recovery does not touch.
 *
 * Every action on the domain is told to the journal first
 * (change_intent), and refused when the journal refuses it.
 *
 * Must never: delete a checkpoint or end a backup job that is not this
 * migration's, change the domain's definition, or destroy a domain it did
 * not start paused itself (shutdown's forced power-off aside).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "disk/nbd.h"
#include "source/kvm_internal.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

#define KVM_NBD_DIR "/var/tmp/ferry-nbd"
#define KVM_NBD_PORT "10809"
/* Scratch images of a remote host's views, on that host. */
#define KVM_REMOTE_SCRATCH_DIR "/var/tmp"
#define KVM_EPOCH_TAG "ferry epoch "
/* Tags are part of names, paths and XML: short, and plain characters. */
#define KVM_TAG_MAX 48
/* How long an aborted backup job may take to go. */
#define KVM_JOB_END_WAIT_NS (30 * 1000000000L)

struct kvm_view {
  char *dir;                    /* the socket directory (local), or NULL */
  bool job;                     /* a backup job of this view runs */
  bool started;                 /* the domain was started paused for it */
  char *context;                /* "qemu:dirty-bitmap:...", or NULL */
};

/* ---- XML ---- */

/* Append fmt to *buf (malloc'd, grown); -1 with the error set. */
static int __attribute__ ((format (printf, 2, 3)))
kvm_append (char **buf, const char *fmt, ...)
{
  CLEANUP_FREE char *more = NULL;
  char *all;
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&more, fmt, ap);
  va_end (ap);
  if (r == -1) {
    more = NULL;
    error_set_errno (errno, "kvm: vasprintf");
    return -1;
  }
  if (asprintf (&all, "%s%s", *buf ? *buf : "", more) == -1) {
    error_set_errno (errno, "kvm: asprintf");
    return -1;
  }
  free (*buf);
  *buf = all;
  return 0;
}

/* s with XML's special characters escaped (xmlFree). */
static char *
kvm_xml_escape (const char *s)
{
  char *e = (char *) xmlEncodeSpecialChars (NULL, BAD_CAST s);

  if (e == NULL)
    error_set_errno (ENOMEM, "kvm: escaping \"%s\"", s);
  return e;
}

/* ---- checkpoints ---- */

static bool
kvm_is_ours (struct change_source *src, const char *name)
{
  return strncmp (name, src->mark_prefix, strlen (src->mark_prefix)) == 0;
}

/* The checkpoint called name: 1 (*out set), 0 = none, -1 = error. */
static int
kvm_checkpoint_find (struct kvm_priv *k, const char *name,
                     virDomainCheckpointPtr *out)
{
  *out = virDomainCheckpointLookupByName (k->dom, name, 0);
  if (*out)
    return 1;
  if (virGetLastErrorCode () == VIR_ERR_NO_DOMAIN_CHECKPOINT)
    return 0;
  virt_error_set ("looking up checkpoint %s of domain %s", name, k->name);
  return -1;
}

/* The epoch a mark carries (malloc'd), or NULL (none written: error
 * clear) or NULL with the error set. */
static char *
kvm_checkpoint_epoch (struct kvm_priv *k, virDomainCheckpointPtr cp,
                      bool *failed)
{
  CLEANUP_FREE char *xml = virDomainCheckpointGetXMLDesc (
    cp, VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN);
  xmlDocPtr doc;
  char *desc, *epoch = NULL;

  *failed = false;
  if (xml == NULL) {
    virt_error_set ("reading checkpoint %s of domain %s",
                    virDomainCheckpointGetName (cp), k->name);
    *failed = true;
    return NULL;
  }
  doc = virt_xml_read (xml, "checkpoint.xml");
  desc = doc ? virt_xml_child_text (xmlDocGetRootElement (doc),
                                    "description") : NULL;
  if (desc && strncmp (desc, KVM_EPOCH_TAG, strlen (KVM_EPOCH_TAG)) == 0
      && kvm_strdup (&epoch, desc + strlen (KVM_EPOCH_TAG)) == -1)
    *failed = true;
  xmlFree (desc);
  xmlFreeDoc (doc);
  return epoch;
}

/* Delete one of our checkpoints, telling the journal.  Its bitmaps go with
 * it; only when libvirt says they are already gone (inconsistent) is the
 * metadata alone deleted. */
static int
kvm_checkpoint_delete (struct change_source *src, virDomainCheckpointPtr cp)
{
  struct kvm_priv *k = kvm_of (src);
  const char *name = virDomainCheckpointGetName (cp);
  int r;

  if (change_intent (src, "checkpoint-delete", name) == -1)
    return -1;
  r = virDomainCheckpointDelete (cp, 0);
  if (r == -1 && virGetLastErrorCode () == VIR_ERR_CHECKPOINT_INCONSISTENT) {
    log_debug ("kvm: %s: checkpoint %s: %s; deleting its metadata only",
               k->name, name, virGetLastErrorMessage ());
    r = virDomainCheckpointDelete (cp,
                                   VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY);
  }
  if (r == -1)
    virt_error_set ("deleting checkpoint %s of domain %s", name, k->name);
  change_done (src, "checkpoint-delete", name, r == 0);
  return r;
}

/* ---- leftover bitmaps ----
 *
 * A bitmap of ours in the domain's images that libvirt no longer knows
 * as a checkpoint (the domain was redefined, or its checkpoint metadata
 * dropped): QEMU refuses a new checkpoint of that name ("Bitmap already
 * exists") and keeps the bitmap tracking writes for ever.  It is never
 * trusted (the images may have been replaced since it was made): libvirt
 * is made to know it again — a checkpoint redefined over it with
 * validation, one disk at a time, so that libvirt itself checks the
 * bitmap is there — and then deletes it as any checkpoint, bitmap and
 * all.  The redefined checkpoint carries no epoch, so that a crash
 * between the two steps cannot make it a trusted base. */

#define KVM_BITMAP_EXISTS "Bitmap already exists"
#define KVM_LEFTOVER_TAG "ferry leftover bitmap"

/* The checkpoint XML redefining name over the bitmap of disk `only`. */
static char *
kvm_leftover_xml (struct change_source *src, const char *name, size_t only)
{
  struct kvm_priv *k = kvm_of (src);
  char *xml = NULL, *n = kvm_xml_escape (name);
  int r = n ? kvm_append (&xml, "<domaincheckpoint><name>%s</name>"
                          "<description>" KVM_LEFTOVER_TAG "</description>"
                          "<creationTime>%lld</creationTime><disks>", n,
                          (long long) time (NULL)) : -1;

  for (size_t i = 0; r == 0 && i < src->vm.disks.len; i++) {
    char *t = kvm_xml_escape (k->targets[i]);
    r = t == NULL ? -1
      : i == only ? kvm_append (&xml, "<disk name='%s' checkpoint='bitmap' "
                                "bitmap='%s'/>", t, n)
      : kvm_append (&xml, "<disk name='%s' checkpoint='no'/>", t);
    xmlFree (t);
  }
  if (r == 0)
    r = kvm_append (&xml, "</disks></domaincheckpoint>");
  xmlFree (n);
  if (r == -1) {
    free (xml);
    return NULL;
  }
  return xml;
}

/* Remove the bitmaps called name (ours, unknown to libvirt) from every
 * disk that has one.  The domain's process must run (paused will do).
 * *found (may be NULL): how many there were. */
static int
kvm_leftover_remove (struct change_source *src, const char *name,
                     size_t *found)
{
  struct kvm_priv *k = kvm_of (src);
  unsigned flags = VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE
    | VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE;

  if (found)
    *found = 0;
  for (size_t i = 0; i < src->vm.disks.len; i++) {
    CLEANUP_FREE char *xml = kvm_leftover_xml (src, name, i);
    virDomainCheckpointPtr cp;
    bool absent;
    int r;

    if (xml == NULL || change_intent (src, "checkpoint-adopt", name) == -1)
      return -1;
    cp = virDomainCheckpointCreateXML (k->dom, xml, flags);
    absent = cp == NULL
      && virGetLastErrorCode () == VIR_ERR_CHECKPOINT_INCONSISTENT;
    if (cp == NULL && !absent)
      virt_error_set ("taking over the leftover bitmap %s of disk %s of "
                      "domain %s", name, k->targets[i], k->name);
    change_done (src, "checkpoint-adopt", name, cp != NULL);
    if (cp == NULL && !absent)
      return -1;
    if (cp == NULL)
      continue;
    log_warn ("kvm: %s: removing the bitmap %s that disk %s kept from an "
              "earlier definition of the domain", k->name, name,
              k->targets[i]);
    r = kvm_checkpoint_delete (src, cp);
    virDomainCheckpointFree (cp);
    if (r == -1)
      return -1;
    if (found)
      (*found)++;
  }
  return 0;
}

/* The same for a base gone from libvirt: a bitmap left behind is only
 * a cost, so failing to remove it is reported, not fatal. */
static void
kvm_leftover_remove_or_warn (struct change_source *src, const char *name)
{
  if (kvm_is_ours (src, name) && kvm_leftover_remove (src, name, NULL) == -1) {
    log_warn ("kvm: %s: the bitmap %s may be left in the images: %s",
              kvm_of (src)->name, name, error_message ());
    error_clear ();
  }
}

/* Whether checkpoint name exists and has no children. */
static int
kvm_checkpoint_is_leaf (struct kvm_priv *k, const char *name, bool *leaf)
{
  virDomainCheckpointPtr cp;
  int r = kvm_checkpoint_find (k, name, &cp), n;

  *leaf = false;
  if (r <= 0)
    return r;
  n = virDomainCheckpointListAllChildren (cp, NULL, 0);
  if (n < 0)
    virt_error_set ("listing the children of checkpoint %s of domain %s",
                    name, k->name);
  else
    *leaf = n == 0;
  virDomainCheckpointFree (cp);
  return n < 0 ? -1 : 0;
}

/* ---- jobs, the paused start, the socket directory ---- */

/* Wait until the backup job that was aborted is gone: libvirt ends it
 * once QEMU has cancelled its block jobs, after virDomainAbortJob has
 * returned, and a new job cannot begin before. */
static int
kvm_job_wait_gone (struct kvm_priv *k)
{
  for (long waited = 0; waited < KVM_JOB_END_WAIT_NS;
       waited += KVM_POLL_NS) {
    struct kvm_backup b;
    int r = kvm_backup_read (k, &b);

    if (r <= 0)
      return r;
    kvm_backup_free (&b);
    nanosleep (&(struct timespec) { 0, KVM_POLL_NS }, NULL);
  }
  error_set ("kvm: %s: the backup job is still there %ld s after it was "
             "aborted", k->name, KVM_JOB_END_WAIT_NS / 1000000000L);
  return -1;
}

static int
kvm_job_end (struct change_source *src)
{
  struct kvm_priv *k = kvm_of (src);
  int r;

  if (change_intent (src, "backup-end", k->name) == -1)
    return -1;
  r = virDomainAbortJob (k->dom);
  if (r == 0)
    r = kvm_job_wait_gone (k);
  else {
    char why[ERROR_MESSAGE_MAX];
    struct kvm_backup b;

    snprintf (why, sizeof why, "%s", virGetLastErrorMessage ());
    /* A job that ended already (the domain stopped) is what was wanted. */
    r = kvm_backup_read (k, &b);
    if (r == 1)
      kvm_backup_free (&b);
    if (r != 0) {
      error_set ("libvirt: ending the backup job of domain %s: %s", k->name,
                 why);
      r = -1;
    }
  }
  change_done (src, "backup-end", k->name, r == 0);
  return r;
}

/* Remove a socket directory of ours and what is left in it (the socket;
 * libvirt removes the scratch images it made). */
static int
kvm_dir_remove (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;

  if (d == NULL) {
    if (errno == ENOENT)
      return 0;
    error_set_errno (errno, "kvm: %s", dir);
    return -1;
  }
  while ((e = readdir (d)) != NULL) {
    CLEANUP_FREE char *p = NULL;

    if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
      continue;
    if (asprintf (&p, "%s/%s", dir, e->d_name) == -1) {
      p = NULL;
      closedir (d);
      error_set_errno (errno, "kvm: asprintf");
      return -1;
    }
    if (unlink (p) == -1 && errno != ENOENT) {
      error_set_errno (errno, "kvm: removing %s", p);
      closedir (d);
      return -1;
    }
  }
  closedir (d);
  if (rmdir (dir) == -1 && errno != ENOENT) {
    error_set_errno (errno, "kvm: removing %s", dir);
    return -1;
  }
  return 0;
}

/* A new socket directory for a view of this migration. */
static char *
kvm_dir_make (struct change_source *src)
{
  char *dir;

  if (mkdir (KVM_NBD_DIR, 01777) == -1 && errno != EEXIST) {
    error_set_errno (errno, "kvm: creating %s", KVM_NBD_DIR);
    return NULL;
  }
  /* umask took bits away: QEMU (another user) must create sockets. */
  if (chmod (KVM_NBD_DIR, 01777) == -1) {
    error_set_errno (errno, "kvm: chmod %s", KVM_NBD_DIR);
    return NULL;
  }
  if (asprintf (&dir, "%s/%sXXXXXX", KVM_NBD_DIR, src->mark_prefix) == -1) {
    error_set_errno (errno, "kvm: asprintf");
    return NULL;
  }
  if (mkdtemp (dir) == NULL || chmod (dir, 01777) == -1) {
    error_set_errno (errno, "kvm: creating a directory like %s", dir);
    rmdir (dir);
    free (dir);
    return NULL;
  }
  return dir;
}

/* ---- views ---- */

/* The backup and checkpoint XML of a new view. */
static int
kvm_view_xml (struct change_source *src, const char *base, const char *mark,
              const char *epoch, const char *dir, char **backup,
              char **checkpoint)
{
  struct kvm_priv *k = kvm_of (src);
  CLEANUP_FREE char *host = NULL;
  int r = -1;

  *backup = *checkpoint = NULL;
  if (kvm_append (backup, "<domainbackup mode='pull'>") == -1)
    goto out;
  if (base) {
    char *e = kvm_xml_escape (base);
    r = e ? kvm_append (backup, "<incremental>%s</incremental>", e) : -1;
    xmlFree (e);
    if (r == -1)
      goto out;
    r = -1;
  }
  if (dir) {
    if (kvm_append (backup, "<server transport='unix' socket='%s/nbd.sock'/>",
                    dir) == -1)
      goto out;
  }
  else {
    char *h = virConnectGetHostname (k->conn);
    if (h == NULL) {
      virt_error_set ("reading the host name of %s", k->uri);
      goto out;
    }
    host = kvm_xml_escape (h);
    free (h);
    if (host == NULL
        || kvm_append (backup, "<server transport='tcp' name='%s' port='%s'/>",
                       host, KVM_NBD_PORT) == -1)
      goto out;
  }
  if (kvm_append (backup, "<disks>") == -1)
    goto out;
  for (size_t i = 0; i < src->vm.disks.len; i++) {
    char *t = kvm_xml_escape (k->targets[i]);
    int rr = t == NULL ? -1
      : kvm_append (backup, "<disk name='%s' backup='yes' type='file' "
                    "exportname='%s%s'", t, src->mark_prefix, t);
    if (rr == 0 && base)
      rr = kvm_append (backup, " exportbitmap='%s'", KVM_EXPORT_BITMAP);
    /* libvirt 9.0 cannot choose a scratch file itself ("argument key
     * 'filename' must not have null value"): always name one. */
    if (rr == 0)
      rr = dir ? kvm_append (backup, "><scratch file='%s/scratch-%s.qcow2'/>"
                             "</disk>", dir, t)
        : kvm_append (backup, "><scratch file='" KVM_REMOTE_SCRATCH_DIR
                      "/%s%s-scratch.qcow2'/></disk>", src->mark_prefix, t);
    xmlFree (t);
    if (rr == -1)
      goto out;
  }
  if (kvm_append (backup, "</disks></domainbackup>") == -1)
    goto out;

  if (mark) {
    char *m = kvm_xml_escape (mark), *e = kvm_xml_escape (epoch);
    int rr = m && e ? kvm_append (checkpoint, "<domaincheckpoint><name>%s"
                                  "</name><description>" KVM_EPOCH_TAG "%s"
                                  "</description><disks>", m, e) : -1;
    xmlFree (m);
    xmlFree (e);
    if (rr == -1)
      goto out;
    for (size_t i = 0; i < src->vm.disks.len; i++) {
      char *t = kvm_xml_escape (k->targets[i]);
      rr = t ? kvm_append (checkpoint, "<disk name='%s' checkpoint='bitmap'/>",
                           t) : -1;
      xmlFree (t);
      if (rr == -1)
        goto out;
    }
    if (kvm_append (checkpoint, "</disks></domaincheckpoint>") == -1)
      goto out;
  }
  r = 0;
out:
  if (r == -1) {
    free (*backup);
    free (*checkpoint);
    *backup = *checkpoint = NULL;
  }
  return r;
}

/* Begin the backup job (and create the mark, in the same call). */
static int
kvm_job_begin (struct change_source *src, const char *base, const char *mark,
               const char *epoch, struct kvm_view *vp)
{
  struct kvm_priv *k = kvm_of (src);
  CLEANUP_FREE char *backup = NULL, *checkpoint = NULL;
  int r;

  if (kvm_view_xml (src, base, mark, epoch, vp->dir, &backup,
                    &checkpoint) == -1)
    return -1;
  if (mark && change_intent (src, "checkpoint-create", mark) == -1)
    return -1;
  if (change_intent (src, "backup-begin", k->name) == -1) {
    change_done (src, "checkpoint-create", mark, false);
    return -1;
  }
  log_debug ("kvm: %s: backup %s checkpoint %s", k->name, backup,
             checkpoint ? checkpoint : "(none)");
  r = virDomainBackupBegin (k->dom, backup, checkpoint, 0);
  if (r == -1)
    virt_error_set ("beginning a backup of domain %s%s%s%s%s", k->name,
                    base ? " since " : "", base ? base : "",
                    mark ? " with checkpoint " : "", mark ? mark : "");
  change_done (src, "backup-begin", k->name, r == 0);
  if (mark)
    change_done (src, "checkpoint-create", mark, r == 0);
  if (r == 0)
    vp->job = true;
  return r;
}

/* Begin the job; a mark whose name a leftover bitmap holds (QEMU:
 * "Bitmap already exists") has that bitmap removed, and is tried again. */
static int
kvm_job_begin_clean (struct change_source *src, const char *base,
                     const char *mark, const char *epoch,
                     struct kvm_view *vp)
{
  struct kvm_priv *k = kvm_of (src);
  size_t found;

  if (kvm_job_begin (src, base, mark, epoch, vp) == 0)
    return 0;
  if (mark == NULL || strstr (error_message (), KVM_BITMAP_EXISTS) == NULL)
    return -1;
  log_warn ("kvm: %s: %s", k->name, error_message ());
  if (kvm_leftover_remove (src, mark, &found) == -1)
    return -1;
  if (found == 0) {
    error_set ("kvm: %s: QEMU says a bitmap %s exists, but no disk of the "
               "domain has one libvirt can take over", k->name, mark);
    return -1;
  }
  return kvm_job_begin (src, base, mark, epoch, vp);
}

/* The NBD export of disk i. */
static struct disk *
kvm_export_open (struct change_source *src, const char *socket,
                 const char *host, const char *port, size_t i,
                 const char *context)
{
  struct kvm_priv *k = kvm_of (src);
  CLEANUP_FREE char *uri = NULL;
  int r;

  if (socket)
    r = asprintf (&uri, "nbd+unix:///%s%s?socket=%s", src->mark_prefix,
                  k->targets[i], socket);
  else
    r = asprintf (&uri, "nbd://%s:%s/%s%s", host, port, src->mark_prefix,
                  k->targets[i]);
  if (r == -1) {
    uri = NULL;
    error_set_errno (errno, "kvm: asprintf");
    return NULL;
  }
  return nbd_disk_open (uri, context);
}

static int
kvm_view_close (struct change_source *src, struct change_view *view)
{
  struct kvm_view *vp = view->priv;
  int r = 0;

  for (size_t i = 0; view->disks && i < view->nr_disks; i++)
    if (view->disks[i]) {
      disk_close (view->disks[i]);
      view->disks[i] = NULL;
    }
  if (vp == NULL)
    return 0;
  if (vp->job && kvm_job_end (src) == -1)
    r = -1;
  if (vp->started && kvm_destroy (src) == -1)
    r = -1;
  if (vp->dir && kvm_dir_remove (vp->dir) == -1)
    r = -1;
  free (vp->dir);
  free (vp->context);
  free (vp);
  view->priv = NULL;
  return r;
}

/* Whether a running backup job is the one view_open (base, mark) would
 * make: ours, from the same base (or full, base gone) and mark the newest
 * mark (no newer one made since); the final view's (no mark) when the
 * base is still the newest. */
static int
kvm_job_matches (struct change_source *src, const struct kvm_backup *b,
                 const char *base, const char *mark, bool base_exists,
                 bool *match)
{
  struct kvm_priv *k = kvm_of (src);
  const char *newest = mark ? mark : base;
  bool leaf = true;

  *match = false;
  if (b->incremental ? !base || strcmp (b->incremental, base) != 0
      : base && base_exists)
    return 0;
  if (b->nr_disks != src->vm.disks.len)
    return 0;
  for (size_t i = 0; i < b->nr_disks; i++)
    if (b->disks[i].target == NULL
        || strcmp (b->disks[i].target, k->targets[i]) != 0)
      return 0;
  if (newest && kvm_checkpoint_is_leaf (k, newest, &leaf) == -1)
    return -1;
  *match = leaf;
  return 0;
}

/* Take over the job b as view (base and mark already in it). */
static int
kvm_view_adopt (struct change_source *src, struct change_view *view,
                const struct kvm_backup *b)
{
  struct kvm_view *vp = view->priv;

  vp->job = true;
  vp->started = kvm_started_by_us (src);
  if (b->socket
      && strncmp (b->socket, KVM_NBD_DIR "/", strlen (KVM_NBD_DIR) + 1) == 0) {
    const char *slash = strrchr (b->socket, '/');
    vp->dir = strndup (b->socket, slash - b->socket);
    if (vp->dir == NULL) {
      error_set_errno (errno, "kvm: strdup");
      return -1;
    }
  }
  if (b->nr_disks && b->disks[0].exportbitmap
      && asprintf (&vp->context, "qemu:dirty-bitmap:%s",
                   b->disks[0].exportbitmap) == -1) {
    vp->context = NULL;
    error_set_errno (errno, "kvm: asprintf");
    return -1;
  }
  view->epoch_changed = view->base && b->incremental == NULL;
  view->adopted = true;
  for (size_t i = 0; i < view->nr_disks; i++) {
    view->disks[i] = kvm_export_open (src, b->socket, b->host, b->port, i,
                                      vp->context);
    if (view->disks[i] == NULL)
      return -1;
  }
  return 0;
}

/* A new epoch, for a view that begins a chain (its mark, or "final"). */
static int
kvm_epoch_new (struct change_source *src, const char *mark, char **epoch)
{
  struct kvm_priv *k = kvm_of (src);

  if (asprintf (epoch, "%s/%s", src->vm.uuid ? src->vm.uuid : k->name,
                mark ? mark : "final") == -1) {
    *epoch = NULL;
    error_set_errno (errno, "kvm: asprintf");
    return -1;
  }
  return 0;
}

/* Whether libvirt refused a base it cannot use (gone, or its bitmaps
 * missing or damaged). */
static bool
kvm_base_refused (void)
{
  int code = virGetLastErrorCode ();

  return code == VIR_ERR_CHECKPOINT_INCONSISTENT
    || code == VIR_ERR_NO_DOMAIN_CHECKPOINT;
}

static int
kvm_view_begin (struct change_source *src, struct change_view *view)
{
  struct kvm_priv *k = kvm_of (src);
  struct kvm_view *vp = view->priv;
  virDomainCheckpointPtr base_cp = NULL;
  const char *base = view->base;
  int r = -1;

  if (base && kvm_checkpoint_find (k, base, &base_cp) == -1)
    return -1;
  if (base && base_cp == NULL) {
    log_warn ("kvm: %s: checkpoint %s is gone (the domain redefined?): "
              "the changes since it cannot be known", k->name, base);
    kvm_leftover_remove_or_warn (src, base);
    base = NULL;
  }
  if (base_cp) {
    bool failed;
    view->epoch = kvm_checkpoint_epoch (k, base_cp, &failed);
    if (failed)
      goto out;
    if (view->epoch == NULL) {
      log_warn ("kvm: %s: checkpoint %s carries no epoch (not made by a "
                "view): the changes since it are not trusted", k->name,
                base);
      base = NULL;
    }
  }
  if (base == NULL && kvm_epoch_new (src, view->mark, &view->epoch) == -1)
    goto out;
  r = kvm_job_begin_clean (src, base, view->mark, view->epoch, vp);
  if (r == -1 && base && kvm_base_refused ()) {
    log_warn ("kvm: %s: %s; a full view instead", k->name, error_message ());
    error_clear ();
    base = NULL;
    free (view->epoch);
    if (kvm_epoch_new (src, view->mark, &view->epoch) == -1)
      goto out;
    r = kvm_job_begin_clean (src, NULL, view->mark, view->epoch, vp);
  }
  if (r == -1)
    goto out;
  view->epoch_changed = view->base && base == NULL;
  if (base && asprintf (&vp->context, "qemu:dirty-bitmap:%s",
                        KVM_EXPORT_BITMAP) == -1) {
    vp->context = NULL;
    error_set_errno (errno, "kvm: asprintf");
    r = -1;
    goto out;
  }
  for (size_t i = 0; i < view->nr_disks && r == 0; i++) {
    CLEANUP_FREE char *socket = NULL;
    CLEANUP_FREE char *host = NULL;

    if (vp->dir && asprintf (&socket, "%s/nbd.sock", vp->dir) == -1) {
      socket = NULL;
      error_set_errno (errno, "kvm: asprintf");
      r = -1;
      break;
    }
    if (vp->dir == NULL && (host = virConnectGetHostname (k->conn)) == NULL) {
      virt_error_set ("reading the host name of %s", k->uri);
      r = -1;
      break;
    }
    view->disks[i] = kvm_export_open (src, socket, host, KVM_NBD_PORT, i,
                                      vp->context);
    if (view->disks[i] == NULL)
      r = -1;
  }
out:
  if (base_cp)
    virDomainCheckpointFree (base_cp);
  return r;
}

static int
kvm_view_open (struct change_source *src, const char *base, const char *mark,
               struct change_view *view)
{
  struct kvm_priv *k = kvm_of (src);
  struct kvm_backup b = { 0 };
  virDomainCheckpointPtr cp = NULL;
  struct kvm_view *vp;
  bool match = false, base_exists = false;
  int active, r;

  memset (view, 0, sizeof *view);
  if (mark && !kvm_is_ours (src, mark)) {
    error_set ("kvm: %s: mark %s does not start with %s", k->name, mark,
               src->mark_prefix);
    return -1;
  }
  view->nr_disks = src->vm.disks.len;
  view->disks = calloc (view->nr_disks + 1, sizeof *view->disks);
  vp = view->priv = calloc (1, sizeof *vp);
  if (view->disks == NULL || vp == NULL
      || kvm_strdup (&view->base, base) == -1
      || kvm_strdup (&view->mark, mark) == -1) {
    if (view->disks == NULL || vp == NULL)
      error_set_errno (errno, "kvm: calloc");
    goto fail;
  }

  active = virDomainIsActive (k->dom);
  if (active == -1) {
    virt_error_set ("reading the state of domain %s", k->name);
    goto fail;
  }
  if (!active && mark) {
    error_set ("kvm: %s: the domain is not running: only the last view (no "
               "new mark) can be taken of a guest that is off", k->name);
    goto fail;
  }
  if (active && (r = kvm_backup_read (k, &b)) != 0) {
    if (r == -1)
      goto fail;
    if (!kvm_backup_is_ours (&b, src->mark_prefix)) {
      error_set ("kvm: %s: another backup job runs on the domain (not "
                 "this migration's); end it first (virsh domjobabort %s)",
                 k->name, k->name);
      goto fail;
    }
    if (base && (r = kvm_checkpoint_find (k, base, &cp)) == -1)
      goto fail;
    base_exists = cp != NULL;
    if (cp)
      virDomainCheckpointFree (cp);
    cp = NULL;
    if (kvm_job_matches (src, &b, base, mark, base_exists, &match) == -1)
      goto fail;
    if (match) {
      log_debug ("kvm: %s: adopting the running backup job", k->name);
      if ((mark || base)
          && kvm_checkpoint_find (k, mark ? mark : base, &cp) == 1) {
        bool failed;
        view->epoch = kvm_checkpoint_epoch (k, cp, &failed);
        virDomainCheckpointFree (cp);
        cp = NULL;
        if (failed)
          goto fail;
      }
      if (view->epoch == NULL
          && kvm_epoch_new (src, mark, &view->epoch) == -1)
        goto fail;
      if (kvm_view_adopt (src, view, &b) == -1)
        goto fail;
      kvm_backup_free (&b);
      return 0;
    }
    if (kvm_job_end (src) == -1)
      goto fail;
  }
  kvm_backup_free (&b);

  /* A mark left by a view that did not finish: made anew. */
  if (mark) {
    if ((r = kvm_checkpoint_find (k, mark, &cp)) == -1)
      goto fail;
    if (r == 1) {
      r = kvm_checkpoint_delete (src, cp);
      virDomainCheckpointFree (cp);
      cp = NULL;
      if (r == -1)
        goto fail;
    }
  }
  if (!active) {
    if (kvm_start_paused (src) == -1)
      goto fail;
    vp->started = true;
  }
  else
    /* A paused process of ours whose view ended before its destroy. */
    vp->started = kvm_started_by_us (src);
  if (k->local && (vp->dir = kvm_dir_make (src)) == NULL)
    goto fail;
  if (kvm_view_begin (src, view) == -1)
    goto fail;
  return 0;

fail:
  {
    struct error_saved e;
    error_save (&e);
    kvm_backup_free (&b);
    if (cp)
      virDomainCheckpointFree (cp);
    if (kvm_view_close (src, view) == -1)
      log_debug ("kvm: %s: closing the failed view: %s", k->name,
                 error_message ());
    change_view_free (view);
    error_restore (&e);
  }
  return -1;
}

static int
kvm_view_changes (struct change_source *src, struct change_view *view,
                  size_t i, range_vector *data, range_vector *zero)
{
  struct kvm_view *vp = view->priv;
  struct disk *d;
  range_vector dirty = empty_vector;
  int r;

  if (i >= view->nr_disks || view->disks[i] == NULL) {
    error_set ("kvm: %s: the view has no disk %zu", kvm_of (src)->name, i);
    return -1;
  }
  d = view->disks[i];
  if (vp->context && !view->epoch_changed)
    r = nbd_disk_context_extents (d, vp->context, 1, &dirty);
  else
    /* A full view: the whole disk, split by base:allocation below. */
    r = range_vector_append (&dirty, (struct range) { 0, d->size });
  if (r == 0)
    r = nbd_disk_split_zero (d, &dirty, data, zero);
  range_vector_reset (&dirty);
  return r;
}

/* ---- marks and recovery ---- */

static int
kvm_mark_delete (struct change_source *src, const char *mark)
{
  struct kvm_priv *k = kvm_of (src);
  virDomainCheckpointPtr cp;
  bool started;
  int r;

  if (!kvm_is_ours (src, mark)) {
    error_set ("kvm: %s: checkpoint %s is not this migration's (%s...): "
               "not deleted", k->name, mark, src->mark_prefix);
    return -1;
  }
  r = kvm_checkpoint_find (k, mark, &cp);
  if (r <= 0)
    return r;
  r = kvm_process_need (src, &started);
  if (r == 0)
    r = kvm_checkpoint_delete (src, cp);
  virDomainCheckpointFree (cp);
  return kvm_process_release (src, started, r);
}

/* Remove the socket directories of this migration's views. */
static int
kvm_dirs_remove (struct change_source *src)
{
  DIR *d = opendir (KVM_NBD_DIR);
  struct dirent *e;
  int r = 0;

  if (d == NULL)
    return 0;
  while ((e = readdir (d)) != NULL) {
    CLEANUP_FREE char *p = NULL;

    if (!kvm_is_ours (src, e->d_name))
      continue;
    if (asprintf (&p, "%s/%s", KVM_NBD_DIR, e->d_name) == -1) {
      p = NULL;
      error_set_errno (errno, "kvm: asprintf");
      r = -1;
      break;
    }
    if (kvm_dir_remove (p) == -1)
      r = -1;
  }
  closedir (d);
  return r;
}

static int
kvm_recover (struct change_source *src, const char *const *keep,
             size_t nr_keep)
{
  struct kvm_priv *k = kvm_of (src);
  virDomainCheckpointPtr *cps = NULL;
  struct kvm_backup b;
  bool started = false;
  size_t doomed = 0;
  int n, r;

  r = kvm_backup_read (k, &b);
  if (r == -1)
    return -1;
  if (r == 1) {
    bool ours = kvm_backup_is_ours (&b, src->mark_prefix);
    kvm_backup_free (&b);
    if (ours && kvm_job_end (src) == -1)
      return -1;
  }
  if (kvm_started_by_us (src) && kvm_destroy (src) == -1)
    return -1;
  if (k->local && kvm_dirs_remove (src) == -1)
    return -1;

  n = virDomainListAllCheckpoints (k->dom, &cps,
                                   VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL);
  if (n < 0) {
    virt_error_set ("listing the checkpoints of domain %s", k->name);
    return -1;
  }
  /* The ones to delete, children first. */
  for (int i = n - 1; i >= 0; i--) {
    const char *name = virDomainCheckpointGetName (cps[i]);
    bool kept = !kvm_is_ours (src, name);

    for (size_t j = 0; j < nr_keep && !kept; j++)
      kept = strcmp (keep[j], name) == 0;
    if (kept) {
      virDomainCheckpointFree (cps[i]);
      cps[i] = NULL;
    }
    else
      doomed++;
  }
  r = doomed ? kvm_process_need (src, &started) : 0;
  for (int i = n - 1; i >= 0; i--) {
    if (cps[i] && r == 0)
      r = kvm_checkpoint_delete (src, cps[i]);
    if (cps[i])
      virDomainCheckpointFree (cps[i]);
  }
  free (cps);
  return kvm_process_release (src, started, r);
}

static void
kvm_close (struct change_source *src)
{
  struct kvm_priv *k;

  if (src == NULL)
    return;
  k = src->priv;
  if (k) {
    for (size_t i = 0; k->targets && i < src->vm.disks.len; i++)
      free (k->targets[i]);
    free (k->targets);
    if (k->dom)
      virDomainFree (k->dom);
    if (k->conn)
      virConnectClose (k->conn);
    free (k->uri);
    free (k->name);
    free (k);
  }
  vm_free (&src->vm);
  free (src->mark_prefix);
  free (src);
}

static const struct change_source_ops kvm_ops = {
  .kind = "kvm",
  .view_open = kvm_view_open,
  .view_changes = kvm_view_changes,
  .view_close = kvm_view_close,
  .mark_delete = kvm_mark_delete,
  .recover = kvm_recover,
  .is_running = kvm_is_running,
  .shutdown = kvm_shutdown,
  .power_on = kvm_power_on,
  .close = kvm_close,
};

/* ---- open ---- */

/* The room for scratch images: the file system of KVM_NBD_DIR (or of
 * its parent, before the first view made it). */
static void
kvm_scratch_fact (const struct kvm_priv *k, struct kvm_facts *f)
{
  struct statvfs fs;

  f->scratch_dir = k->local ? KVM_NBD_DIR : KVM_REMOTE_SCRATCH_DIR;
  f->scratch_free = -1;
  if (k->local && (statvfs (KVM_NBD_DIR, &fs) == 0
                   || statvfs ("/var/tmp", &fs) == 0))
    f->scratch_free = (int64_t) fs.f_bavail * fs.f_frsize;
}

/* Whether uri reaches a daemon on this machine (unix socket). */
static bool
kvm_uri_is_local (virConnectPtr conn)
{
  CLEANUP_FREE char *uri = virConnectGetURI (conn);

  if (uri == NULL)
    return false;
  return strncmp (uri, "qemu:///", 8) == 0
    || strncmp (uri, "qemu+unix:", 10) == 0;
}

static bool
kvm_tag_is_valid (const char *tag)
{
  size_t n = strlen (tag);

  if (n == 0 || n > KVM_TAG_MAX)
    return false;
  for (const char *c = tag; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')
          || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
      return false;
  return true;
}

struct change_source *
kvm_source_open (const char *uri, const char *domain, const char *tag,
                 const struct change_journal *journal,
                 struct kvm_facts *facts)
{
  struct change_source *src;
  struct kvm_priv *k;

  if (facts)
    memset (facts, 0, sizeof *facts);
  if (tag == NULL || !kvm_tag_is_valid (tag)) {
    error_set ("kvm: migration tag \"%s\" must be 1 to %d letters, digits, "
               "'-' or '_'", tag ? tag : "", KVM_TAG_MAX);
    return NULL;
  }
  src = calloc (1, sizeof *src);
  k = src ? calloc (1, sizeof *k) : NULL;
  if (k == NULL) {
    error_set_errno (errno, "kvm: calloc");
    free (src);
    return NULL;
  }
  src->ops = &kvm_ops;
  src->journal = journal;
  src->priv = k;
  if (kvm_strdup (&k->uri, uri ? uri : "") == -1
      || kvm_strdup (&k->name, domain) == -1)
    goto fail;
  if (asprintf (&src->mark_prefix, "ferry-%s-", tag) == -1) {
    src->mark_prefix = NULL;
    error_set_errno (errno, "kvm: asprintf");
    goto fail;
  }
  k->conn = virt_connect (uri);
  if (k->conn == NULL)
    goto fail;
  k->local = kvm_uri_is_local (k->conn);
  k->dom = virDomainLookupByName (k->conn, domain);
  if (k->dom == NULL) {
    virt_error_set ("looking up domain %s on %s", domain,
                    k->uri[0] ? k->uri : "the default URI");
    goto fail;
  }
  if (kvm_domain_read (k, src->mark_prefix, &src->vm, facts) == -1)
    goto fail;
  if (facts)
    kvm_scratch_fact (k, facts);
  return src;
fail:
  if (facts)
    kvm_facts_free (facts);
  kvm_close (src);
  return NULL;
}
