/* validate.h: pre-flight validation of a VM before it is migrated.
 *
 * The preflight layer (this and mapping.h) sits below the engines
 * (migrate/) and the plans: both use it, it uses neither.
 *
 * A fixed set of rules, each with a stable id, looks at the VM model, the
 * VM's disk chains and the plan's context (mappings, warm or cold, VirtIO
 * or compat devices, target free space and format, domain name) and
 * reports findings:
 *
 *   CRITICAL  the migration cannot succeed as planned: it is blocked
 *   WARNING   it can run, but something will differ or be lost
 *   INFO      worth knowing, nothing to do
 *
 * Every message is one line that names the device ("disk 2 (scsi0:1)",
 * "NIC 0 on network 'VM Network'") and says what to do.  The rules, their
 * severities and the reasons are written down in docs/validation.md; a
 * rule id, once published, keeps its meaning.
 *
 * Validation only reads: it opens disk chains read-only and never touches
 * the source VM, the target, or the model.
 */
#ifndef FERRY_PREFLIGHT_VALIDATE_H
#define FERRY_PREFLIGHT_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "preflight/mapping.h"
#include "util/vector.h"
#include "vm/vm.h"

enum finding_severity { FINDING_INFO, FINDING_WARNING, FINDING_CRITICAL };

struct finding {
  const char *rule;                /* rule id: static, see validate_rules */
  enum finding_severity severity;
  char *message;                   /* owned; one line, names the device */
  int disk;                        /* index into vm->disks, or -1 */
  int nic;                         /* index into vm->nics, or -1 */
};

DEFINE_VECTOR_TYPE (finding_vector, struct finding);

struct validate_context {
  /* NULL = no mapping given yet: NICs get an Info finding saying that the
   * plan must map their network; disks get nothing (a plan without a
   * storage mapping puts every disk in one place).  Non-NULL: a NIC or
   * disk it does not map (no entry, no default) is Critical. */
  const struct mapping *networks;
  const struct mapping *storage;
  bool warm;                 /* a warm migration is planned: CBT and
                                snapshots matter */
  bool compat;               /* emulated devices (SATA, e1000e) instead of
                                VirtIO: vm_xml's VM_XML_COMPAT */
  int64_t target_free_bytes; /* -1 = unknown: the space rule is skipped */
  const char *target_format; /* "qcow2" or "raw"; NULL = "qcow2" */
  const char *name;          /* the domain name; NULL = the VM's own */
};

/* No mappings, cold, VirtIO, free space unknown, qcow2, the VM's name. */
#define VALIDATE_CONTEXT_INIT \
  { .networks = NULL, .storage = NULL, .warm = false, .compat = false, \
    .target_free_bytes = -1, .target_format = NULL, .name = NULL }

/* The rule set, for listings and documentation checks; ends with a NULL
 * id.  `severity` is the highest the rule reports (some report less in
 * some cases: see docs/validation.md). */
struct validate_rule {
  const char *id;
  enum finding_severity severity;
  const char *summary;
};
extern const struct validate_rule validate_rules[];
const struct validate_rule *validate_rule_find (const char *id);

/* Run every rule on vm and append the findings to *out (in a stable order:
 * machine, disks, NICs, devices, space).  Opens each disk's chain
 * read-only; with ctx->target_free_bytes >= 0 also walks the chains'
 * block status to size the copy.  ctx NULL = VALIDATE_CONTEXT_INIT.
 * Returns 0, or -1 with the error set on an internal error (out of
 * memory, a target_format other than qcow2/raw); findings appended before
 * the error stay in *out. */
int validate_vm (const struct vm *vm, const struct validate_context *ctx,
                 finding_vector *out);

/* The rules of a running KVM guest as a warm source (source/kvm.h):
 * disk formats that can hold persistent bitmaps, libvirt and QEMU
 * versions, the domain's state and jobs, checkpoints already there.
 * Appended to *out after validate_vm's; disk indexes are the facts'
 * (= the VM model's).  0, or -1 with the error set (out of memory). */
struct kvm_facts;
int validate_warm_kvm (const struct kvm_facts *facts, finding_vector *out);

/* The oldest libvirt and QEMU with pull-mode backups and checkpoints
 * enabled (1000000 * major + 1000 * minor + micro). */
#define VALIDATE_WARM_LIBVIRT_MIN 7006000ul
#define VALIDATE_WARM_QEMU_MIN 6001000ul
/* Free space below which a view's scratch images cannot be risked. */
#define VALIDATE_WARM_SCRATCH_MIN (256ull << 20)

/* Append a finding (for the rule sets in validate*.c).  0, or -1 with the
 * error set. */
int validate_finding_add (finding_vector *out, const char *rule,
                          enum finding_severity severity, int disk, int nic,
                          const char *fmt, ...)
  __attribute__ ((format (printf, 6, 7)));

/* Whether any finding is Critical. */
bool validate_blocks (const finding_vector *findings);

/* Number of findings of one severity. */
size_t validate_count (const finding_vector *findings,
                       enum finding_severity severity);

/* Free the messages and the vector; *findings is left empty. */
void validate_findings_free (finding_vector *findings);

/* "critical", "warning", "info". */
const char *validate_severity_name (enum finding_severity severity);

/* {"vm": NAME, "blocked": BOOL, "critical": N, "warning": N, "info": N,
 *  "findings": [{"rule", "severity", "message", "disk": N|null,
 *                "nic": N|null}, ...]}
 * vm_name may be NULL (then "vm" is null).  NULL with the error set on
 * out of memory. */
json_t *validate_findings_json (const char *vm_name,
                                const finding_vector *findings);

/* Human form, one line per finding, Critical first, then Warning, then
 * Info (each in the order found):
 *
 *   web01: CRITICAL  rdm-physical           disk 2 (scsi0:1): ...
 *
 * or "web01: no findings".  vm_name NULL = no "NAME: " prefix. */
void validate_print (FILE *fp, const char *vm_name,
                     const finding_vector *findings);

#endif
