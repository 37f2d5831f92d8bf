/* migrate.c: the cold migration engine; see migrate.h for the steps and
 * their invariants. */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "copy/copy.h"
#include "copy/hash.h"
#include "disk/disk.h"
#include "migrate/migrate.h"
#include "source/source.h"
#include "target/target.h"
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

/* Everything one run holds; freed in one place. */
struct migration {
  const struct migrate_options *opts;
  const struct migrate_callbacks *cb;
  struct vm vm;
  finding_vector findings;
  struct target target;
  bool target_open;
  size_t disks_created;          /* target disk files this run made */
  json_t *report;
  json_t *report_disks;
  double started;
};

static double
migrate_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
migrate_step (struct migration *m, enum migrate_step step, const char *detail)
{
  log_info ("%s: %s", migrate_step_name (step), detail);
  if (m->cb && m->cb->step)
    m->cb->step (m->cb->opaque, step, detail);
}

static void *
migrate_progress_begin (struct migration *m, const char *label,
                        uint64_t total)
{
  return m->cb && m->cb->progress_begin
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

static int
migrate_validate (struct migration *m)
{
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;
  struct statvfs fs;
  char *parent;

  ctx.networks = m->opts->networks;
  ctx.storage = m->opts->storage;
  ctx.target_format = m->target.format;
  /* the target directory may not exist yet: then ask its parent */
  parent = strdup (m->target.location);
  if (parent && (statvfs (m->target.location, &fs) == 0
                 || statvfs (dirname (parent), &fs) == 0))
    ctx.target_free_bytes = (int64_t) fs.f_bavail * fs.f_frsize;
  free (parent);
  if (validate_vm (&m->vm, &ctx, &m->findings) == -1)
    return -1;
  if (m->cb && m->cb->findings)
    m->cb->findings (m->cb->opaque, &m->vm, &m->findings);
  if (json_set_new (m->report, "validation",
                    validate_findings_json (m->vm.name, &m->findings)) == -1)
    return -1;
  if (validate_blocks (&m->findings)) {
    error_set ("%s: validation found %zu critical problem(s); nothing was "
               "copied", m->vm.name,
               validate_count (&m->findings, FINDING_CRITICAL));
    return -1;
  }
  return 0;
}

/* Copy disk i into a fresh target image, then prove it with digests. */
static int
migrate_disk (struct migration *m, size_t i)
{
  const struct vm_disk *vd = &m->vm.disks.ptr[i];
  const char *dst_path = m->target.disk_paths[i];
  struct disk_create_options create = { 0 };
  struct copy_options copy = { .target_is_zero = true };
  struct copy_stats stats = { 0 };
  struct migrate_progress prog = { .cb = m->cb };
  uint8_t src_digest[HASH_DIGEST_SIZE], dst_digest[HASH_DIGEST_SIZE];
  char src_hex[HASH_HEX_SIZE], dst_hex[HASH_HEX_SIZE], label[64];
  struct disk *src, *dst = NULL;
  double t0 = migrate_now (), t1;
  json_t *entry;
  int r = -1;

  src = disk_open (vd->path, NULL, 0);
  if (src == NULL)
    return -1;
  create.size = src->size;
  if (disk_create (m->target.format, dst_path, &create) == -1)
    goto out;
  m->disks_created = i + 1;
  dst = disk_open (dst_path, m->target.format, DISK_OPEN_WRITE);
  if (dst == NULL)
    goto out;

  snprintf (label, sizeof label, "disk %zu: copying", i);
  migrate_step (m, MIGRATE_COPY, vd->path);
  prog.handle = migrate_progress_begin (m, label, src->size);
  copy.workers = m->opts->workers;
  copy.progress = migrate_progress_cb;
  copy.opaque = &prog;
  r = copy_disk (src, dst, &copy, &stats);
  migrate_progress_end (m, prog.handle);
  if (r == -1)
    goto out;
  r = -1;
  disk_close (dst);
  dst = NULL;
  t1 = migrate_now ();

  /* Verify against a fresh read of the target from the file system. */
  migrate_step (m, MIGRATE_VERIFY, dst_path);
  dst = disk_open (dst_path, m->target.format, 0);
  if (dst == NULL)
    goto out;
  snprintf (label, sizeof label, "disk %zu: verifying", i);
  prog.handle = migrate_progress_begin (m, label, 2 * src->size);
  if (hash_disk (src, m->opts->workers, migrate_progress_cb, &prog,
                 src_digest) == -1
      || hash_disk (dst, m->opts->workers, migrate_progress_cb, &prog,
                    dst_digest) == -1) {
    migrate_progress_end (m, prog.handle);
    goto out;
  }
  migrate_progress_end (m, prog.handle);
  hash_to_hex (src_digest, src_hex);
  hash_to_hex (dst_digest, dst_hex);

  entry = json_object ();
  if (entry == NULL
      || json_set_string (entry, "source", vd->path) == -1
      || json_set_string (entry, "target", dst_path) == -1
      || json_set_u64 (entry, "virtual-size", src->size) == -1
      || json_set_u64 (entry, "bytes-read", stats.bytes_read) == -1
      || json_set_u64 (entry, "bytes-written", stats.bytes_written) == -1
      || json_set_new (entry, "copy-seconds", json_real (t1 - t0)) == -1
      || json_set_string (entry, "digest-algorithm",
                          "ferry-sha256-tree-v1") == -1
      || json_set_string (entry, "source-digest", src_hex) == -1
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
  disk_close (src);
  return r;
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

static int
migrate_define (struct migration *m)
{
  struct vm_xml_disk *disks;
  const char **cdroms;
  struct vm_xml_options xo = { 0 };
  char *xml;
  int r;

  disks = calloc (m->vm.disks.len + 1, sizeof *disks);
  cdroms = calloc (m->vm.cdroms.len + 1, sizeof *cdroms);
  if (disks == NULL || cdroms == NULL) {
    free (disks);
    free (cdroms);
    error_set_errno (errno, "migrate: calloc");
    return -1;
  }
  for (size_t i = 0; i < m->vm.disks.len; i++) {
    disks[i].path = m->target.disk_paths[i];
    disks[i].format = m->target.format;
  }
  /* The source's ISO images are not on the KVM host: empty trays. */
  xo.name = m->target.name;
  xo.compat = m->opts->compat ? VM_XML_COMPAT : VM_XML_VIRTIO;
  xo.disks = disks;
  xo.cdroms = cdroms;
  xo.map_network = migrate_map_network;
  xo.opaque = (void *) m->opts->networks;
  xo.domain_type = m->opts->domain_type;
  xml = vm_xml_domain (&m->vm, &xo);
  free (disks);
  free (cdroms);
  if (xml == NULL)
    return -1;
  r = target_write_domain (&m->target, xml);
  free (xml);
  if (r == 0)
    r = json_set_string (m->report, "domain-xml", m->target.xml_path);
  return r;
}

static int
migrate_write_report (struct migration *m)
{
  char *text;
  int r;

  if (json_set_new (m->report, "seconds",
                    json_real (migrate_now () - m->started)) == -1)
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
static void
migrate_clean_up (struct migration *m)
{
  for (size_t i = 0; i < m->disks_created; i++)
    if (unlink (m->target.disk_paths[i]) == -1 && errno != ENOENT)
      log_warn ("could not remove %s: %s", m->target.disk_paths[i],
                strerror (errno));
  if (m->target.xml_path)
    unlink (m->target.xml_path);
}

int
migrate_cold (const struct migrate_options *opts,
              const struct migrate_callbacks *cb, json_t **report)
{
  static const struct migrate_callbacks no_callbacks = { 0 };
  struct migration m = { .opts = opts, .cb = cb ? cb : &no_callbacks };
  const char *format = opts->format ? opts->format : "qcow2";
  int r = -1;

  m.started = migrate_now ();
  m.report = json_object ();
  m.report_disks = json_array ();
  if (m.report == NULL || m.report_disks == NULL) {
    error_set ("migrate: out of memory");
    goto out;
  }

  migrate_step (&m, MIGRATE_INSPECT, opts->source);
  if (source_read (opts->source, &m.vm) == -1)
    goto out;
  if (target_open (opts->target, opts->name ? opts->name : m.vm.name,
                   format, &m.target) == -1)
    goto out;
  m.target_open = true;
  if (json_set_string (m.report, "vm", m.vm.name) == -1
      || json_set_string (m.report, "source", opts->source) == -1
      || json_set_string (m.report, "target", opts->target) == -1
      || json_set_string (m.report, "name", m.target.name) == -1
      || json_set_string (m.report, "format", format) == -1
      || json_set_string (m.report, "migration", "cold") == -1)
    goto out;

  migrate_step (&m, MIGRATE_VALIDATE, m.vm.name);
  if (migrate_validate (&m) == -1)
    goto out;

  migrate_step (&m, MIGRATE_PREPARE, opts->target);
  if (target_prepare (&m.target, &m.vm) == -1)
    goto out;

  for (size_t i = 0; i < m.vm.disks.len; i++)
    if (migrate_disk (&m, i) == -1)
      goto fail;
  if (json_set_new (m.report, "disks", json_incref (m.report_disks)) == -1)
    goto fail;

  migrate_step (&m, MIGRATE_ADAPT, "guest adaptation is not implemented yet");
  if (json_set_string (m.report, "adaptation", "skipped: not implemented "
                       "yet; the guest needs VirtIO drivers or --compat")
      == -1)
    goto fail;

  migrate_step (&m, MIGRATE_DEFINE, m.target.xml_path);
  if (migrate_define (&m) == -1)
    goto fail;

  migrate_step (&m, MIGRATE_REPORT, m.target.report_path);
  if (json_set_string (m.report, "result", "verified") == -1
      || migrate_write_report (&m) == -1)
    goto fail;
  r = 0;
  goto out;

fail:
  migrate_clean_up (&m);
out:
  if (r == -1 && m.report) {
    struct error_saved e;
    error_save (&e);
    json_set_string (m.report, "result", "failed");
    json_set_string (m.report, "error", e.message);
    error_restore (&e);
  }
  if (report)
    *report = m.report;
  else
    json_decref (m.report);
  json_decref (m.report_disks);
  validate_findings_free (&m.findings);
  if (m.target_open)
    target_free (&m.target);
  vm_free (&m.vm);
  return r;
}
