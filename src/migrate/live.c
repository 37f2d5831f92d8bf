/* live.c: the live migration engine (see live.h).
 *
 * Must never: start a migration a Critical finding ruled out, leave a
 * domain paused on the source after a failed migration, skip libvirt's
 * own shared-storage check (VIR_MIGRATE_UNSAFE) without proof that both
 * hosts open the same files, or change a host other than by the
 * migration itself (the check's marker volume is removed again).
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "migrate/live.h"
#include "host/storage.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/json.h"
#include "util/progress.h"
#include "util/virt.h"

static double
live_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *
live_bytes (uint64_t n, char *buf)
{
  return progress_format_bytes (n, buf, 32);
}

static int __attribute__ ((format (printf, 4, 5)))
live_find (finding_vector *v, const char *rule,
           enum finding_severity severity, const char *fmt, ...)
{
  struct finding f = { .rule = rule, .severity = severity, .disk = -1,
                       .nic = -1 };
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&f.message, fmt, ap);
  va_end (ap);
  if (r == -1 || finding_vector_append (v, f) == -1) {
    if (r != -1)
      free (f.message);
    error_set_errno (ENOMEM, "live: %s", rule);
    return -1;
  }
  return 0;
}

/* ---- the checks ---- */

static int
live_check_cpu (struct live_check *c, const struct host_facts *src,
                struct live_candidate *cand)
{
  struct cpu guest;
  struct cpu_verdict v;
  CLEANUP_FREE char *missing = NULL;
  const char *dst = cand->host->name;
  int r = -1;

  /* The domain's CPU, resolved on its host when it is the host's. */
  if (cpu_copy (&guest, &c->domain.cpu) == -1)
    return -1;
  if (cpu_resolve_on (&guest, &src->cpu) == -1
      || cpu_compare (&guest, &cand->facts.cpu, &v) == -1)
    goto out;
  missing = cpu_features_join (&v.missing);
  if (missing == NULL)
    goto verdict;
  r = 0;
  if (c->domain.cpu.mode == CPU_HOST_PASSTHROUGH)
    r = live_find (&cand->findings, "cpu-host-passthrough",
                   v.compatible ? FINDING_WARNING : FINDING_CRITICAL,
                   "the guest sees %s's CPU as it is (host-passthrough): it "
                   "moves safely only between identical CPUs; give it the "
                   "hosts' baseline (ferry cpu apply-baseline)",
                   c->source->name);
  if (r == 0 && v.reason)
    r = live_find (&cand->findings, "cpu", FINDING_CRITICAL,
                   "%s cannot run this guest's CPU: %s", dst, v.reason);
  else if (r == 0 && !v.compatible)
    r = live_find (&cand->findings, "cpu", FINDING_CRITICAL,
                   "guest CPU doesn't match %s: missing features: %s (the "
                   "guest CPU is %s; ferry cpu baseline gives a CPU all "
                   "hosts offer)", dst, missing, guest.model);
verdict:
  cpu_verdict_free (&v);
out:
  cpu_free (&guest);
  return r;
}

/* The destination path of disk d when it is copied into pool_dir. */
static char *
live_copy_path (const char *pool_dir, const struct host_disk *d)
{
  const char *base = strrchr (d->path, '/');
  char *p;

  if (asprintf (&p, "%s/%s", pool_dir, base ? base + 1 : d->path) == -1) {
    error_set_errno (errno, "live: asprintf");
    return NULL;
  }
  return p;
}

/* Not copied: the destination must open the very files the source has
 * open.  A volume at the same path there is not enough (two local pools
 * may each hold their own web.qcow2): only when host_storage_shared proves
 * it is libvirt's own check skipped (VIR_MIGRATE_UNSAFE); when it proves
 * the files differ, the destination is ruled out. */
static int
live_check_shared (struct live_check *c, struct live_candidate *cand,
                   virConnectPtr sconn, virConnectPtr dconn)
{
  const char *dst = cand->host->name;

  cand->storage_shared = true;
  for (size_t i = 0; i < c->domain.disks.len; i++) {
    const struct host_disk *d = &c->domain.disks.ptr[i];
    CLEANUP_FREE char *why = NULL;
    int shared = host_storage_shared (sconn, c->source->name, dconn, dst,
                                      d->path, &why);

    if (shared == -1)
      return -1;
    if (shared != HOST_STORAGE_SHARED)
      cand->storage_shared = false;
    /* Without proof either way, libvirt's own check decides: it refuses
     * disks on local file systems and accepts network and cluster ones. */
    if ((shared == HOST_STORAGE_SHARED
         && live_find (&cand->findings, "storage-shared", FINDING_INFO,
                       "disk %s (%s): %s opens the same file: %s", d->target,
                       d->path, dst, why) == -1)
        || (shared == HOST_STORAGE_NOT_SHARED
            && live_find (&cand->findings, "storage-not-shared",
                          FINDING_CRITICAL, "disk %s (%s): %s holds another "
                          "file at that path: %s; migrate with "
                          "--copy-storage", d->target, d->path, dst, why)
               == -1)
        || (shared == HOST_STORAGE_UNKNOWN
            && live_find (&cand->findings, "storage-not-proven",
                          FINDING_WARNING, "disk %s (%s): %s; libvirt's own "
                          "check decides, and it refuses a disk on a local "
                          "file system (then migrate with --copy-storage)",
                          d->target, d->path, why) == -1))
      return -1;
  }
  return 0;
}

