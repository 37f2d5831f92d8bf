/* migrate.c: the cold migration engine; see migrate.h for the steps and
 * their invariants. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "copy/copy.h"
#include "copy/hash.h"
#include "disk/disk.h"
#include "migrate/migrate.h"
#include "source/source.h"
#include "target/target.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"
#include "vm/vm_xml.h"

const char *
migrate_step_name (enum migrate_step step)
{
  static const char *const names[] = {
    "inspect", "validate", "prepare", "copy", "verify", "adapt", "define",
    "report",
  };
  return step < sizeof names / sizeof names[0] ? names[step] : "?";
}

/* Everything one migration holds; freed in one place. */
struct migration {
  const struct migrate_options *opts;
  const struct migrate_callbacks *cb;
  const char *format;
  struct vm *vm;                 /* &own_vm, or the caller's (inspect_vm) */
  struct vm own_vm;
  struct disk **source_disks;    /* the caller's open views, or NULL */
  finding_vector findings;
  struct target target;
  bool target_open;
  bool *created;                 /* per disk: this process created it */
  struct migrate_disk_run *runs; /* per disk: the copy of this process */
  json_t *report;
  json_t *report_disks;
  char *xml;                     /* the domain, rendered by prepare */
  double started;
};

/* What this process's copy of a disk did, for the report. */
struct migrate_disk_run {
  bool copied;
  struct copy_stats stats;
  uint64_t size;                 /* the source's virtual size */
  uint64_t resumed;              /* bytes not copied: finished before */
  double seconds;
};

static const struct migrate_callbacks no_callbacks = { 0 };

static void
migrate_step (struct migration *m, enum migrate_step step, const char *detail)
{
  log_info ("%s: %s", migrate_step_name (step), detail);
  if (m->cb->step)
    m->cb->step (m->cb->opaque, step, detail);
}

static void *
migrate_progress_begin (struct migration *m, const char *label,
                        uint64_t total)
{
  return m->cb->progress_begin
    ? m->cb->progress_begin (m->cb->opaque, label, total) : NULL;
}

/* A progress pair for the copy and hash callbacks, which take one opaque
 * pointer: { callbacks, handle }. */
struct migrate_progress {
  const struct migrate_callbacks *cb;
  void *handle;
};

static void
migrate_progress_cb (void *opaque, uint64_t bytes)
{
  struct migrate_progress *p = opaque;
  if (p->handle)
    p->cb->progress_add (p->handle, bytes);
}

static void
migrate_progress_end (struct migration *m, void *handle)
{
  if (handle && m->cb->progress_end)
    m->cb->progress_end (handle);
}

struct migration *
migrate_new (const struct migrate_options *opts,
             const struct migrate_callbacks *cb)
{
  struct migration *m = calloc (1, sizeof *m);

  if (m == NULL) {
    error_set_errno (errno, "migrate: calloc");
    return NULL;
  }
  m->opts = opts;
  m->cb = cb ? cb : &no_callbacks;
  m->format = opts->format ? opts->format : "qcow2";
  m->own_vm = (struct vm) VM_INIT;
  m->vm = &m->own_vm;
  m->started = clock_monotonic ();
  m->report = json_object ();
  m->report_disks = json_array ();
  if (m->report == NULL || m->report_disks == NULL) {
    error_set ("migrate: out of memory");
    migrate_free (m);
    return NULL;
  }
  return m;
}

void
migrate_free (struct migration *m)
{
  if (m == NULL)
    return;
  json_decref (m->report);
  json_decref (m->report_disks);
  validate_findings_free (&m->findings);
  if (m->target_open)
    target_free (&m->target);
  vm_free (&m->own_vm);
  free (m->created);
  free (m->runs);
  free (m->xml);
  free (m);
}

const struct vm *
migrate_vm (const struct migration *m)
{
  return m->vm;
}

const struct target *
migrate_target (const struct migration *m)
{
  return &m->target;
}

