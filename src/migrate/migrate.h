/* migrate.h: the cold migration engine.
 *
 * One VM, source powered off:
 *
 *   inspect   source_read(): the VM model from the source
 *   validate  validate_vm(): refuse on any Critical finding
 *   prepare   target_prepare(): every target name decided, none exists
 *   copy      copy_disk() for every disk, into a fresh target image
 *   verify    hash_disk() of source chain and target: the digests must match
 *   adapt     guest adaptation (not implemented yet: recorded as skipped)
 *   define    the domain XML written (vm_xml_domain())
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

#include "plan/mapping.h"
#include "plan/validate.h"
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
};

const char *migrate_step_name (enum migrate_step step);

/* Run a cold migration.  On success *report is the JSON report (also
 * written to the target); 0.  On failure -1 with the error set (and
 * *report, when not NULL, says how far it got). */
int migrate_cold (const struct migrate_options *opts,
                  const struct migrate_callbacks *cb, json_t **report);

#endif
