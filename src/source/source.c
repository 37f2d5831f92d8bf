/* source.c: dispatch a source spec to its connector, and open the disks
 * of the VM it read; see source.h. */
#include <string.h>

#include "source/ova.h"
#include "source/source.h"
#include "source/vmx.h"
#include "util/error.h"

static const struct source_kind {
  const char *prefix;
  int (*read) (const char *arg, struct vm *vm);
} source_kinds[] = {
  { "vmx:", vmx_read },
  { "ova:", ova_read },
  { "ovf:", ovf_read },
};

int
source_read (const char *spec, struct vm *vm)
{
  for (size_t i = 0; i < sizeof source_kinds / sizeof source_kinds[0]; i++) {
    size_t n = strlen (source_kinds[i].prefix);
    if (strncmp (spec, source_kinds[i].prefix, n) == 0)
      return source_kinds[i].read (spec + n, vm);
  }
  error_set ("source \"%s\": expected vmx:PATH.vmx, ova:PATH.ova or "
             "ovf:PATH.ovf", spec);
  return -1;
}

struct disk *
source_disk_open (const struct vm_disk *d)
{
  /* A disk inside an OVA is a window of the archive, read in place. */
  return d->file_length
    ? disk_open_window (d->path, d->file_base, d->file_length, NULL, 0)
    : disk_open (d->path, NULL, 0);
}