uint64_t
migrate_target_allocated (const struct migration *m)
{
  uint64_t bytes = 0;

  for (size_t i = 0; i < m->vm->disks.len; i++) {
    struct stat sb;
    const char *path = m->target.disk_paths ? m->target.disk_paths[i] : NULL;
    bytes += path && stat (path, &sb) == 0 ? (uint64_t) sb.st_blocks * 512
                                           : m->vm->disks.ptr[i].capacity;
  }
  return bytes;
}

const finding_vector *
migrate_findings (const struct migration *m)
{
  return &m->findings;
}

json_t *
migrate_report (struct migration *m)
{
  return m->report;
}

void
migrate_report_failure (struct migration *m, const char *message)
{
  json_set_string (m->report, "result", "failed");
  json_set_string (m->report, "error", message);
}

/* What inspect does once the VM model is there: per-disk bookkeeping,
 * the target spec, the report's header. */
static int
migrate_inspected (struct migration *m, const char *kind)
{
  const struct migrate_options *opts = m->opts;

  m->created = calloc (m->vm->disks.len + 1, sizeof *m->created);
  m->runs = calloc (m->vm->disks.len + 1, sizeof *m->runs);
  if (m->created == NULL || m->runs == NULL) {
    error_set_errno (errno, "migrate: calloc");
    return -1;
  }
  if (target_open (opts->target, opts->name ? opts->name : m->vm->name,
                   m->format, &m->target) == -1)
    return -1;
  m->target_open = true;
  if (json_set_string (m->report, "vm", m->vm->name) == -1
      || json_set_string (m->report, "source", opts->source) == -1
      || json_set_string (m->report, "target", opts->target) == -1
      || json_set_string (m->report, "name", m->target.name) == -1
      || json_set_string (m->report, "format", m->format) == -1
      || json_set_string (m->report, "migration", kind) == -1)
    return -1;
  return 0;
}

int
migrate_inspect (struct migration *m)
{
  migrate_step (m, MIGRATE_INSPECT, m->opts->source);
  if (source_read (m->opts->source, m->vm) == -1)
    return -1;
  return migrate_inspected (m, "cold");
}

int
migrate_inspect_vm (struct migration *m, struct vm *vm, const char *kind)
{
  migrate_step (m, MIGRATE_INSPECT, m->opts->source);
  m->vm = vm;
  return migrate_inspected (m, kind);
}

void
migrate_use_source_disks (struct migration *m, struct disk **disks)
{
  m->source_disks = disks;
}

/* Source disk i: the caller's view (borrowed: *close = false), or the
 * source's image chain opened now. */
static struct disk *
migrate_source_disk (struct migration *m, size_t i, bool *close)
{
  *close = m->source_disks == NULL;
  if (m->source_disks)
    return m->source_disks[i];
  return source_disk_open (&m->vm->disks.ptr[i]);
}

int
migrate_validate (struct migration *m)
{
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;
  struct statvfs fs;
  char *parent;

  migrate_step (m, MIGRATE_VALIDATE, m->vm->name);
  validate_findings_free (&m->findings);
  ctx.networks = m->opts->networks;
  ctx.storage = m->opts->storage;
  ctx.target_format = m->target.format;
  ctx.compat = m->opts->compat;
  ctx.name = m->target.name;
  /* the target directory may not exist yet: then ask its parent */
  parent = strdup (m->target.location);
  if (parent && (statvfs (m->target.location, &fs) == 0
                 || statvfs (dirname (parent), &fs) == 0))
    ctx.target_free_bytes = (int64_t) fs.f_bavail * fs.f_frsize;
  free (parent);
  if (validate_vm (m->vm, &ctx, &m->findings) == -1)
    return -1;
  for (size_t i = 0; m->opts->extra_findings
                     && i < m->opts->extra_findings->len; i++) {
    struct finding f = m->opts->extra_findings->ptr[i];
    f.message = strdup (f.message);
    if (f.message == NULL
        || finding_vector_append (&m->findings, f) == -1) {
      free (f.message);
      error_set ("migrate: out of memory");
      return -1;
    }
  }
  if (m->cb->findings)
    m->cb->findings (m->cb->opaque, m->vm, &m->findings);
  if (json_set_new (m->report, "validation",
                    validate_findings_json (m->vm->name, &m->findings)) == -1)
    return -1;
  if (validate_blocks (&m->findings)) {
    error_set ("%s: validation found %zu critical problem(s); nothing was "
               "copied", m->vm->name,
               validate_count (&m->findings, FINDING_CRITICAL));
    return -1;
  }
  return 0;
}

