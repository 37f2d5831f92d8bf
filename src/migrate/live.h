/* live.h: the live migration engine, between KVM hosts through libvirt.
 *
 *   check     live_check(): for the domain and each destination
 *             considered, findings with a severity (as in validation):
 *             CPU (missing features named), memory, architecture and
 *             machine type, domain type, storage (proven shared, or
 *             copied and room for it), networks, host-passthrough CPU, passthrough
 *             devices, name clash.  A Critical finding rules a
 *             destination out.
 *   place     --to auto: among the hosts that pass, the one with the most
 *             memory available, then the least loaded; live_check says why.
 *   migrate   live_migrate(): refuses on a Critical finding, then
 *             virDomainMigrate3 (live, persistent on the destination,
 *             undefined on the source) while the job's statistics are
 *             reported; QEMU's auto-converge is on, so the guest is
 *             throttled only when a pass dirties memory faster than it is
 *             copied; with postcopy, the switch happens once the first
 *             full pass is done.  Ends with the total time and the
 *             downtime QEMU measured.
 *   evacuate  live_evacuate(): every running domain of a host, each placed
 *             (memory reserved as placements are decided), N at a time.
 *
 * On any failure the domain keeps running on the source: libvirt cancels
 * the job and resumes it there, and the engine resumes it itself if it is
 * found paused.  A SIGINT or SIGTERM (util/interrupt.h) during a
 * migration aborts the job (virDomainAbortJob): a failure like any other;
 * no migration starts after one.  Library code: errors through
 * util/error.h, progress
 * through callbacks, nothing printed.
 */
#ifndef FERRY_MIGRATE_LIVE_H
#define FERRY_MIGRATE_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "host/host.h"
#include "preflight/validate.h"

struct live_host {
  const char *name;
  const char *uri;
  uint64_t memory_limit;        /* 0 = what the host has free */
};

struct live_options {
  const struct live_host *hosts;  /* the registered hosts */
  size_t nr_hosts;
  bool copy_storage;            /* copy the disks (storage not shared) */
  const char *storage_pool;     /* copy into this pool of the destination;
                                   NULL = the same paths there */
  uint64_t bandwidth;           /* MiB/s; 0 = no limit */
  uint64_t max_downtime;        /* ms; 0 = ferry's default */
  unsigned parallel;            /* migration connections; 0 = default */
  bool postcopy;
};

#define LIVE_DEFAULT_MAX_DOWNTIME 300

/* One destination considered. */
struct live_candidate {
  const struct live_host *host;
  bool reachable;
  struct host_facts facts;      /* when reachable */
  finding_vector findings;
  bool passes;                  /* reachable and no Critical finding */
  bool storage_shared;          /* every disk proven to be the same file
                                   there (host/storage.h) */
};

struct live_check {
  const struct live_host *source;
  char *source_hostname;
  struct host_domain domain;
  struct live_candidate *candidates;
  size_t nr_candidates;
  struct live_candidate *chosen;  /* NULL when none passes */
  char *why;                      /* one line: why chosen (or why none) */
};

/* Check domain (running on one registered host, or "NAME@HOST") against
 * to (a registered host) or, when to is "auto", every other registered
 * host, and choose.  0 (even when nothing passes: check->chosen is NULL),
 * or -1 with the error set.  reserved (may be NULL): bytes already
 * promised to other domains on each host (indexed like opts->hosts). */
int live_check (const struct live_options *opts, const char *domain,
                const char *to, const uint64_t *reserved,
                struct live_check *check);
void live_check_free (struct live_check *check);

struct live_progress {
  const char *domain;
  double elapsed;               /* seconds */
  uint64_t memory_total;        /* bytes */
  uint64_t memory_remaining;
  uint64_t dirty_rate;          /* bytes/s */
  uint64_t iteration;           /* memory passes so far */
  uint64_t expected_downtime;   /* ms */
  uint64_t disk_total;          /* bytes (--copy-storage) */
  uint64_t disk_remaining;
  unsigned throttle;            /* auto-converge CPU throttle, percent */
  bool postcopy;                /* switched to postcopy */
};

struct live_callbacks {
  void (*progress) (void *opaque, const struct live_progress *p);
  void *opaque;
};

struct live_result {
  double seconds;               /* whole migration, as ferry saw it */
  uint64_t downtime;            /* ms, as QEMU measured it; 0 = unknown */
  uint64_t memory_bytes;        /* memory transferred */
  uint64_t disk_bytes;          /* disk transferred */
  uint64_t iterations;
  unsigned max_throttle;        /* auto-converge's highest throttle, % */
  bool postcopy;
};

/* Migrate the domain of a check whose chosen destination passes.  0, or
 * -1 with the error set (the domain still runs on the source). */
int live_migrate (const struct live_options *opts, struct live_check *check,
                  const struct live_callbacks *cb, struct live_result *res);

/* What a migration with opts would do, for live check: {"bandwidth-mib-s"
 * (null: no limit), "max-downtime-ms", "parallel-channels" (0: one
 * stream), "postcopy", "copy-storage", "storage-pool"}. */
json_t *live_settings_json (const struct live_options *opts);

/* The report of one migration: {"domain", "from", "to", "why", "result",
 * "seconds", "downtime-ms", ...}. */
json_t *live_result_json (const struct live_check *check,
                          const struct live_result *res, const char *error);

/* Move every running domain off host (a registered name), parallel at a
 * time.  *report: {"host", "moved": [...], "failed": [...]}.  Returns
 * the number of domains that could not be moved, or -1 with the error
 * set. */
int live_evacuate (const struct live_options *opts, const char *host,
                   unsigned parallel, const struct live_callbacks *cb,
                   json_t **report);

#endif
