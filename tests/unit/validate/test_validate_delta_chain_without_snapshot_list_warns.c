/* A disk that runs on a delta (a qcow2 overlay made by qemu-img) while no
 * snapshot is listed still gets the snapshots-present Warning, naming the
 * disk and the chain's length. */
#include "validatetest.h"

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
  test_run ("qemu-img create -q -f qcow2 -b top.qcow2 -F qcow2 top2.qcow2");
  valt_set_path (&vm, 0, "top2.qcow2");

  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "snapshots-present", FINDING_WARNING, 0, -1,
                    "disk 0 (scsi0:0) runs on a chain of 3 layers");

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
