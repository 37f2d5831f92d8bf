/* vmdk_descriptor_parse on its own: comments, blank lines, CRLF endings,
 * spaces around '=', quoted and bare values, every extent form, and the
 * NUL that ends an embedded descriptor. */
#include "vmdktest.h"

static const char text[] =
  "  \n"
  "# written by hand\r\n"
  "# Disk DescriptorFile\r\n"
  "version=3\r\n"
  "encoding=\"UTF-8\"\r\n"
  "CID=0000abCD\r\n"
  "parentCID = 12345678\r\n"
  "createType=\"twoGbMaxExtentSparse\"   # a trailing comment\r\n"
  "parentFileNameHint=\"/vmfs/volumes/ds 1/vm/base disk.vmdk\"\r\n"
  "\r\n"
  "# Extent description\r\n"
  "RW 4192256 SPARSE \"a-s001.vmdk\"\r\n"
  "RDONLY 2048 FLAT \"a-f001.vmdk\" 17\r\n"
  "NOACCESS 10 ZERO\r\n"
  "\tRW  1  VMFSRDM   \"a-rdm.vmdk\"\r\n"
  "RW 8 SESPARSE \"a-sesparse.vmdk\"\r\n"
  "RW 8 VMFSSPARSE \"a-delta.vmdk\"\r\n"
  "#DDB\r\n"
  "ddb.adapterType = \"pvscsi\"\r\n"
  "ddb.geometry.cylinders = \"1024\"\r\n"
  "ddb.geometry.heads = \"255\"\r\n"
  "ddb.geometry.sectors = \"63\"\r\n"
  "ddb.virtualHWVersion = \"19\"\r\n"
  "ddb.uuid = \"60 00 C2 9a\"\r\n"
  "ddb.longContentID = \"0123456789abcdef0123456789abcdef\"\r\n"
  "ddb.thinProvisioned = \"1\"\r\n"
  "ddb.empty = \"\"\r\n"
  "\0"
  "RW 1 BOGUS this is after the NUL and ignored\n";

int
main (void)
{
  struct vmdk_descriptor d;
  const struct vmdk_descriptor_extent *e;

  CHECK (vmdk_descriptor_parse (text, sizeof text - 1, "t.vmdk", &d) == 0);
  CHECK (d.version == 3);
  CHECK (d.has_cid && d.cid == 0xabcd);
  CHECK (d.parent_cid == 0x12345678);
  CHECK (strcmp (d.create_type, "twoGbMaxExtentSparse") == 0);
  CHECK (strcmp (d.parent_filename_hint,
                 "/vmfs/volumes/ds 1/vm/base disk.vmdk") == 0);
  CHECK (strcmp (d.adapter_type, "pvscsi") == 0);
  CHECK (d.cylinders == 1024 && d.heads == 255 && d.sectors == 63);
  CHECK (d.virtual_hw_version == 19);
  CHECK (strcmp (d.uuid, "60 00 C2 9a") == 0);
  CHECK (strcmp (d.long_content_id, "0123456789abcdef0123456789abcdef") == 0);

  CHECK (d.n_extents == 6);
  e = d.extents;
  CHECK (e[0].access == VMDK_ACCESS_RW && e[0].sectors == 4192256
         && e[0].type == VMDK_EXTENT_SPARSE
         && strcmp (e[0].filename, "a-s001.vmdk") == 0 && e[0].line == 12);
  CHECK (e[1].access == VMDK_ACCESS_RDONLY && e[1].type == VMDK_EXTENT_FLAT
         && e[1].offset == 17 && strcmp (e[1].filename, "a-f001.vmdk") == 0);
  CHECK (e[2].access == VMDK_ACCESS_NOACCESS && e[2].type == VMDK_EXTENT_ZERO
         && e[2].filename == NULL && e[2].sectors == 10);
  CHECK (e[3].type == VMDK_EXTENT_VMFSRDM && e[3].sectors == 1
         && strcmp (e[3].filename, "a-rdm.vmdk") == 0);
  CHECK (e[4].type == VMDK_EXTENT_SESPARSE);
  CHECK (e[5].type == VMDK_EXTENT_VMFSSPARSE);

  /* Every key = value is kept, in order. */
  CHECK (d.n_entries == 15);
  CHECK (strcmp (d.entries[1].key, "encoding") == 0
         && strcmp (d.entries[1].value, "UTF-8") == 0);
  CHECK (strcmp (d.entries[13].key, "ddb.thinProvisioned") == 0
         && strcmp (d.entries[13].value, "1") == 0);
  CHECK (strcmp (d.entries[14].value, "") == 0);
  CHECK (strcmp (vmdk_extent_type_name (e[3].type), "VMFSRDM") == 0);
  CHECK (strcmp (vmdk_access_name (e[1].access), "RDONLY") == 0);
  vmdk_descriptor_free (&d);
  vmdk_descriptor_free (&d);    /* freeing twice is harmless */

  /* Absent fields have their "none" values. */
  {
    static const char small[] = "createType=\"monolithicFlat\"\nRW 1 ZERO\n";
    CHECK (vmdk_descriptor_parse (small, strlen (small), "s", &d) == 0);
    CHECK (!d.has_cid && d.parent_cid == VMDK_CID_NONE);
    CHECK (d.parent_filename_hint == NULL && d.adapter_type == NULL);
    CHECK (d.virtual_hw_version == 0 && d.version == 0);
    vmdk_descriptor_free (&d);
  }
  return 0;
}
