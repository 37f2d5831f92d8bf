/* target.h: where a migrated VM goes.
 *
 * A target spec names a connector and its argument: "dir:/srv/kvm" writes
 * the disks and the domain XML into a directory that any KVM platform can
 * import.  The libvirt connector (a storage pool and a defined domain)
 * joins here.
 *
 * A target never overwrites: if the VM's files (or domain) already exist
 * the prepare step refuses, naming what is in the way.
 */
#ifndef FERRY_TARGET_TARGET_H
#define FERRY_TARGET_TARGET_H

#include <stddef.h>

#include "vm/vm.h"

struct target {
  char *kind;                /* "dir" */
  char *location;            /* the directory */
  char *format;              /* "qcow2" or "raw" */
  char *name;                /* the domain name */
  char **disk_paths;         /* one per vm->disks, after target_prepare */
  size_t nr_disks;
  char *xml_path;
  char *report_path;
};

/* Parse a spec ("dir:PATH") for a VM called name, disks in format.  0, or
 * -1 with the error set. */
int target_open (const char *spec, const char *name, const char *format,
                 struct target *t);
/* Decide every file name and refuse if any exists.  Creates the directory
 * when needed. */
int target_prepare (struct target *t, const struct vm *vm);
/* Write the domain XML (after the disks are copied and verified). */
int target_write_domain (struct target *t, const char *xml);
/* Write the report (a JSON text). */
int target_write_report (struct target *t, const char *json);
void target_free (struct target *t);

#endif
