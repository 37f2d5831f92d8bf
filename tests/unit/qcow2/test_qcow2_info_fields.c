/* test_qcow2_info_fields: the info callback reports compat, cluster size, compression type, extended L2 and refcount bits. */
#include <jansson.h>

#include "qcow2test.h"

int
main (void)
{
  struct disk *d;
  json_t *o;

  test_init (true);
  test_run ("qemu-img create -q -f qcow2 -o cluster_size=16384,compression_type=zstd,extended_l2=on,lazy_refcounts=on v3.qcow2 1M");
  test_run ("qemu-img create -q -f qcow2 -o compat=0.10 v2.qcow2 1M");

  d = test_open ("v3.qcow2");
  CHECK (d->driver->info != NULL);
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

  d = test_open ("v2.qcow2");
  o = json_object ();
  CHECK (d->driver->info (d, o) == 0);
  CHECK (strcmp (json_string_value (json_object_get (o, "compat")), "0.10") == 0);
  CHECK (strcmp (json_string_value (json_object_get (o, "compression-type")), "zlib") == 0);
  json_decref (o);
  disk_close (d);
  return 0;
}