/* Each disk's storage on the target: its datastore through the storage
 * mapping (NULL: the target's own).  NULL with the error set. */
static const char **
migrate_disk_storage (struct migration *m)
{
  const char **storage = calloc (m->vm->disks.len + 1, sizeof *storage);

  if (storage == NULL) {
    error_set_errno (errno, "migrate: calloc");
    return NULL;
  }
  for (size_t i = 0; m->opts->storage && i < m->vm->disks.len; i++)
    storage[i] = mapping_lookup (m->opts->storage,
                                 m->vm->disks.ptr[i].datastore);
  return storage;
}

/* The format of target disk i: the target's, but a shared disk is raw. */
static const char *
migrate_disk_format (const struct migration *m, size_t i)
{
  return vm_xml_disk_format (&m->vm->disks.ptr[i], m->target.format);
}

static const char *
migrate_map_network (const char *source_network, void *opaque)
{
  const struct mapping *networks = opaque;

  /* Without a mapping every NIC goes to libvirt's "default" network
   * (validation said so). */
  if (networks == NULL)
    return "default";
  return mapping_lookup (networks, source_network ? source_network : "");
}

/* Render the domain into m->xml once every target name is known, so that
 * anything the writer refuses stops the migration before a disk is
 * created; define then writes this text. */
static int
migrate_render_domain (struct migration *m)
{
  struct vm_xml_disk *disks;
  const char **cdroms;
  struct vm_xml_options xo = { 0 };

  disks = calloc (m->vm->disks.len + 1, sizeof *disks);
  cdroms = calloc (m->vm->cdroms.len + 1, sizeof *cdroms);
  if (disks == NULL || cdroms == NULL) {
    free (disks);
    free (cdroms);
    error_set_errno (errno, "migrate: calloc");
    return -1;
  }
  for (size_t i = 0; i < m->vm->disks.len; i++) {
    disks[i].path = m->target.disk_paths[i];
    disks[i].format = migrate_disk_format (m, i);
  }
  /* The source's ISO images are not on the KVM host: empty trays. */
  xo.name = m->target.name;
  xo.compat = m->opts->compat ? VM_XML_COMPAT : VM_XML_VIRTIO;
  xo.disks = disks;
  xo.cdroms = cdroms;
  xo.map_network = migrate_map_network;
  xo.opaque = (void *) m->opts->networks;
  xo.domain_type = m->opts->domain_type;
  free (m->xml);
  m->xml = vm_xml_domain (m->vm, &xo);
  free (disks);
  free (cdroms);
  if (m->xml == NULL) {
    error_prefix ("%s: refused before copying anything",
                  m->vm->name);
    return -1;
  }
  return 0;
}

int
migrate_prepare (struct migration *m)
{
  const char **storage;
  int r;

  migrate_step (m, MIGRATE_PREPARE, m->opts->target);
  storage = migrate_disk_storage (m);
  if (storage == NULL)
    return -1;
  r = target_prepare (&m->target, m->vm, storage);
  free (storage);
  return r == 0 ? migrate_render_domain (m) : -1;
}

int
migrate_prepare_resume (struct migration *m, char *const *disk_paths,
                        size_t nr_disks, const char *xml_path,
                        const char *report_path)
{
  const char **storage;
  int r;

  migrate_step (m, MIGRATE_PREPARE, m->opts->target);
  if (nr_disks != m->vm->disks.len) {
    error_set ("%s: the source now has %zu disk(s), the interrupted "
               "migration had %zu: the source changed; start a new plan",
               m->vm->name, m->vm->disks.len, nr_disks);
    return -1;
  }
  storage = migrate_disk_storage (m);
  if (storage == NULL)
    return -1;
  r = target_resume (&m->target, m->vm, storage, disk_paths, xml_path,
                     report_path);
  free (storage);
  return r == 0 ? migrate_render_domain (m) : -1;
}

