/* migrate.h: the cold migration engine.
 *
 * One VM, source powered off:
 *
 *   inspect   source_read(): the VM model from the source
 *   validate  validate_vm(): refuse on any Critical finding
 *   prepare   target_prepare(): every target name decided, none exists;
 *             then the domain rendered (vm_xml_domain()), so that what the
 *             writer refuses stops the run before any disk is created
 *   copy      copy_disk() for every disk, into a fresh target image (a
 *             shared disk's is raw: vm_xml_disk_format())
 *   verify    hash_disk() of source chain and target: the digests must match
 *   adapt     guest adaptation (not implemented yet: recorded as skipped)
 *   define    the domain XML that prepare rendered, written
 *   report    the JSON report written next to it
 *
 * Verification comes before adaptation on purpose: adapting changes the
 * target's bytes, so the copy is proven equal to the source first.
 *
 * The source is only ever opened read-only.  On failure, every target file
 * this run created is removed, so a failed migration leaves nothing that
 * could be mistaken for a finished one.  Library code: it reports through
 * the callbacks and never prints.
 */
#ifndef FERRY_MIGRATE_MIGRATE_H
#define FERRY_MIGRATE_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "copy/copy.h"
#include "preflight/mapping.h"
#include "preflight/validate.h"
#include "target/target.h"
#include "vm/vm.h"

enum migrate_step {
  MIGRATE_INSPECT,
  MIGRATE_VALIDATE,
  MIGRATE_PREPARE,
  MIGRATE_COPY,
  MIGRATE_VERIFY,
  MIGRATE_ADAPT,
  MIGRATE_DEFINE,
  MIGRATE_REPORT,
};

struct migrate_callbacks {
  /* A step begins; detail says on what. */
  void (*step) (void *opaque, enum migrate_step step, const char *detail);
  /* The validation findings (also when none block). */
  void (*findings) (void *opaque, const struct vm *vm,
                    const finding_vector *findings);
  /* Long work: begin returns a handle passed to add and end. */
  void *(*progress_begin) (void *opaque, const char *label, uint64_t total);
  void (*progress_add) (void *handle, uint64_t bytes);
  void (*progress_end) (void *handle);
  void *opaque;
};

struct migrate_options {
  const char *source;             /* "vmx:PATH" */
  const char *target;             /* "dir:PATH" */
  const char *format;             /* "qcow2" (default) or "raw" */
  const char *name;               /* target VM name; NULL = the source's */
  const struct mapping *networks; /* NULL = none given */
  const struct mapping *storage;
  bool compat;                    /* SATA/e1000e instead of VirtIO */
  const char *domain_type;        /* "kvm" (default) or "qemu" */
  unsigned workers;               /* 0 = from the machine */
  /* Findings of rules the caller ran (a warm source's), validated with
   * the VM's own; NULL = none. */
  const finding_vector *extra_findings;
};

const char *migrate_step_name (enum migrate_step step);

/* Run a cold migration.  On success *report is the JSON report (also
 * written to the target); 0.  On failure -1 with the error set (and
 * *report, when not NULL, says how far it got). */
int migrate_cold (const struct migrate_options *opts,
                  const struct migrate_callbacks *cb, json_t **report);

/*----------------------------------------------------------------------
 * The same engine, step by step, for callers that keep state between runs
 * (the plan layer: plan/plan.c).  migrate_cold() is these calls in order.
 * A step may be run again by a later process after a crash: each takes
 * what exists into account when told to (resume), and never overwrites a
 * file it was not told is the caller's.
 */

struct migration;

/* NULL with the error set.  opts and cb must outlive the migration. */
struct migration *migrate_new (const struct migrate_options *opts,
                               const struct migrate_callbacks *cb);
/* Free everything; files on the target are left as they are. */
void migrate_free (struct migration *m);

/* inspect: read the source's VM model, parse the target spec. */
int migrate_inspect (struct migration *m);
const struct vm *migrate_vm (const struct migration *m);
/* inspect for an engine that has the VM model already (warm.h: the
 * change source read it): vm is borrowed and must outlive m; kind is the
 * report's "migration" ("warm"). */
