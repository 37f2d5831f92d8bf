/* a.vmdk's parent is b.vmdk and b.vmdk's parent is a.vmdk, with matching
 * CIDs both ways: opening either is refused as a loop. */
#include "vmdktest.h"

int
main (void)
{
  uint32_t a_cid, b_cid;
  char text[1024];

  test_init (true);
  test_run ("qemu-img create -f vmdk b.vmdk 16M");
  test_run ("qemu-img create -f vmdk -b b.vmdk -F vmdk a.vmdk");
  a_cid = vt_descriptor_cid ("a.vmdk", "CID=");
  b_cid = vt_descriptor_cid ("b.vmdk", "CID=");
  CHECK (vt_descriptor_cid ("a.vmdk", "parentCID=") == b_cid);
  snprintf (text, sizeof text,
            "# Disk DescriptorFile\n"
            "version=1\n"
            "CID=%08" PRIx32 "\n"
            "parentCID=%08" PRIx32 "\n"
            "createType=\"monolithicSparse\"\n"
            "parentFileNameHint=\"a.vmdk\"\n"
            "\n"
            "RW 32768 SPARSE \"b.vmdk\"\n", b_cid, a_cid);
  vt_rewrite_embedded_descriptor ("b.vmdk", text);
  test_expect_open_fails ("a.vmdk", NULL, 0, "loop");
  test_expect_open_fails ("b.vmdk", NULL, 0, "loop");
  return 0;
}
