/* The info callback reports the descriptor and the extents. */
#include "vmdktest.h"

int
main (void)
{
  struct disk *d;
  json_t *info, *geometry, *extents, *e;
  char cid[16];

  test_init (true);
  vt_make_chain ("-o adapter_type=lsilogic -o hwversion=6");
  d = test_open ("child.vmdk");
  info = json_object ();
  CHECK (d->driver->info (d, info) == 0);

  CHECK (strcmp (json_string_value (json_object_get (info, "create-type")),
                 "monolithicSparse") == 0);
  snprintf (cid, sizeof cid, "%08" PRIx32, vmdk_get_descriptor (d)->cid);
  CHECK (strcmp (json_string_value (json_object_get (info, "cid")), cid) == 0);
  snprintf (cid, sizeof cid, "%08" PRIx32,
            vmdk_get_descriptor (d->backing)->cid);
  CHECK (strcmp (json_string_value (json_object_get (info, "parent-cid")),
                 cid) == 0);
  CHECK (strcmp (json_string_value (json_object_get (info, "adapter-type")),
                 "lsilogic") == 0);
  CHECK (json_integer_value (json_object_get (info,
                                              "virtual-hardware-version"))
         == 6);
  geometry = json_object_get (info, "geometry");
  CHECK (json_integer_value (json_object_get (geometry, "heads"))
         == vmdk_get_descriptor (d)->heads);
  CHECK (json_integer_value (json_object_get (geometry, "sectors")) == 63);
  CHECK (json_integer_value (json_object_get (geometry, "cylinders"))
         == vmdk_get_descriptor (d)->cylinders);
  CHECK (vmdk_get_descriptor (d)->heads > 0
         && vmdk_get_descriptor (d)->cylinders > 0);
  extents = json_object_get (info, "extents");
  CHECK (json_array_size (extents) == 1);
  e = json_array_get (extents, 0);
  CHECK (strcmp (json_string_value (json_object_get (e, "filename")),
                 "child.vmdk") == 0);
  CHECK (strcmp (json_string_value (json_object_get (e, "type")), "SPARSE")
         == 0);
  CHECK (json_integer_value (json_object_get (e, "sectors")) == 32768);
  CHECK (strcmp (json_string_value (json_object_get (e, "access")), "RW") == 0);
  CHECK (json_integer_value (json_object_get (e, "grain-size")) == 65536);
  CHECK (json_is_false (json_object_get (e, "compressed")));
  json_decref (info);

  /* The base has no parent: parent-cid is null. */
  info = json_object ();
  CHECK (d->backing->driver->info (d->backing, info) == 0);
  CHECK (json_is_null (json_object_get (info, "parent-cid")));
  json_decref (info);

  /* Not a vmdk layer: no descriptor. */
  CHECK (vmdk_get_descriptor (NULL) == NULL);
  disk_close (d);
  test_run ("qemu-img create -f raw r.img 1M");
  d = test_open ("r.img");
  CHECK (vmdk_get_descriptor (d) == NULL);
  disk_close (d);
  return 0;
}
