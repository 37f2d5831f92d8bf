/* Through a backing chain (a qcow2 overlay made by qemu-img over the raw
 * disk), the data of every layer counts, and a range that holds data in
 * two layers counts once: 1 MiB in the base, 4 MiB written at 512 KiB in
 * the overlay, 4.5 MiB of guest data in all. */
#include "validatetest.h"

#define NEEDED (4 * MiB + 512 * 1024 + 6 * 65536)

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;

  test_init (true);
  valt_base (&vm);
  ctx = valt_context ();
  test_run ("qemu-img create -q -f qcow2 -b web01.img -F raw top.qcow2");
  test_run ("qemu-io -f qcow2 -c 'write -P 0x33 512k 4M' top.qcow2 "
            ">/dev/null");
  valt_set_path (&vm, 0, "top.qcow2");

  ctx.target_free_bytes = NEEDED;
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 1 && valt_count (&f, "snapshots-present") == 1);

  ctx.target_free_bytes = NEEDED - 1;
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 2 && strcmp (f.ptr[1].rule, "target-space") == 0);
  CHECK (strstr (f.ptr[1].message, "(5111808 bytes)"));

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
