/* menu.lst (GRUB legacy): every kernel line without console=ttyS0 gets
 * it; other lines and kernel lines that have it are kept. */
#include "converttest.h"

int
main (void)
{
  char *out;
  bool changed;

  CHECK (convert_grub_legacy_console (
           "default=0\n"
           "title CentOS (2.6.32-754.el6.x86_64)\n"
           "\troot (hd0,0)\n"
           "\tkernel /vmlinuz-2.6.32-754.el6.x86_64 ro root=UUID=abc rhgb quiet\n"
           "\tinitrd /initramfs-2.6.32-754.el6.x86_64.img\n"
           "title serial\n"
           "\tkernel /vmlinuz ro console=ttyS0\n"
           "title vga\n"
           "\tkernel /vmlinuz ro console=tty1\n", &out, &changed) == 0);
  CHECK_TEXT (out,
              "default=0\n"
              "title CentOS (2.6.32-754.el6.x86_64)\n"
              "\troot (hd0,0)\n"
              "\tkernel /vmlinuz-2.6.32-754.el6.x86_64 ro root=UUID=abc rhgb quiet console=tty0 console=ttyS0,115200\n"
              "\tinitrd /initramfs-2.6.32-754.el6.x86_64.img\n"
              "title serial\n"
              "\tkernel /vmlinuz ro console=ttyS0\n"
              "title vga\n"
              "\tkernel /vmlinuz ro console=tty1 console=ttyS0,115200\n");
  CHECK (changed);
  free (out);
  return 0;
}
