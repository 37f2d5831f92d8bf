/* RDM descriptors (VMFSRDM, VMFSRAW) cannot be read as images: open says
 * so clearly, even without the mapping file, while the descriptor parser
 * alone still describes them (for the VMX source). */
#include "vmdktest.h"

static const char *const texts[] = {
  "# Disk DescriptorFile\n"
  "version=1\n"
  "CID=12345678\n"
  "parentCID=ffffffff\n"
  "createType=\"vmfsRawDeviceMap\"\n"
  "RW 41943040 VMFSRDM \"db-rdm.vmdk\"\n"
  "ddb.adapterType = \"lsilogic\"\n",
  "# Disk DescriptorFile\n"
  "version=1\n"
  "CID=12345678\n"
  "parentCID=ffffffff\n"
  "createType=\"vmfsPassthroughRawDeviceMap\"\n"
  "RW 41943040 VMFSRAW \"db-rdmp.vmdk\"\n",
};

int
main (void)
{
  test_init (false);
  for (size_t i = 0; i < 2; i++) {
    struct vmdk_descriptor desc;

    test_write_text ("db.vmdk", texts[i]);
    test_expect_open_fails ("db.vmdk", NULL, 0, "raw device mapping");
    CHECK (strstr (error_message (), "cannot be read as an image") != NULL);
    CHECK (vmdk_descriptor_parse (texts[i], strlen (texts[i]), "db.vmdk",
                                  &desc) == 0);
    CHECK (desc.n_extents == 1);
    CHECK (desc.extents[0].type
           == (i == 0 ? VMDK_EXTENT_VMFSRDM : VMDK_EXTENT_VMFSRAW));
    CHECK (desc.extents[0].sectors == 41943040);
    vmdk_descriptor_free (&desc);
  }
  return 0;
}
