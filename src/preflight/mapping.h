/* mapping.h: network and storage mappings of a migration plan.
 *
 * A mapping turns a source name (a VMware port group, a datastore) into a
 * target name (a libvirt network, a storage pool).  It is built from
 * "SRC=DST" specs as the user writes them on the command line:
 *
 *   --map-network "VM Network=default" --map-network "*=br0"
 *   --map-storage datastore1=default
 *
 * "*=DST" is the default, used for every source name without an entry of
 * its own.  Lookups are exact (case-sensitive: vSphere keeps the case of
 * port group names and lets two names differ only by case).
 *
 * It holds names only: it never checks that a network or pool exists on
 * the target (the target connector does) and never guesses a default.
 */
#ifndef FERRY_PREFLIGHT_MAPPING_H
#define FERRY_PREFLIGHT_MAPPING_H

#include <stdbool.h>

#include "util/vector.h"

struct mapping_entry {
  char *source;
  char *target;
};

DEFINE_VECTOR_TYPE (mapping_entry_vector, struct mapping_entry);

struct mapping {
  mapping_entry_vector entries;   /* in the order given */
  char *default_target;           /* from "*=DST", or NULL */
};

#define MAPPING_INIT { .entries = empty_vector, .default_target = NULL }

/* Add one "SRC=DST" spec.  The spec is split at its last '=': source names
 * (port groups) may contain '=', target names (libvirt networks and pools)
 * may not.  Refused, with the error set and the mapping unchanged:
 *  - no '=', an empty side;
 *  - whitespace at either end of either side ("VM Network = default" would
 *    otherwise make a source name that never matches);
 *  - control characters, '/' in the target (libvirt refuses it in names);
 *  - a source (or "*") already mapped to a different target.
 * Repeating a spec exactly is accepted.  Returns 0 or -1. */
int mapping_add (struct mapping *m, const char *spec);

/* The target for source: its own entry, else the default, else NULL.
 * source NULL (the source recorded no name) gets the default. */
const char *mapping_lookup (const struct mapping *m, const char *source);

/* Whether the mapping has no entry and no default. */
static inline bool
mapping_is_empty (const struct mapping *m)
{
  return m->entries.len == 0 && m->default_target == NULL;
}

/* Free everything and reset *m to MAPPING_INIT. */
void mapping_free (struct mapping *m);

#endif