/* The bytes the disks need in directory dir (all of them when dir is
 * NULL: they all go to one pool). */
static uint64_t
live_need_in (const struct live_check *c, const char *dir)
{
  uint64_t need = 0;

  for (size_t k = 0; k < c->domain.disks.len; k++) {
    const struct host_disk *d = &c->domain.disks.ptr[k];
    const char *slash = strrchr (d->path, '/');
    size_t n = slash ? (size_t) (slash - d->path) : 0;

    if (d->shareable)
      continue;
    if (dir == NULL || (strlen (dir) == n && strncmp (d->path, dir, n) == 0))
      need += d->allocation;
  }
  return need;
}

static int
live_check_space (struct live_candidate *cand, const char *pool,
                  uint64_t need, uint64_t available)
{
  char b1[32], b2[32];

  if (available >= need)
    return 0;
  return live_find (&cand->findings, "storage-space", FINDING_CRITICAL,
                    "the disks going to pool %s on %s need %s, it has %s "
                    "available", pool, cand->host->name, live_bytes (need, b1),
                    live_bytes (available, b2));
}

/* Copied: somewhere to put each disk, and room in its pool. */
static int
live_check_copy (const struct live_options *opts, struct live_check *c,
                 struct live_candidate *cand, virConnectPtr dconn)
{
  const char *dst = cand->host->name;
  CLEANUP_FREE char *pool_dir = NULL;
  uint64_t available;
  char b1[32];
  int r;

  if (opts->storage_pool) {
    r = host_pool_by_name (dconn, opts->storage_pool, &pool_dir, &available);
    if (r == -1)
      return -1;
    if (r == 1)
      return live_find (&cand->findings, "storage-copy-no-pool",
                        FINDING_CRITICAL, "storage pool %s does not exist "
                        "or is not active on %s", opts->storage_pool, dst);
    if (live_check_space (cand, opts->storage_pool, live_need_in (c, NULL),
                          available) == -1)
      return -1;
  }
  for (size_t i = 0; i < c->domain.disks.len; i++) {
    const struct host_disk *d = &c->domain.disks.ptr[i];
    CLEANUP_FREE char *dir = strdup (d->path);
    CLEANUP_FREE char *pool = NULL;
    CLEANUP_FREE char *to = NULL;

    if (dir == NULL) {
      error_set_errno (errno, "live: strdup");
      return -1;
    }
    if (d->shareable) {
      if (live_find (&cand->findings, "storage-shareable", FINDING_CRITICAL,
                     "disk %s (%s) is shared with other guests: it cannot be "
                     "copied; put it on storage both hosts see", d->target,
                     d->path) == -1)
        return -1;
      continue;
    }
    if (pool_dir) {
      to = live_copy_path (pool_dir, d);
      if (to == NULL)
        return -1;
      if (host_has_volume (dconn, to)
          && live_find (&cand->findings, "storage-volume-exists",
                        FINDING_CRITICAL, "disk %s: %s already exists on %s; "
                        "ferry never overwrites a volume", d->target, to,
                        dst) == -1)
        return -1;
    }
    else {
      /* The same path there: libvirt creates the file in the pool of its
       * directory. */
      dirname (dir);
      r = host_pool_for_dir (dconn, dir, &pool, &available);
      if (r == -1)
        return -1;
      if (r == 1) {
        if (live_find (&cand->findings, "storage-copy-no-pool",
                       FINDING_CRITICAL, "disk %s (%s): %s has no active "
                       "storage pool for %s, so the copy has nowhere to go "
                       "(give one with --storage-pool)", d->target, d->path,
                       dst, dir) == -1)
          return -1;
        continue;
      }
      if (live_check_space (cand, pool, live_need_in (c, dir), available)
          == -1)
        return -1;
    }
    if (live_find (&cand->findings, "storage-copy", FINDING_INFO,
                   "disk %s (%s): %s will be copied to %s", d->target,
                   d->path, live_bytes (d->allocation, b1),
                   to ? to : d->path) == -1)
      return -1;
  }
  return 0;
}

static int
live_check_candidate (const struct live_options *opts, struct live_check *c,
                      virConnectPtr sconn, const struct host_facts *src,
                      struct live_candidate *cand, uint64_t reserved)
{
  const struct host_domain *d = &c->domain;
  const struct host_facts *f = &cand->facts;
  const char *dst = cand->host->name;
  virConnectPtr dconn;
  virDomainPtr clash;
  char b1[32], b2[32], v1[32], v2[32];
  int r = -1;

