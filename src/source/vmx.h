/* vmx.h: the VMware source reader.
 *
 * Reads a VMware VM folder — the .vmx configuration, the .vmdk descriptors
 * it names and the .vmsd snapshot list next to it — into ferry's VM model
 * (vm/vm.h).  It describes; it never decides anything about the target and
 * never writes to the source folder.
 *
 * The key/value parser is exposed on its own for the tests, the fuzzer and
 * the validation rules that need raw keys.  Its input is hostile: bounded in
 * size (VMX_FILE_MAX, VMX_LINE_MAX, VMX_KEYS_MAX), read line by line, every
 * error naming its line.
 */
#ifndef FERRY_SOURCE_VMX_H
#define FERRY_SOURCE_VMX_H

#include <stddef.h>

#include "vm/vm.h"

/* Largest .vmx / .vmsd file, line and number of keys accepted. */
#define VMX_FILE_MAX (4 * 1024 * 1024)
#define VMX_LINE_MAX (64 * 1024)
#define VMX_KEYS_MAX 100000

/* Read the .vmx at vmx_path and the files it names into *vm, which must be
 * VM_INIT.  Returns 0, or -1 with the error set ("vmx: web01.vmx: line 12:
 * ...") and *vm freed back to VM_INIT.
 *
 * A disk whose image chain cannot be opened (missing file, broken chain,
 * a format not readable yet) is not an error here: it is listed with
 * capacity 0 and the reason goes to the debug log; the validation rules
 * report it.
 *
 * Disks and CD-ROMs are listed SCSI, SATA, NVMe, then IDE, each in
 * controller and unit order; NICs as ethernetN in order of N, then SR-IOV
 * functions (pciPassthruN with a pfId); snapshots in snapshotN order. */
int vmx_read (const char *vmx_path, struct vm *vm);

/* One "key = value" line, value unquoted and unescaped. */
struct vmx_entry {
  const char *key;             /* as written */
  const char *value;
  unsigned line;
};

struct vmx_file;

/* Parse .vmx / .vmsd text (same syntax).  `what` names the file in error
 * messages ("web01.vmx").  On success *out must be freed with
 * vmx_file_free; on failure returns -1 with the error set and *out NULL. */
int vmx_file_parse (const char *text, size_t len, const char *what,
                    struct vmx_file **out);
void vmx_file_free (struct vmx_file *file);

/* Value of key (case-insensitive), or NULL when absent.  When a key is
 * written more than once the last line wins. */
const char *vmx_file_get (const struct vmx_file *file, const char *key);
/* The entry of key (case-insensitive), or NULL when absent. */
const struct vmx_entry *vmx_file_find (const struct vmx_file *file,
                                       const char *key);

/* Every distinct key, in case-insensitive key order: entries 0 .. count-1. */
size_t vmx_file_count (const struct vmx_file *file);
const struct vmx_entry *vmx_file_entry (const struct vmx_file *file,
                                        size_t i);

#endif
