/* /etc/initramfs-tools/modules: each module not listed yet is appended on
 * its own line; one listed (with options, or indented) is not added again,
 * nor one that only shares a prefix counted as listed; a second run adds
 * nothing. */
#include "converttest.h"

int
main (void)
{
  static const char *const mods[] = {
    "virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net", "ext4" };
  char *out, *again;
  unsigned added;

  CHECK (convert_modules_file_add ("# List of modules\n"
                                   "vmw_pvscsi\n"
                                   "  ext4\n"
                                   "virtio_blk some_option=1\n"
                                   "virtio", mods, 5, &out, &added) == 0);
  CHECK_TEXT (out, "# List of modules\n"
              "vmw_pvscsi\n"
              "  ext4\n"
              "virtio_blk some_option=1\n"
              "virtio\n"
              "virtio_pci\n"
              "virtio_scsi\n"
              "virtio_net\n");
  CHECK (added == 3);
  CHECK (convert_modules_file_add (out, mods, 5, &again, &added) == 0);
  CHECK_TEXT (again, out);
  CHECK (added == 0);
  free (out);
  free (again);
  return 0;
}