int
migrate_create_disk (struct migration *m, size_t i)
{
  struct disk *src;
  uint64_t size;
  bool close_src;

  if (m->vm != &m->own_vm)
    size = m->vm->disks.ptr[i].capacity;    /* a warm source's model */
  else {
    src = migrate_source_disk (m, i, &close_src);
    if (src == NULL)
      return -1;
    size = src->size;
    if (close_src)
      disk_close (src);
  }
  if (target_create_disk (&m->target, i, migrate_disk_format (m, i), size)
      == -1)
    return -1;
  m->created[i] = true;
  return 0;
}

/* copy_options has one opaque pointer for progress and checkpoint. */
struct migrate_copy_bridge {
  struct migrate_progress prog;
  const struct migrate_copy *copy;
};

static void
migrate_bridge_progress (void *opaque, uint64_t bytes)
{
  struct migrate_copy_bridge *b = opaque;
  migrate_progress_cb (&b->prog, bytes);
}

static int
migrate_bridge_checkpoint (void *opaque, const struct range *done,
                           size_t n)
{
  struct migrate_copy_bridge *b = opaque;
  return b->copy->checkpoint (b->copy->opaque, done, n);
}

int
migrate_copy_disk (struct migration *m, size_t i,
                   const struct migrate_copy *copy, struct copy_stats *stats)
{
  const struct vm_disk *vd = &m->vm->disks.ptr[i];
  const char *dst_path = m->target.disk_paths[i];
  struct copy_options co = { .target_is_zero = true, .hash = true };
  struct copy_stats cs = { 0 };
  struct migrate_copy_bridge bridge = { .prog = { .cb = m->cb },
                                        .copy = copy };
  struct disk *src, *dst = NULL;
  bool close_src;
  uint64_t todo = 0;
  double t0 = clock_monotonic ();
  char label[64];
  int r = -1;

  src = migrate_source_disk (m, i, &close_src);
  if (src == NULL)
    return -1;
  dst = disk_open (dst_path, migrate_disk_format (m, i), DISK_OPEN_WRITE);
  if (dst == NULL)
    goto out;
  if (dst->size < src->size) {
    error_set ("%s: the target image (%" PRIu64 " bytes) is smaller than "
               "the source %s (%" PRIu64 " bytes)", dst_path, dst->size,
               vd->path, src->size);
    goto out;
  }
  if (copy) {
    co.ranges = copy->ranges;
    co.nr_ranges = copy->nr_ranges;
    co.target_is_zero = copy->target_is_zero;
    co.compare = copy->compare;
    co.bandwidth = copy->bandwidth;
    if (copy->checkpoint) {
      co.checkpoint = migrate_bridge_checkpoint;
      co.checkpoint_interval = copy->checkpoint_interval;
    }
  }
  if (co.ranges)
    for (size_t k = 0; k < co.nr_ranges; k++)
      todo += co.ranges[k].length;
  else
    todo = src->size;

  snprintf (label, sizeof label, "disk %zu: copying", i);
  migrate_step (m, MIGRATE_COPY, vd->path);
  bridge.prog.handle = migrate_progress_begin (m, label, todo);
  co.workers = m->opts->workers;
  co.progress = migrate_bridge_progress;
  co.opaque = &bridge;
  r = copy_disk (src, dst, &co, &cs);
  migrate_progress_end (m, bridge.prog.handle);
  m->runs[i].copied = true;
  m->runs[i].stats = cs;
  m->runs[i].size = src->size;
  m->runs[i].resumed = src->size > todo ? src->size - todo : 0;
  m->runs[i].seconds = clock_monotonic () - t0;
  if (stats)
    *stats = cs;
out:
  disk_close (dst);
  if (close_src)
    disk_close (src);
  return r;
}

/* One digest taken in a thread of its own. */
struct migrate_hash_job {
  struct disk *disk;
  unsigned workers;
  struct migrate_progress *prog;
  uint8_t *digest;
  int r;
  struct error_saved error;
};

static void *
migrate_hash_thread (void *arg)
{
  struct migrate_hash_job *j = arg;

  j->r = hash_disk (j->disk, j->workers, migrate_progress_cb, j->prog,
                    j->digest);
  if (j->r == -1)
    error_save (&j->error);
  return NULL;
}