  dconn = virt_connect (cand->host->uri);
  if (dconn == NULL
      || host_read (dconn, dst, cand->host->uri, cand->host->memory_limit,
                    &cand->facts) == -1) {
    r = live_find (&cand->findings, "host-unreachable", FINDING_CRITICAL,
                   "%s does not answer: %s", dst, error_message ());
    if (dconn)
      virConnectClose (dconn);
    return r;
  }
  cand->reachable = true;
  cand->facts.memory_available = cand->facts.memory_available > reserved
    ? cand->facts.memory_available - reserved : 0;

  if (src->host_uuid && f->host_uuid
      && strcmp (src->host_uuid, f->host_uuid) == 0
      && live_find (&cand->findings, "same-host", FINDING_CRITICAL,
                    "%s is the host the domain runs on (host UUID %s)", dst,
                    f->host_uuid) == -1)
    goto out;
  if (!d->running
      && live_find (&cand->findings, "not-running", FINDING_CRITICAL,
                    "%s is not running: a live migration moves a running "
                    "guest (a stopped one can be migrated cold)", d->name)
         == -1)
    goto out;
  /* Under TCG QEMU emulates the guest's CPU in software: the host's CPU
   * does not limit it. */
  if (d->type && strcmp (d->type, "qemu") == 0) {
    if (live_find (&cand->findings, "cpu-emulated", FINDING_INFO,
                   "%s runs under TCG (domain type qemu): its CPU is "
                   "emulated, so %s's CPU does not limit it", d->name, dst)
        == -1)
      goto out;
  }
  else if (live_check_cpu (c, src, cand) == -1)
    goto out;
  if (f->memory_available < d->max_memory
      && live_find (&cand->findings, "memory", FINDING_CRITICAL,
                    "%s needs %s of memory; %s has %s available (%s free%s)",
                    d->name, live_bytes (d->max_memory, b1), dst,
                    live_bytes (f->memory_available, b2),
                    live_bytes (f->memory_free, v1),
                    f->memory_limit ? ", within its limit" : "") == -1)
    goto out;
  if (d->arch && strcmp (d->arch, "x86_64") != 0
      && live_find (&cand->findings, "arch", FINDING_CRITICAL,
                    "the guest is %s; ferry checks only x86_64 hosts",
                    d->arch) == -1)
    goto out;
  if (d->machine && !host_names_has (&f->machines, d->machine)
      && live_find (&cand->findings, "machine-type", FINDING_CRITICAL,
                    "machine type %s is not offered by QEMU %s on %s",
                    d->machine, host_version_text (f->qemu_version, v1), dst)
         == -1)
    goto out;
  if (d->type && strcmp (d->type, "kvm") == 0 && !f->kvm
      && live_find (&cand->findings, "no-kvm", FINDING_CRITICAL,
                    "the guest runs under KVM; %s cannot run KVM guests",
                    dst) == -1)
    goto out;
  if (f->qemu_version < src->qemu_version
      && live_find (&cand->findings, "qemu-older", FINDING_WARNING,
                    "%s runs QEMU %s, older than %s's %s: migrating to an "
                    "older QEMU may fail", dst,
                    host_version_text (f->qemu_version, v1), c->source->name,
                    host_version_text (src->qemu_version, v2)) == -1)
    goto out;
  for (size_t i = 0; i < d->networks.len; i++)
    if (!host_names_has (&f->networks, d->networks.ptr[i])
        && live_find (&cand->findings, "network-missing", FINDING_CRITICAL,
                      "network %s has no active counterpart on %s",
                      d->networks.ptr[i], dst) == -1)
      goto out;
  if (d->hostdevs
      && live_find (&cand->findings, "passthrough-device", FINDING_CRITICAL,
                    "%u passthrough device(s): a guest holding host hardware "
                    "cannot move live", d->hostdevs) == -1)
    goto out;
  clash = virDomainLookupByName (dconn, d->name);
  if (clash) {
    virDomainFree (clash);
    if (live_find (&cand->findings, "name-taken", FINDING_CRITICAL,
                   "a domain named %s already exists on %s", d->name, dst)
        == -1)
      goto out;
  }
  /* Files made outside libvirt count as volumes. */
  if (host_refresh_pools (dconn) == -1
      || (opts->copy_storage ? live_check_copy (opts, c, cand, dconn)
                             : live_check_shared (c, cand, sconn, dconn))
         == -1)
    goto out;
  r = 0;
out:
  virConnectClose (dconn);
  return r;
}

/* Most memory available wins; then the lower load (running vCPUs per
 * CPU). */
static bool
live_better (const struct live_candidate *a, const struct live_candidate *b)
{
  double la, lb;

  if (a->facts.memory_available != b->facts.memory_available)
    return a->facts.memory_available > b->facts.memory_available;
  la = (double) a->facts.running_vcpus / (a->facts.cpus ? a->facts.cpus : 1);
  lb = (double) b->facts.running_vcpus / (b->facts.cpus ? b->facts.cpus : 1);
  return la < lb;
}

