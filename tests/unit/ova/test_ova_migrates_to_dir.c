/* End to end with the real binary: `ferry validate ova:X.ova` passes and
 * `ferry migrate --from ova:X.ova --to dir:OUT` makes a target disk with
 * the guest bytes of the exported disk, leaving the archive unchanged. */
#include "ovatest.h"

int
main (void)
{
  const char *ferry = getenv ("FERRY");

  if (ferry == NULL)
    FAIL ("FERRY is not set (the ferry binary to test)");
  test_init (true);
  ot_make_standard_ova ();
  test_run ("sha256sum web01.ova > web01.sum");
  test_run ("'%s' validate ova:%s/web01.ova", ferry, test_dir ());
  test_run ("'%s' migrate --from ova:%s/web01.ova --to dir:%s/out", ferry,
            test_dir (), test_dir ());
  test_run ("ls out/*.qcow2 out/*.xml >/dev/null");
  test_run ("qemu-img compare -f raw web01-disk1.vmdk.raw out/*.qcow2");
  test_run ("grep -q '<name>web01</name>' out/*.xml");
  test_run ("sha256sum -c --quiet web01.sum");
  return 0;
}
