/* "SRC=DST" is split at the last '=': source names (port groups) may hold
 * '=' and spaces, target names cannot hold '='.  Entries keep their
 * order. */
#include "validatetest.h"

int
main (void)
{
  struct mapping m = MAPPING_INIT;

  CHECK (mapping_add (&m, "VM Network=default") == 0);
  CHECK (mapping_add (&m, "Prod VLAN 10=prod") == 0);
  CHECK (mapping_add (&m, "a=b=c") == 0);
  CHECK (mapping_add (&m, "*=br0") == 0);

  CHECK (m.entries.len == 3);
  CHECK (strcmp (m.entries.ptr[0].source, "VM Network") == 0);
  CHECK (strcmp (m.entries.ptr[0].target, "default") == 0);
  CHECK (strcmp (m.entries.ptr[1].source, "Prod VLAN 10") == 0);
  CHECK (strcmp (m.entries.ptr[2].source, "a=b") == 0);
  CHECK (strcmp (m.entries.ptr[2].target, "c") == 0);
  CHECK (strcmp (m.default_target, "br0") == 0);

  CHECK (strcmp (mapping_lookup (&m, "a=b"), "c") == 0);
  CHECK (strcmp (mapping_lookup (&m, "a"), "br0") == 0);

  mapping_free (&m);
  CHECK (m.entries.len == 0 && m.entries.ptr == NULL
         && m.default_target == NULL);
  return 0;
}
