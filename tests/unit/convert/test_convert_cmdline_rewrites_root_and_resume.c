/* Kernel command lines (in /etc/default/grub, in menu.lst): root= and
 * resume= naming /dev/sdX or /dev/hdX become UUID=, inside quotes or not;
 * other parameters, other variables and words that merely end in root=
 * are kept. */
#include "converttest.h"

int
main (void)
{
  char *out;
  unsigned changed;

  CHECK (convert_cmdline_rewrite (
           "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet resume=/dev/sda5\"\n"
           "GRUB_CMDLINE_LINUX='root=/dev/hda1 ro'\n"
           "GRUB_CMDLINE_XEN=\"real_root=/dev/sda1 dom0_mem=1G\"\n"
           "\tkernel /vmlinuz-2.6.32 ro root=/dev/sdb1 rhgb\n"
           "GRUB_DEVICE=/dev/sda1\n"
           "kernel /vmlinuz root=/dev/mapper/vg-root resume=UUID=abc\n",
           test_uuid, NULL, &out, &changed) == 0);
  CHECK_TEXT (out,
              "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet resume=UUID=c2d3e4f5-a6b7-4c8d-9e0f-112233445566\"\n"
              "GRUB_CMDLINE_LINUX='root=UUID=0f3c9a52-6d1e-4b8e-9a1f-2c5d7e8b9a01 ro'\n"
              "GRUB_CMDLINE_XEN=\"real_root=/dev/sda1 dom0_mem=1G\"\n"
              "\tkernel /vmlinuz-2.6.32 ro root=UUID=9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a rhgb\n"
              "GRUB_DEVICE=/dev/sda1\n"
              "kernel /vmlinuz root=/dev/mapper/vg-root resume=UUID=abc\n");
  CHECK (changed == 3);
  free (out);
  return 0;
}
