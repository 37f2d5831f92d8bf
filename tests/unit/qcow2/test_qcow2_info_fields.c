/* test_qcow2_info_fields: the info callback reports compat, cluster size, compression type, extended L2 and refcount bits. */
#include "helpers.h"

int
main (void)
{
  const char *v3, *v2;
  struct disk *d;
  json_t *o;

  test_init ();
  v3 = tpath ("v3.qcow2");
  v2 = tpath ("v2.qcow2");
  RUN ("qemu-img create -q -f qcow2 -o cluster_size=16384,compression_type=zstd,extended_l2=on,lazy_refcounts=on '%s' 1M", v3);
  RUN ("qemu-img create -q -f qcow2 -o compat=0.10 '%s' 1M", v2);

  d = disk_open (v3, NULL, 0);
  CHECK (d != NULL && d->driver->info != NULL);
  o = json_object ();
  CHECK (d->driver->info (d, o) == 0);
  CHECK (strcmp (json_string_value (json_object_get (o, "compat")), "1.1") == 0);
  CHECK (json_integer_value (json_object_get (o, "cluster-size")) == 16384);
  CHECK (strcmp (json_string_value (json_object_get (o, "compression-type")), "zstd") == 0);
  CHECK (json_is_true (json_object_get (o, "extended-l2")));
  CHECK (json_is_true (json_object_get (o, "lazy-refcounts")));
  CHECK (json_is_false (json_object_get (o, "corrupt")));
  CHECK (json_integer_value (json_object_get (o, "refcount-bits")) == 16);
  json_decref (o);
  disk_close (d);

  d = disk_open (v2, NULL, 0);
  CHECK (d != NULL);
  o = json_object ();
  CHECK (d->driver->info (d, o) == 0);
  CHECK (strcmp (json_string_value (json_object_get (o, "compat")), "0.10") == 0);
  CHECK (strcmp (json_string_value (json_object_get (o, "compression-type")), "zlib") == 0);
  json_decref (o);
  disk_close (d);
  return 0;
}