static int
live_choose (struct live_check *c, bool automatic)
{
  size_t passing = 0;
  char b1[32];
  char *why = NULL;
  int n;

  for (size_t i = 0; i < c->nr_candidates; i++) {
    struct live_candidate *k = &c->candidates[i];
    k->passes = k->reachable && !validate_blocks (&k->findings);
    if (!k->passes)
      continue;
    passing++;
    if (c->chosen == NULL || live_better (k, c->chosen))
      c->chosen = k;
  }
  if (c->chosen) {
    size_t warnings = validate_count (&c->chosen->findings, FINDING_WARNING);
    char verdict[64];

    /* A warning is not a block, but it must not read as a clean pass. */
    if (warnings > 0)
      snprintf (verdict, sizeof verdict, "passes with %zu warning(s)",
                warnings);
    else
      snprintf (verdict, sizeof verdict, "passes every check");
    if (automatic)
      n = asprintf (&why, "%s: %s and has the most memory available (%s; "
                    "%zu of %zu hosts pass), %u VM(s) running on %u CPUs",
                    c->chosen->host->name, verdict,
                    live_bytes (c->chosen->facts.memory_available, b1),
                    passing, c->nr_candidates, c->chosen->facts.running,
                    c->chosen->facts.cpus);
    else
      n = asprintf (&why, "%s: %s", c->chosen->host->name, verdict);
  }
  else
    n = asprintf (&why, "no host passes: %zu considered, each has a "
                  "critical finding", c->nr_candidates);
  if (n == -1)
    why = NULL;
  if (why == NULL) {
    error_set_errno (ENOMEM, "live: asprintf");
    return -1;
  }
  c->why = why;
  return 0;
}

int
live_check (const struct live_options *opts, const char *domain,
            const char *to, const uint64_t *reserved, struct live_check *check)
{
  virConnectPtr sconn = NULL;
  struct host_facts src = { 0 };
  bool automatic = strcmp (to, "auto") == 0;
  size_t n = 0;
  int r = -1, found;

  if (check->source == NULL) {
    error_set ("live: no source host");
    return -1;
  }
  sconn = virt_connect (check->source->uri);
  if (sconn == NULL)
    goto out;
  found = host_domain_read (sconn, domain, &check->domain);
  if (found != 0) {
    if (found == 1)
      error_set ("no domain \"%s\" on host %s", domain, check->source->name);
    goto out;
  }
  if (host_read (sconn, check->source->name, check->source->uri,
                 check->source->memory_limit, &src) == -1)
    goto out;
  if (src.hostname && (check->source_hostname = strdup (src.hostname))
                      == NULL) {
    error_set_errno (errno, "live: strdup");
    goto out;
  }
  /* Files made outside libvirt count as volumes. */
  if (!opts->copy_storage && host_refresh_pools (sconn) == -1)
    goto out;
  check->candidates = calloc (opts->nr_hosts + 1, sizeof *check->candidates);
  if (check->candidates == NULL) {
    error_set_errno (errno, "live: calloc");
    goto out;
  }
  for (size_t i = 0; i < opts->nr_hosts; i++) {
    const struct live_host *h = &opts->hosts[i];
    if (automatic ? h == check->source : strcmp (h->name, to) != 0)
      continue;
    check->candidates[n].host = h;
    check->nr_candidates = ++n;
    if (live_check_candidate (opts, check, sconn, &src,
                              &check->candidates[n - 1],
                              reserved ? reserved[i] : 0) == -1)
      goto out;
  }
  if (n == 0) {
    if (automatic)
      error_set ("--to auto: no registered host other than %s (ferry host "
                 "add NAME URI)", check->source->name);
    else
      error_set ("no host \"%s\" is registered (ferry host list)", to);
    goto out;
  }
  r = live_choose (check, automatic);
out:
  host_facts_free (&src);
  if (sconn)
    virConnectClose (sconn);
  return r;
}

void
live_check_free (struct live_check *check)
{
  for (size_t i = 0; i < check->nr_candidates; i++) {
    host_facts_free (&check->candidates[i].facts);
    validate_findings_free (&check->candidates[i].findings);
  }
  free (check->candidates);
  host_domain_free (&check->domain);
  free (check->source_hostname);
  free (check->why);
  memset (check, 0, sizeof *check);
}

/* ---- the migration ---- */

struct live_job {
  virDomainPtr dom;
  virConnectPtr dconn;
  virTypedParameterPtr params;
  int nparams;
  unsigned flags;
  virDomainPtr result;
  char error[1024];
  bool done;
  pthread_mutex_t lock;
};

static void *
live_job_run (void *arg)
{
  struct live_job *j = arg;
  virDomainPtr d = virDomainMigrate3 (j->dom, j->dconn, j->params,
                                      j->nparams, j->flags);

  pthread_mutex_lock (&j->lock);
  j->result = d;
  if (d == NULL)
    snprintf (j->error, sizeof j->error, "%s", virGetLastErrorMessage ());
  j->done = true;
  pthread_mutex_unlock (&j->lock);
  return NULL;
}