/* The digests of src (NULL: not wanted) and dst, taken at the same time
 * so that reading the source (over the network, from a paused guest)
 * and reading the target overlap. */
static int
migrate_hash_both (struct disk *src, struct disk *dst, unsigned workers,
                   struct migrate_progress *prog,
                   uint8_t src_digest[HASH_DIGEST_SIZE],
                   uint8_t dst_digest[HASH_DIGEST_SIZE])
{
  struct migrate_hash_job job = { .disk = src, .workers = workers,
                                  .prog = prog, .digest = src_digest };
  pthread_t thread;
  bool threaded;
  int r;

  if (src == NULL)
    return hash_disk (dst, workers, migrate_progress_cb, prog, dst_digest);
  threaded = pthread_create (&thread, NULL, migrate_hash_thread, &job) == 0;
  if (!threaded)
    migrate_hash_thread (&job);
  r = hash_disk (dst, workers, migrate_progress_cb, prog, dst_digest);
  if (threaded)
    pthread_join (thread, NULL);
  if (job.r == -1) {
    error_restore (&job.error);
    return -1;
  }
  return r;
}

int
migrate_verify_disk (struct migration *m, size_t i, char *source_hex,
                     char *target_hex)
{
  const struct vm_disk *vd = &m->vm->disks.ptr[i];
  const char *dst_path = m->target.disk_paths[i];
  const struct migrate_disk_run *run = &m->runs[i];
  bool hashed = run->stats.hashed;   /* set only by a whole-disk copy */
  struct migrate_progress prog = { .cb = m->cb };
  uint8_t src_digest[HASH_DIGEST_SIZE], dst_digest[HASH_DIGEST_SIZE];
  char src_hex[HASH_HEX_SIZE], dst_hex[HASH_HEX_SIZE], label[64];
  struct disk *src = NULL, *dst = NULL;
  bool close_src = false;
  uint64_t size;
  json_t *entry;
  int r = -1;

  /* Verify against a fresh read of the target from the file system.  The
   * source's digest comes from this process's copy when it read the whole
   * disk (cold migration, a copy run that was not resumed) and is then not
   * opened again; otherwise the source is read again. */
  migrate_step (m, MIGRATE_VERIFY, dst_path);
  if (!hashed && (src = migrate_source_disk (m, i, &close_src)) == NULL)
    return -1;
  size = hashed ? run->size : src->size;
  dst = disk_open (dst_path, migrate_disk_format (m, i), 0);
  if (dst == NULL)
    goto out;
  snprintf (label, sizeof label, "disk %zu: verifying", i);
  prog.handle = migrate_progress_begin (m, label, (hashed ? 1 : 2) * size);
  if (hashed)
    memcpy (src_digest, run->stats.digest, HASH_DIGEST_SIZE);
  if (migrate_hash_both (hashed ? NULL : src, dst, m->opts->workers, &prog,
                         src_digest, dst_digest) == -1) {
    migrate_progress_end (m, prog.handle);
    goto out;
  }
  migrate_progress_end (m, prog.handle);
  hash_to_hex (src_digest, src_hex);
  hash_to_hex (dst_digest, dst_hex);
  if (source_hex)
    memcpy (source_hex, src_hex, HASH_HEX_SIZE);
  if (target_hex)
    memcpy (target_hex, dst_hex, HASH_HEX_SIZE);

  entry = json_object ();
  if (entry == NULL
      || json_set_string (entry, "source", vd->path) == -1
      || json_set_string (entry, "target", dst_path) == -1
      || json_set_string (entry, "format", migrate_disk_format (m, i)) == -1
      || json_set_u64 (entry, "virtual-size", size) == -1
      || json_set_u64 (entry, "bytes-read", run->stats.bytes_read) == -1
      || json_set_u64 (entry, "bytes-written", run->stats.bytes_written)
         == -1
      || (run->resumed > 0
          && json_set_u64 (entry, "bytes-resumed", run->resumed) == -1)
      || json_set_new (entry, "copy-seconds", json_real (run->seconds)) == -1
      || json_set_string (entry, "digest-algorithm",
                          "ferry-sha256-tree-v1") == -1
      || json_set_string (entry, "source-digest", src_hex) == -1
      || json_set_string (entry, "source-digest-from",
                          hashed ? "copy" : "second read") == -1
      || json_set_string (entry, "target-digest", dst_hex) == -1
      || json_set_bool (entry, "verified",
                        memcmp (src_digest, dst_digest, sizeof src_digest) == 0)
         == -1
      || json_array_append_new (m->report_disks, entry) == -1) {
    json_decref (entry);
    if (error_message ()[0] == '\0')
      error_set ("migrate: out of memory");
    goto out;
  }
  if (memcmp (src_digest, dst_digest, sizeof src_digest) != 0) {
    error_set ("%s: verification failed: the target's digest %s differs "
               "from the source's %s", dst_path, dst_hex, src_hex);
    goto out;
  }
  r = 0;
out:
  disk_close (dst);
  if (close_src)
    disk_close (src);
  return r;
}

