/* `info` shows each delta extent's kind and grain size. */
#include <string.h>

#include <jansson.h>

#include "deltagen.h"

static void
check_info (const char *name, const char *type, uint64_t grain_bytes,
            const char *create_type)
{
  struct disk *disk = dg_open (name, DISK_OPEN_NO_BACKING);
  json_t *obj = json_object (), *ext;

  CHECK (disk != NULL && obj != NULL);
  CHECK (disk->driver->info (disk, obj) == 0);
  CHECK (strcmp (json_string_value (json_object_get (obj, "create-type")),
                 create_type) == 0);
  CHECK (json_array_size (json_object_get (obj, "extents")) == 1);
  ext = json_array_get (json_object_get (obj, "extents"), 0);
  CHECK (strcmp (json_string_value (json_object_get (ext, "type")), type)
         == 0);
  CHECK ((uint64_t) json_integer_value (json_object_get (ext, "grain-size"))
         == grain_bytes);
  CHECK (json_integer_value (json_object_get (ext, "sectors")) == 4096);
  json_decref (obj);
  disk_close (disk);
}

int
main (void)
{
  struct dg_delta *c, *s;

  test_init (false);
  c = dg_new (DG_COWD, 4096, 1);
  dg_set (c, 0, 1, DG_DATA, 1);
  dg_write_delta (c, "c.vmdk", "c-delta.vmdk", "p.vmdk", 1, 2);
  check_info ("c.vmdk", "VMFSSPARSE", 512, "vmfsSparse");

  s = dg_new (DG_SESPARSE, 4096, 8);
  dg_set (s, 0, 1, DG_DATA, 1);
  dg_write_delta (s, "s.vmdk", "s-sesparse.vmdk", "p.vmdk", 1, 2);
  check_info ("s.vmdk", "SESPARSE", 4096, "seSparse");

  dg_free (c);
  dg_free (s);
  return 0;
}