static uint64_t
live_param_u64 (virTypedParameterPtr params, int n, const char *name)
{
  unsigned long long v = 0;
  virTypedParamsGetULLong (params, n, name, &v);
  return v;
}

/* One look at the running job. */
static void
live_job_stats (virDomainPtr dom, struct live_progress *p,
                struct live_result *res)
{
  virTypedParameterPtr params = NULL;
  int type, n = 0;
  uint64_t page;
  int throttle = 0;

  if (virDomainGetJobStats (dom, &type, &params, &n, 0) == -1)
    return;
  p->memory_total = live_param_u64 (params, n, VIR_DOMAIN_JOB_MEMORY_TOTAL);
  p->memory_remaining = live_param_u64 (params, n,
                                        VIR_DOMAIN_JOB_MEMORY_REMAINING);
  page = live_param_u64 (params, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE);
  p->dirty_rate = live_param_u64 (params, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE)
    * (page ? page : 4096);
  p->iteration = live_param_u64 (params, n, VIR_DOMAIN_JOB_MEMORY_ITERATION);
  p->expected_downtime = live_param_u64 (params, n, VIR_DOMAIN_JOB_DOWNTIME);
  p->disk_total = live_param_u64 (params, n, VIR_DOMAIN_JOB_DISK_TOTAL);
  p->disk_remaining = live_param_u64 (params, n,
                                      VIR_DOMAIN_JOB_DISK_REMAINING);
  virTypedParamsGetInt (params, n, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE,
                        &throttle);
  p->throttle = throttle > 0 ? (unsigned) throttle : 0;
  if (p->throttle > res->max_throttle)
    res->max_throttle = p->throttle;
  virTypedParamsFree (params, n);
}

/* The statistics QEMU kept of the finished migration, left in place for
 * anyone else who asks the destination (virsh domjobinfo --completed). */
static void
live_completed_stats (virDomainPtr dom, struct live_result *res)
{
  virTypedParameterPtr params = NULL;
  int type, n = 0;

  if (dom == NULL
      || virDomainGetJobStats (dom, &type, &params, &n,
                               VIR_DOMAIN_JOB_STATS_COMPLETED
                               | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) == -1)
    return;
  res->downtime = live_param_u64 (params, n, VIR_DOMAIN_JOB_DOWNTIME);
  res->memory_bytes = live_param_u64 (params, n,
                                      VIR_DOMAIN_JOB_MEMORY_PROCESSED);
  res->disk_bytes = live_param_u64 (params, n, VIR_DOMAIN_JOB_DISK_PROCESSED);
  res->iterations = live_param_u64 (params, n,
                                    VIR_DOMAIN_JOB_MEMORY_ITERATION);
  virTypedParamsFree (params, n);
}

/* --copy-storage --storage-pool P: each disk is pre-created (sparse, same
 * format and size) in P on the destination, and the definition the
 * destination gets names the new paths.  *created lists the volumes made,
 * so that a failed migration removes them. */
static int
live_prepare_copy (const struct live_options *opts, struct live_check *c,
                   virDomainPtr dom, virConnectPtr dconn,
                   host_name_vector *created, char **dest_xml)
{
  virStoragePoolPtr pool = NULL;
  CLEANUP_FREE char *pool_dir = NULL;
  CLEANUP_FREE char *xml = NULL;
  xmlDocPtr doc = NULL;
  xmlChar *text = NULL;
  uint64_t available;
  int len, r = -1;

  *dest_xml = NULL;
  if (host_pool_by_name (dconn, opts->storage_pool, &pool_dir, &available)
      != 0
      || (pool = virStoragePoolLookupByName (dconn, opts->storage_pool))
         == NULL) {
    error_set ("live: storage pool %s is gone from %s", opts->storage_pool,
               c->chosen->host->name);
    return -1;
  }
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_MIGRATABLE);
  doc = xml ? virt_xml_read (xml, "domain.xml") : NULL;
  if (doc == NULL) {
    virt_error_set ("reading the definition of %s", c->domain.name);
    goto out;
  }
  for (size_t i = 0; i < c->domain.disks.len; i++) {
    const struct host_disk *d = &c->domain.disks.ptr[i];
    CLEANUP_FREE char *to = live_copy_path (pool_dir, d);
    CLEANUP_FREE char *vol_xml = NULL;
    const char *name, *new_path;
    virStorageVolPtr vol;
    xmlNodePtr devs, n, src;

    if (to == NULL)
      goto out;
    name = strrchr (to, '/') + 1;
    if (asprintf (&vol_xml, "<volume><name>%s</name><capacity unit='bytes'>"
                  "%" PRIu64 "</capacity><allocation>0</allocation><target>"
                  "<format type='%s'/></target></volume>", name, d->capacity,
                  d->format ? d->format : "raw") == -1) {
      vol_xml = NULL;
      error_set_errno (errno, "live: asprintf");
      goto out;
    }
    vol = virStorageVolCreateXML (pool, vol_xml, 0);
    if (vol == NULL) {
      virt_error_set ("creating %s in pool %s on %s", name,
                      opts->storage_pool, c->chosen->host->name);
      goto out;
    }
    virStorageVolFree (vol);
    if (host_name_vector_append (created, to) == -1)
      goto out;
    new_path = to;
    to = NULL;                  /* created owns it now */
    devs = virt_xml_child (xmlDocGetRootElement (doc), "devices");
    for (n = devs ? devs->children : NULL; n; n = n->next) {
      xmlChar *file;
      if (!virt_xml_is (n, "disk")
          || (src = virt_xml_child (n, "source")) == NULL)
        continue;
      file = xmlGetProp (src, BAD_CAST "file");
      if (file && strcmp ((char *) file, d->path) == 0)
        xmlSetProp (src, BAD_CAST "file", BAD_CAST new_path);
      xmlFree (file);
    }
  }
  xmlDocDumpMemory (doc, &text, &len);
  if (text == NULL || (*dest_xml = strdup ((char *) text)) == NULL) {
    error_set ("live: cannot write the destination's definition");
    goto out;
  }
  r = 0;
