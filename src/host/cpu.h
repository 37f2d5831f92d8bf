/* cpu.h: CPU definitions, and the two decisions ferry takes on them: can a
 * guest's CPU run on a host (is every feature the guest was given there?),
 * and which CPU do several hosts all offer (the baseline, the idea of
 * VMware's EVC: a guest given the baseline can move between all of them).
 *
 * A CPU is read from libvirt's XML: a host's <cpu> (from its capabilities),
 * a guest's <cpu> (from a domain, or a file), or just a model name from
 * libvirt's CPU map (Nehalem, Westmere, SandyBridge, EPYC ...).  It is
 * then expanded into its full feature set with libvirt's own CPU map
 * (virConnectBaselineCPU with EXPAND_FEATURES on a private test:///default
 * connection: no daemon is needed, and the answer does not depend on the
 * CPU of the machine ferry runs on).  Deciding is then set arithmetic on
 * feature names, so the missing features can be named.
 *
 * Library code: errors through util/error.h, nothing printed.
 */
#ifndef FERRY_HOST_CPU_H
#define FERRY_HOST_CPU_H

#include <stdbool.h>
#include <stddef.h>

#include "util/vector.h"

DEFINE_VECTOR_TYPE (cpu_feature_vector, char *);

enum cpu_mode {
  CPU_CUSTOM,            /* a named model plus features */
  CPU_HOST_MODEL,        /* a guest given its host's model (inactive) */
  CPU_HOST_PASSTHROUGH,  /* a guest that sees its host's CPU as it is */
};

struct cpu {
  char *label;           /* where it came from, for messages */
  enum cpu_mode mode;
  char *arch;            /* "x86_64" */
  char *vendor;          /* NULL: not said (a guest model may have none) */
  char *model;           /* libvirt's model name; NULL unless CUSTOM */
  cpu_feature_vector features;  /* CUSTOM: every feature, sorted */
};

struct cpu_verdict {
  bool compatible;
  cpu_feature_vector missing;   /* the guest's features the host lacks */
  char *reason;                 /* another reason (arch, vendor), or NULL */
};

/* Read a CPU from XML: a <cpu> element, or the <cpu> of a <domain> or of
 * the <host> of <capabilities>.  A CUSTOM CPU is expanded.  A domain with
 * no <cpu> runs QEMU's default model, qemu64.  0, or -1 with the error
 * set. */
int cpu_from_xml (const char *xml, const char *label, struct cpu *out);
/* A model of libvirt's CPU map, for x86_64.  -1 when libvirt does not know
 * it. */
int cpu_from_model (const char *model, struct cpu *out);
/* Whether model is a model name of libvirt's x86_64 CPU map. */
bool cpu_model_known (const char *model);
/* A HOST_MODEL or HOST_PASSTHROUGH guest CPU becomes what it is on host:
 * the host's model and features.  A CUSTOM CPU is left alone. */
int cpu_resolve_on (struct cpu *guest, const struct cpu *host);
/* A deep copy.  0, or -1 with the error set (*to then needs no free). */
int cpu_copy (struct cpu *to, const struct cpu *from);
void cpu_free (struct cpu *cpu);

/* May a guest with CPU guest run on host?  Both CUSTOM.  0 (with *v
 * filled; free with cpu_verdict_free), or -1 with the error set. */
int cpu_compare (const struct cpu *guest, const struct cpu *host,
                 struct cpu_verdict *v);
void cpu_verdict_free (struct cpu_verdict *v);
/* "aes, pclmuldq" (malloc'd), or NULL with the error set. */
char *cpu_features_join (const cpu_feature_vector *features);

/* The CPU that every one of cpus[0..n-1] (CUSTOM) offers, as libvirt
 * guest CPU XML (mode custom, match exact).  malloc'd, or NULL with the
 * error set. */
char *cpu_baseline (struct cpu *const *cpus, size_t n);

#endif
