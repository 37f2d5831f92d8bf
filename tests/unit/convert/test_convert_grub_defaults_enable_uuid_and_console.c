/* /etc/default/grub: GRUB_DISABLE_LINUX_UUID=true (quoted or not) is
 * commented out, =false kept; the serial console is added to
 * GRUB_CMDLINE_LINUX, after console=tty0 when the command line has no
 * console= at all, alone when it has one, not at all when it has
 * console=ttyS0 already; a file without GRUB_CMDLINE_LINUX gets one. */
#include "converttest.h"

static void
check (const char *in, bool console, const char *expected, bool changes)
{
  char *out;
  bool changed;

  CHECK (convert_grub_defaults_rewrite (in, console, &out, &changed) == 0);
  CHECK_TEXT (out, expected);
  CHECK (changed == changes);
  free (out);
}

int
main (void)
{
  check ("GRUB_DEFAULT=0\n"
         "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
         "GRUB_CMDLINE_LINUX=\"\"\n"
         "GRUB_DISABLE_LINUX_UUID=true\n", true,
         "GRUB_DEFAULT=0\n"
         "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
         "GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200\"\n"
         "#GRUB_DISABLE_LINUX_UUID=true\n", true);
  /* not asked for the console: only the UUID setting */
  check ("GRUB_CMDLINE_LINUX=\"\"\nGRUB_DISABLE_LINUX_UUID=\"true\"\n", false,
         "GRUB_CMDLINE_LINUX=\"\"\n#GRUB_DISABLE_LINUX_UUID=\"true\"\n", true);
  check ("GRUB_DISABLE_LINUX_UUID=false\n", false,
         "GRUB_DISABLE_LINUX_UUID=false\n", false);
  /* a console already: ttyS0 added alone */
  check ("GRUB_CMDLINE_LINUX=\"rd.lvm.lv=vg/root console=tty1\"\n", true,
         "GRUB_CMDLINE_LINUX=\"rd.lvm.lv=vg/root console=tty1 console=ttyS0,115200\"\n",
         true);
  /* console=ttyS0 in the other variable: nothing to add */
  check ("GRUB_CMDLINE_LINUX_DEFAULT='console=ttyS0,115200n8'\n"
         "GRUB_CMDLINE_LINUX=\"\"\n", true,
         "GRUB_CMDLINE_LINUX_DEFAULT='console=ttyS0,115200n8'\n"
         "GRUB_CMDLINE_LINUX=\"\"\n", false);
  /* unquoted, single-quoted */
  check ("GRUB_CMDLINE_LINUX=quiet\n", true,
         "GRUB_CMDLINE_LINUX=\"quiet console=tty0 console=ttyS0,115200\"\n",
         true);
  check ("GRUB_CMDLINE_LINUX='splash'\n", true,
         "GRUB_CMDLINE_LINUX='splash console=tty0 console=ttyS0,115200'\n",
         true);
  /* console=ttyS1 is not ttyS0 */
  check ("GRUB_CMDLINE_LINUX=\"console=ttyS1\"\n", true,
         "GRUB_CMDLINE_LINUX=\"console=ttyS1 console=ttyS0,115200\"\n", true);
  /* no GRUB_CMDLINE_LINUX, no final newline */
  check ("GRUB_TIMEOUT=5", true,
         "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200\"\n",
         true);
  check ("", true,
         "GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200\"\n", true);
  return 0;
}