int
migrate_adapt (struct migration *m)
{
  if (json_set_new (m->report, "disks", json_incref (m->report_disks)) == -1)
    return -1;
  migrate_step (m, MIGRATE_ADAPT, "guest adaptation is not implemented yet");
  return json_set_string (m->report, "adaptation", "skipped: not "
                          "implemented yet; the guest needs VirtIO drivers "
                          "or --compat");
}

int
migrate_define (struct migration *m)
{
  int r;

  migrate_step (m, MIGRATE_DEFINE, m->target.xml_path);
  r = target_write_domain (&m->target, m->xml);
  if (r == 0)
    r = json_set_string (m->report, "domain-xml", m->target.xml_path);
  return r;
}

int
migrate_start (struct migration *m)
{
  if (strcmp (m->target.kind, "libvirt") != 0)
    return 0;
  return target_start (&m->target);
}

int
migrate_withdraw (struct migration *m)
{
  return target_withdraw_domain (&m->target);
}

int
migrate_write_report (struct migration *m)
{
  char *text;
  int r;

  migrate_step (m, MIGRATE_REPORT, m->target.report_path);
  if (json_set_string (m->report, "result", "verified") == -1
      || json_set_new (m->report, "seconds",
                       json_real (clock_monotonic () - m->started)) == -1)
    return -1;
  text = json_dumps (m->report, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
  if (text == NULL) {
    error_set ("migrate: cannot format the report");
    return -1;
  }
  r = target_write_report (&m->target, text);
  free (text);
  return r;
}

/* Remove what this run created: nothing half-done may stay behind. */
void
migrate_remove_created (struct migration *m)
{
  for (size_t i = 0; i < m->target.nr_disks && m->created; i++)
    if (m->created[i] && unlink (m->target.disk_paths[i]) == -1
        && errno != ENOENT)
      log_warn ("could not remove %s: %s", m->target.disk_paths[i],
                strerror (errno));
  if (m->target.xml_path)
    unlink (m->target.xml_path);
}

int
migrate_cold (const struct migrate_options *opts,
              const struct migrate_callbacks *cb, json_t **report)
{
  struct migration *m;
  bool prepared = false;
  int r = -1;

  if (report)
    *report = NULL;
  m = migrate_new (opts, cb);
  if (m == NULL)
    return -1;
  if (migrate_inspect (m) == -1 || migrate_validate (m) == -1
      || migrate_prepare (m) == -1)
    goto out;
  prepared = true;
  /* Disk by disk: create, copy, verify. */
  for (size_t i = 0; i < m->vm->disks.len; i++)
    if (migrate_create_disk (m, i) == -1
        || migrate_copy_disk (m, i, NULL, NULL) == -1
        || migrate_verify_disk (m, i, NULL, NULL) == -1)
      goto out;
  if (migrate_adapt (m) == -1 || migrate_define (m) == -1
      || migrate_write_report (m) == -1)
    goto out;
  r = 0;
out:
  if (r == -1) {
    struct error_saved e;
    error_save (&e);
    if (prepared)
      migrate_remove_created (m);
    migrate_report_failure (m, e.message);
    error_restore (&e);
  }
  if (report)
    *report = json_incref (m->report);
  migrate_free (m);
  return r;
}
