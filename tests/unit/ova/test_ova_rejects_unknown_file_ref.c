/* A Disk whose ovf:fileRef names no References/File is an error naming
 * the disk and the reference. */
#include "ovatest.h"

int
main (void)
{
  test_init (true);
  ot_make_standard_ova ();
  test_write_text ("web01.ovf",
                   ot_vmware_ovf ("web01-disk1.vmdk",
                                  test_file_size ("web01-disk1.vmdk"), 64,
                                  NULL,
                                  "    <Disk ovf:capacity=\"1\" "
                                  "ovf:capacityAllocationUnits=\"byte * 2^30\""
                                  " ovf:diskId=\"vmdisk2\" "
                                  "ovf:fileRef=\"file9\"/>\n",
                                  "      <Item>\n"
                                  "        <rasd:AddressOnParent>1"
                                  "</rasd:AddressOnParent>\n"
                                  "        <rasd:ElementName>Hard disk 2"
                                  "</rasd:ElementName>\n"
                                  "        <rasd:HostResource>ovf:/disk/"
                                  "vmdisk2</rasd:HostResource>\n"
                                  "        <rasd:InstanceID>10"
                                  "</rasd:InstanceID>\n"
                                  "        <rasd:Parent>3</rasd:Parent>\n"
                                  "        <rasd:ResourceType>17"
                                  "</rasd:ResourceType>\n"
                                  "      </Item>\n"));
  test_run ("rm web01.ova && tar --format=ustar -cf web01.ova web01.ovf "
            "web01-disk1.vmdk");
  ot_read_fails (test_printf ("ova:%s/web01.ova", test_dir ()), "vmdisk2",
                 "file9", NULL);
  return 0;
}