out:
  xmlFree (text);
  xmlFreeDoc (doc);
  virStoragePoolFree (pool);
  return r;
}

/* Remove the volumes live_prepare_copy made (the migration failed). */
static void
live_remove_copies (virConnectPtr dconn, host_name_vector *created)
{
  for (size_t i = 0; i < created->len; i++) {
    virStorageVolPtr vol = virStorageVolLookupByPath (dconn, created->ptr[i]);
    if (vol) {
      virStorageVolDelete (vol, 0);
      virStorageVolFree (vol);
    }
  }
}

int
live_migrate (const struct live_options *opts, struct live_check *check,
              const struct live_callbacks *cb, struct live_result *res)
{
  struct live_candidate *to = check->chosen;
  struct live_job job = { .lock = PTHREAD_MUTEX_INITIALIZER };
  struct live_progress p = { .domain = check->domain.name };
  host_name_vector created = empty_vector;
  char *dest_xml = NULL;
  virConnectPtr sconn = NULL;
  pthread_t thread;
  double t0;
  int maxparams = 0, r = -1;
  bool aborted = false;

  memset (res, 0, sizeof *res);
  if (interrupt_check () == -1)
    return -1;
  if (to == NULL || !to->passes) {
    error_set ("live: %s stays on %s: %s", check->domain.name,
               check->source->name, check->why ? check->why
               : "the destination has a critical finding");
    return -1;
  }
  sconn = virt_connect (check->source->uri);
  job.dconn = sconn ? virt_connect (to->host->uri) : NULL;
  if (job.dconn == NULL)
    goto out;
  job.dom = virDomainLookupByName (sconn, check->domain.name);
  if (job.dom == NULL) {
    virt_error_set ("looking up %s on %s", check->domain.name,
                    check->source->name);
    goto out;
  }
  if (virDomainMigrateSetMaxDowntime (job.dom, opts->max_downtime
                                      ? opts->max_downtime
                                      : LIVE_DEFAULT_MAX_DOWNTIME, 0) == -1) {
    virt_error_set ("setting the maximum downtime of %s",
                    check->domain.name);
    goto out;
  }
  /* No bandwidth limit unless asked: QEMU's own default caps the copy. */
  if (virTypedParamsAddULLong (&job.params, &job.nparams, &maxparams,
                               VIR_MIGRATE_PARAM_BANDWIDTH,
                               opts->bandwidth ? opts->bandwidth
                                               : 1024 * 1024) == -1
      || (opts->parallel > 1
          && virTypedParamsAddInt (&job.params, &job.nparams, &maxparams,
                                   VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
                                   (int) opts->parallel) == -1)) {
    virt_error_set ("%s", "migration parameters");
    goto out;
  }
  if (opts->copy_storage && opts->storage_pool) {
    if (live_prepare_copy (opts, check, job.dom, job.dconn, &created,
                           &dest_xml) == -1
        || virTypedParamsAddString (&job.params, &job.nparams, &maxparams,
                                    VIR_MIGRATE_PARAM_DEST_XML, dest_xml)
           == -1
        || virTypedParamsAddString (&job.params, &job.nparams, &maxparams,
                                    VIR_MIGRATE_PARAM_PERSIST_XML, dest_xml)
           == -1)
      goto out;
  }
  /* Two hosts that report the same hostname are on one machine: the
   * migration stream goes over the loopback. */
  if (check->source_hostname && to->facts.hostname
      && strcmp (check->source_hostname, to->facts.hostname) == 0
      && virTypedParamsAddString (&job.params, &job.nparams, &maxparams,
                                  VIR_MIGRATE_PARAM_URI, "tcp://127.0.0.1")
         == -1)
    goto out;
  job.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST
    | VIR_MIGRATE_AUTO_CONVERGE | VIR_MIGRATE_ABORT_ON_ERROR;
  /* libvirt calls any disk on a local file system unsafe to leave
   * behind; ferry has proven that the destination opens the very same
   * files (host_storage_shared), so libvirt's check may be skipped. */
  if (!opts->copy_storage && to->storage_shared)
    job.flags |= VIR_MIGRATE_UNSAFE;
  if (check->domain.persistent)
    job.flags |= VIR_MIGRATE_UNDEFINE_SOURCE;
  if (opts->copy_storage)
    job.flags |= VIR_MIGRATE_NON_SHARED_DISK;
  if (opts->postcopy)
    job.flags |= VIR_MIGRATE_POSTCOPY;
  if (opts->parallel > 1)
    job.flags |= VIR_MIGRATE_PARALLEL;

  t0 = live_now ();
  if (pthread_create (&thread, NULL, live_job_run, &job) != 0) {
    error_set ("live: cannot start the migration thread");
    goto out;
  }
  for (;;) {
    bool done;
    pthread_mutex_lock (&job.lock);
    done = job.done;
    pthread_mutex_unlock (&job.lock);
    if (done)
      break;
    usleep (500 * 1000);
    /* Ctrl-C: the job is cancelled and the guest resumes on the source
     * (the failure path below), as for any other failure. */
    if (interrupt_signal () && !aborted)
      aborted = virDomainAbortJob (job.dom) == 0;
    live_job_stats (job.dom, &p, res);
    p.elapsed = live_now () - t0;
    /* Postcopy: switch once the first full pass is done.  Every later
     * pass only chases what the guest dirtied meanwhile, and post-copy
     * fetches that on demand instead. */
    if (opts->postcopy && !p.postcopy && p.iteration >= 2
        && p.memory_remaining > 0
        && virDomainMigrateStartPostCopy (job.dom, 0) == 0)
      p.postcopy = res->postcopy = true;
    if (cb && cb->progress && p.memory_total)
      cb->progress (cb->opaque, &p);
  }
  pthread_join (thread, NULL);
  res->seconds = live_now () - t0;
  if (job.result == NULL) {
    int state, reason;
    /* The guest must keep running where it was. */
    if (virDomainGetState (job.dom, &state, &reason, 0) == 0
        && state == VIR_DOMAIN_PAUSED && !res->postcopy)
      virDomainResume (job.dom);
    if (aborted && !res->postcopy)
      error_set ("live: migrating %s from %s to %s: interrupted by SIG%s; "
                 "the migration was cancelled and %s still runs on %s",
                 check->domain.name, check->source->name, to->host->name,
                 sigabbrev_np (interrupt_signal ()), check->domain.name,
                 check->source->name);
    else if (res->postcopy)
      error_set ("live: migrating %s from %s to %s failed after the switch "
                 "to post-copy: %s; its memory is split between the hosts, "
                 "so libvirt keeps it paused (virsh migrate "
                 "--postcopy-resume may recover it)", check->domain.name,
                 check->source->name, to->host->name, job.error);
    else
      error_set ("live: migrating %s from %s to %s failed: %s%s; it still "
                 "runs on %s", check->domain.name, check->source->name,
                 to->host->name, job.error,
                 strstr (job.error, "Postcopy is not supported")
                 ? " (the destination's QEMU cannot use userfaultfd: run "
                   "it as root, set vm.unprivileged_userfaultfd=1, or "
                   "migrate without --postcopy)" : "",
                 check->source->name);
    goto out;
  }
  live_completed_stats (job.result, res);
  r = 0;
out:
  if (r == -1 && job.dconn)
    live_remove_copies (job.dconn, &created);
  host_names_free (&created);
  free (dest_xml);
  if (job.result)
    virDomainFree (job.result);
  if (job.dom)
    virDomainFree (job.dom);
  virTypedParamsFree (job.params, job.nparams);
  if (job.dconn)
    virConnectClose (job.dconn);
  if (sconn)
    virConnectClose (sconn);
  return r;
}

