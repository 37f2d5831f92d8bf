/* allocated_bytes counts the descriptor and every extent file. */
#include <sys/stat.h>

#include "vmdktest.h"

static int64_t
blocks (const char *name)
{
  char *p = test_path (name);
  struct stat st;

  if (stat (p, &st) == -1)
    FAIL ("stat %s", p);
  free (p);
  return (int64_t) st.st_blocks * 512;
}

int
main (void)
{
  struct disk *d;
  int64_t want;

  test_init (true);
  test_run ("qemu-img create -f vmdk -o subformat=twoGbMaxExtentFlat d.vmdk 3G");
  test_run ("qemu-io -f vmdk -c 'write -P 1 0 1M' -c 'write -P 2 2100M 3M' "
          "d.vmdk");
  want = blocks ("d.vmdk") + blocks ("d-f001.vmdk") + blocks ("d-f002.vmdk");
  d = test_open ("d.vmdk");
  CHECK (disk_allocated_bytes (d) == want);
  CHECK (want >= 4 << 20);
  disk_close (d);

  test_run ("qemu-img create -f vmdk m.vmdk 3G");
  test_run ("qemu-io -f vmdk -c 'write -P 1 0 1M' m.vmdk");
  d = test_open ("m.vmdk");
  CHECK (disk_allocated_bytes (d) == blocks ("m.vmdk"));
  disk_close (d);
  return 0;
}