int migrate_inspect_vm (struct migration *m, struct vm *vm, const char *kind);
/* Read disk i from disks[i] (borrowed, open views of a warm source)
 * instead of opening the source's images: copy, verify and create then
 * use them.  NULL = the source's images again. */
void migrate_use_source_disks (struct migration *m, struct disk **disks);
/* The domain name and the target's files (the paths are set after
 * migrate_prepare or migrate_prepare_resume). */
const struct target *migrate_target (const struct migration *m);
/* The bytes the target's images take on disk (the capacity for one not
 * created yet): about what verifying them reads, since digesting skips
 * what reads as zeros. */
uint64_t migrate_target_allocated (const struct migration *m);

/* validate: run the rules; -1 on a Critical finding ("nothing was
 * copied").  The findings are then in migrate_findings (). */
int migrate_validate (struct migration *m);
const finding_vector *migrate_findings (const struct migration *m);

/* prepare: decide every target file name and refuse if one exists, then
 * render the domain XML (kept for migrate_define; -1 when the writer
 * refuses, before any disk exists).  A disk whose datastore the storage
 * mapping names goes to that storage (a libvirt pool, a subdirectory of a
 * dir target). */
int migrate_prepare (struct migration *m);
/* prepare again after an interrupted run: the names an earlier
 * migrate_prepare decided (one disk path per VM disk, the XML and the
 * report), which may exist (see target_resume). */
int migrate_prepare_resume (struct migration *m, char *const *disk_paths,
                            size_t nr_disks, const char *xml_path,
                            const char *report_path);
/* Create target disk i as an empty image of the source's size.  The file
 * must not exist (it is claimed with O_EXCL first: never overwrites; when
 * it exists, error_errno () is EEXIST). */
int migrate_create_disk (struct migration *m, size_t i);

struct migrate_copy {
  /* the ranges to copy (sorted, disjoint); NULL = the whole disk */
  const struct range *ranges;
  size_t nr_ranges;
  /* false on resume: the target may hold anything in these ranges */
  bool target_is_zero;
  /* the target holds an earlier copy: write only what differs (see
   * copy_options) */
  bool compare;
  /* see copy_options: durable finished ranges, and the way to stop */
  int (*checkpoint) (void *opaque, const struct range *done, size_t n);
  double checkpoint_interval;
  uint64_t bandwidth;            /* bytes/s read; 0 = no limit */
  void *opaque;
};

/* copy: copy disk i's ranges into the existing target image (opened for
 * writing, never re-created).  stats (may be NULL) gets the mover's. */
int migrate_copy_disk (struct migration *m, size_t i,
                       const struct migrate_copy *copy,
                       struct copy_stats *stats);
/* verify: digest the whole source chain and the whole target image (read
 * back from the file system); -1 when they differ.  Adds disk i's entry
 * to the report; the hex digests (HASH_HEX_SIZE) go to *_hex if not NULL. */
int migrate_verify_disk (struct migration *m, size_t i, char *source_hex,
                         char *target_hex);
/* adapt: guest adaptation (not implemented yet: recorded as skipped). */
int migrate_adapt (struct migration *m);
/* define: write the domain XML rendered by prepare (or prepare_resume). */
int migrate_define (struct migration *m);
/* start: start the defined domain (libvirt targets; others: 0, nothing
 * to start).  withdraw: undo define and start, keeping the disks (a
 * rolled-back cutover). */
int migrate_start (struct migration *m);
int migrate_withdraw (struct migration *m);
/* report: mark the report verified and write it to the target. */
int migrate_write_report (struct migration *m);
/* The report so far (borrowed; "result"/"error" set on failure by
 * migrate_report_failure). */
json_t *migrate_report (struct migration *m);
void migrate_report_failure (struct migration *m, const char *message);
/* Remove every target file this process created (ferry migrate's clean-up
 * after a failure). */
void migrate_remove_created (struct migration *m);

#endif
