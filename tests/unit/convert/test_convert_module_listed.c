/* A module is in a listing (lsinitramfs, lsinitrd -l, modules.builtin)
 * when a line ends in /NAME.ko, compressed or not; a module whose name
 * only starts with NAME is another one. */
#include "converttest.h"

int
main (void)
{
  char *lsinitramfs[] = {
    "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/block/virtio_blk.ko",
    "usr/lib/modules/6.1.0-18-amd64/kernel/drivers/virtio/virtio_pci_modern_dev.ko",
    NULL };
  char *lsinitrd[] = {
    "-rw-r--r--   1 root     root        21528 Nov  2 10:01 usr/lib/modules/5.14.0-362.el9.x86_64/kernel/drivers/net/virtio_net.ko.xz",
    NULL };
  char *builtin[] = { "kernel/drivers/virtio/virtio_pci.ko", NULL };

  CHECK (convert_module_listed (lsinitramfs, "virtio_blk"));
  CHECK (!convert_module_listed (lsinitramfs, "virtio_pci"));
  CHECK (convert_module_listed (lsinitrd, "virtio_net"));
  CHECK (!convert_module_listed (lsinitrd, "virtio"));
  CHECK (convert_module_listed (builtin, "virtio_pci"));
  return 0;
}