json_t *
live_settings_json (const struct live_options *opts)
{
  json_t *o = json_object ();

  if (o == NULL
      || json_set_new (o, "bandwidth-mib-s", opts->bandwidth
                       ? json_integer ((json_int_t) opts->bandwidth)
                       : json_null ()) == -1
      || json_set_u64 (o, "max-downtime-ms", opts->max_downtime
                       ? opts->max_downtime : LIVE_DEFAULT_MAX_DOWNTIME) == -1
      || json_set_u64 (o, "parallel-channels",
                       opts->parallel > 1 ? opts->parallel : 0) == -1
      || json_set_bool (o, "postcopy", opts->postcopy) == -1
      || json_set_bool (o, "copy-storage", opts->copy_storage) == -1
      || json_set_string (o, "storage-pool", opts->storage_pool) == -1) {
    json_decref (o);
    return NULL;
  }
  return o;
}

json_t *
live_result_json (const struct live_check *check,
                  const struct live_result *res, const char *error)
{
  json_t *o = json_object ();

  if (o == NULL
      || json_set_string (o, "domain", check->domain.name) == -1
      || json_set_string (o, "from", check->source->name) == -1
      || json_set_string (o, "to", check->chosen
                                   ? check->chosen->host->name : NULL) == -1
      || json_set_string (o, "why", check->why) == -1
      || json_set_string (o, "result", error ? "failed" : "migrated") == -1
      || json_set_string (o, "error", error) == -1
      || json_set_new (o, "seconds", json_real (res->seconds)) == -1
      || json_set_u64 (o, "downtime-ms", res->downtime) == -1
      || json_set_u64 (o, "memory-bytes", res->memory_bytes) == -1
      || json_set_u64 (o, "disk-bytes", res->disk_bytes) == -1
      || json_set_u64 (o, "iterations", res->iterations) == -1
      || json_set_u64 (o, "max-throttle-percent", res->max_throttle) == -1
      || json_set_bool (o, "postcopy", res->postcopy) == -1) {
    json_decref (o);
    return NULL;
  }
  return o;
}

