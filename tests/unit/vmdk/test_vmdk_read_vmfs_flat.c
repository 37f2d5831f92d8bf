/* ESX descriptors written by hand: createType "vmfs" and "vmfsThin" with
 * a VMFS extent ("-flat.vmdk"); the descriptor's DDB is exposed. */
#include "vmdktest.h"

static const char descriptor[] =
  "# Disk DescriptorFile\n"
  "version=1\n"
  "encoding=\"UTF-8\"\n"
  "CID=5352cace\n"
  "parentCID=ffffffff\n"
  "isNativeSnapshot=\"no\"\n"
  "createType=\"%s\"\n"
  "\n"
  "# Extent description\n"
  "RW 8192 VMFS \"sql-flat.vmdk\"\n"
  "\n"
  "# The Disk Data Base\n"
  "#DDB\n"
  "\n"
  "ddb.adapterType = \"lsilogic\"\n"
  "ddb.geometry.sectors = \"63\"\n"
  "ddb.geometry.heads = \"255\"\n"
  "ddb.geometry.cylinders = \"16709\"\n"
  "ddb.uuid = \"60 00 C2 97 ee 00 4e ed-cb 09 ab 10 91 3f 7f 99\"\n"
  "ddb.longContentID = \"abc01f80a6019b4b2fa062d35352cace\"\n"
  "ddb.toolsVersion = \"8295\"\n"
  "ddb.virtualHWVersion = \"7\"\n"
  "ddb.deletable = \"true\"\n";

int
main (void)
{
  static uint8_t data[4 << 20];
  const char *types[] = { "vmfs", "vmfsThin" };
  char text[2048];

  test_init (false);
  memset (data + (1 << 20), 0x5e, 65536);
  memset (data + sizeof data - 512, 0x77, 512);
  test_write_file ("sql-flat.vmdk", data, sizeof data);

  for (size_t i = 0; i < 2; i++) {
    struct disk *d;
    const struct vmdk_descriptor *desc;
    bool found = false;

    snprintf (text, sizeof text, descriptor, types[i]);
    test_write_text ("sql.vmdk", text);
    d = test_open ("sql.vmdk");
    CHECK (strcmp (d->driver->name, "vmdk") == 0);
    CHECK (d->size == sizeof data);
    test_expect_bytes (d, 0, 1 << 20, 0);
    test_expect_bytes (d, 1 << 20, 65536, 0x5e);
    test_expect_bytes (d, sizeof data - 512, 512, 0x77);
    desc = vmdk_get_descriptor (d);
    CHECK (strcmp (desc->create_type, types[i]) == 0);
    CHECK (desc->has_cid && desc->cid == 0x5352cace);
    CHECK (desc->parent_cid == VMDK_CID_NONE);
    CHECK (strcmp (desc->adapter_type, "lsilogic") == 0);
    CHECK (desc->cylinders == 16709 && desc->heads == 255
           && desc->sectors == 63);
    CHECK (desc->virtual_hw_version == 7);
    CHECK (strcmp (desc->uuid,
                   "60 00 C2 97 ee 00 4e ed-cb 09 ab 10 91 3f 7f 99") == 0);
    CHECK (strcmp (desc->long_content_id,
                   "abc01f80a6019b4b2fa062d35352cace") == 0);
    CHECK (desc->n_extents == 1);
    CHECK (desc->extents[0].type == VMDK_EXTENT_VMFS);
    CHECK (desc->extents[0].access == VMDK_ACCESS_RW);
    CHECK (strcmp (desc->extents[0].filename, "sql-flat.vmdk") == 0);
    for (size_t j = 0; j < desc->n_entries; j++)
      if (strcmp (desc->entries[j].key, "ddb.deletable") == 0)
        found = strcmp (desc->entries[j].value, "true") == 0;
    CHECK (found);
    disk_close (d);
  }
  return 0;
}
