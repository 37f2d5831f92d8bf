/* lvm.conf: a filter or global_filter that names /dev/sdX or /dev/hdX
 * (which are /dev/vdX on KVM) is commented out, every line of it when it
 * spans several; filters that do not name them, and comments, are kept. */
#include "converttest.h"

int
main (void)
{
  char *out;
  bool changed;

  CHECK (convert_lvm_conf_rewrite (
           "devices {\n"
           "\tdir = \"/dev\"\n"
           "\t# filter = [ \"a|/dev/sda|\" ]\n"
           "\tfilter = [ \"a|^/dev/sda2$|\", \"r|.*|\" ]\n"
           "\tglobal_filter = [ \"a|/dev/hda|\",\n"
           "\t\t\"r|.*|\" ]\n"
           "\tscan = [ \"/dev\" ]\n"
           "}\n"
           "other {\n"
           "\tfilter = [ \"r|/dev/cdrom|\" ]\n"
           "}\n", &out, &changed) == 0);
  CHECK_TEXT (out,
              "devices {\n"
              "\tdir = \"/dev\"\n"
              "\t# filter = [ \"a|/dev/sda|\" ]\n"
              "#\tfilter = [ \"a|^/dev/sda2$|\", \"r|.*|\" ]\n"
              "#\tglobal_filter = [ \"a|/dev/hda|\",\n"
              "#\t\t\"r|.*|\" ]\n"
              "\tscan = [ \"/dev\" ]\n"
              "}\n"
              "other {\n"
              "\tfilter = [ \"r|/dev/cdrom|\" ]\n"
              "}\n");
  CHECK (changed);
  free (out);
  return 0;
}