/* ---- evacuation ---- */

struct live_evacuation {
  const struct live_options *opts;
  const struct live_callbacks *cb;
  struct live_check *checks;
  size_t n, next;
  json_t *moved, *failed;
  pthread_mutex_t lock;
};

static void *
live_evacuate_worker (void *arg)
{
  struct live_evacuation *e = arg;

  for (;;) {
    struct live_check *c;
    struct live_result res;
    json_t *j;
    int r;

    pthread_mutex_lock (&e->lock);
    c = e->next < e->n ? &e->checks[e->next++] : NULL;
    pthread_mutex_unlock (&e->lock);
    if (c == NULL)
      return NULL;
    r = c->chosen ? live_migrate (e->opts, c, e->cb, &res) : -1;
    if (c->chosen == NULL) {
      memset (&res, 0, sizeof res);
      error_set ("%s", c->why);
    }
    j = live_result_json (c, &res, r == 0 ? NULL : error_message ());
    pthread_mutex_lock (&e->lock);
    json_array_append_new (r == 0 ? e->moved : e->failed, j);
    pthread_mutex_unlock (&e->lock);
  }
}

int
live_evacuate (const struct live_options *opts, const char *host,
               unsigned parallel, const struct live_callbacks *cb,
               json_t **report)
{
  struct live_evacuation e = { .opts = opts, .cb = cb,
                               .lock = PTHREAD_MUTEX_INITIALIZER };
  const struct live_host *source = NULL;
  struct host_facts facts = { 0 };
  uint64_t *reserved = calloc (opts->nr_hosts + 1, sizeof *reserved);
  pthread_t *threads = NULL;
  virConnectPtr conn = NULL;
  int r = -1;

  *report = NULL;
  e.moved = json_array ();
  e.failed = json_array ();
  if (reserved == NULL || e.moved == NULL || e.failed == NULL) {
    error_set_errno (ENOMEM, "live: evacuate");
    goto out;
  }
  for (size_t i = 0; i < opts->nr_hosts; i++)
    if (strcmp (opts->hosts[i].name, host) == 0)
      source = &opts->hosts[i];
  if (source == NULL) {
    error_set ("no host \"%s\" is registered (ferry host list)", host);
    goto out;
  }
  conn = virt_connect (source->uri);
  if (conn == NULL || host_read (conn, source->name, source->uri, 0, &facts)
      == -1)
    goto out;
  e.n = facts.domains.len;
  e.checks = calloc (e.n + 1, sizeof *e.checks);
  if (e.checks == NULL) {
    error_set_errno (errno, "live: calloc");
    goto out;
  }
  /* Placements are decided one after the other, each reserving the
   * memory it takes, so that two guests are not promised the same room. */
  for (size_t i = 0; i < e.n; i++) {
    struct live_check *c = &e.checks[i];
    c->source = source;
    if (live_check (opts, facts.domains.ptr[i], "auto", reserved, c) == -1)
      goto out;
    if (c->chosen)
      reserved[c->chosen->host - opts->hosts] += c->domain.max_memory;
  }
  if (parallel == 0)
    parallel = 1;
  threads = calloc (parallel, sizeof *threads);
  if (threads == NULL) {
    error_set_errno (errno, "live: calloc");
    goto out;
  }
  for (unsigned i = 0; i < parallel; i++)
    if (pthread_create (&threads[i], NULL, live_evacuate_worker, &e) != 0) {
      parallel = i;
      break;
    }
  for (unsigned i = 0; i < parallel; i++)
    pthread_join (threads[i], NULL);
  *report = json_object ();
  if (*report == NULL || json_set_string (*report, "host", host) == -1
      || json_set_new (*report, "moved", json_incref (e.moved)) == -1
      || json_set_new (*report, "failed", json_incref (e.failed)) == -1)
    goto out;
  r = (int) json_array_size (e.failed);
out:
  for (size_t i = 0; e.checks && i < e.n; i++)
    live_check_free (&e.checks[i]);
  free (e.checks);
  free (threads);
  free (reserved);
  json_decref (e.moved);
  json_decref (e.failed);
  host_facts_free (&facts);
  if (conn)
    virConnectClose (conn);
  return r;
}
