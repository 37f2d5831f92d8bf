/* fstab: a first field /dev/sdXN or /dev/hdXN becomes UUID=<the UUID of
 * that partition> (an IDE disk hdb is the appliance's sdb); every other
 * byte (comments, spacing, other fields, UUID=, LABEL=, LVM names) is
 * kept. */
#include "converttest.h"

int
main (void)
{
  const char *fstab =
    "# /etc/fstab: static file system information.\n"
    "#\n"
    "# <file system> <mount point>   <type>  <options>       <dump>  <pass>\n"
    "/dev/sda1 / ext4 errors=remount-ro 0 1\n"
    "\n"
    "  /dev/sda5\tnone\tswap\tsw\t0\t0\n"
    "/dev/hdb1   /srv  xfs defaults 0 2   # data disk\n"
    "UUID=1234-ABCD /boot/efi vfat umask=0077 0 1\n"
    "LABEL=scratch /scratch ext4 defaults 0 2\n"
    "/dev/mapper/vg-home /home ext4 defaults 0 2\n"
    "/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n"
    "tmpfs /dev/sda1x tmpfs defaults 0 0\n"
    "#/dev/sda2 /old ext4 defaults 0 2\n"
    "/dev/sda2 /var ext4 defaults 0 2";         /* no final newline */
  const char *expected =
    "# /etc/fstab: static file system information.\n"
    "#\n"
    "# <file system> <mount point>   <type>  <options>       <dump>  <pass>\n"
    "UUID=0f3c9a52-6d1e-4b8e-9a1f-2c5d7e8b9a01 / ext4 errors=remount-ro 0 1\n"
    "\n"
    "  UUID=c2d3e4f5-a6b7-4c8d-9e0f-112233445566\tnone\tswap\tsw\t0\t0\n"
    "UUID=9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a   /srv  xfs defaults 0 2   # data disk\n"
    "UUID=1234-ABCD /boot/efi vfat umask=0077 0 1\n"
    "LABEL=scratch /scratch ext4 defaults 0 2\n"
    "/dev/mapper/vg-home /home ext4 defaults 0 2\n"
    "/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n"
    "tmpfs /dev/sda1x tmpfs defaults 0 0\n"
    "#/dev/sda2 /old ext4 defaults 0 2\n"
    "UUID=7b1e4c3d-2a9f-4e6b-8c5d-1a2b3c4d5e6f /var ext4 defaults 0 2";
  char *out;
  unsigned changed;

  CHECK (convert_table_rewrite (fstab, 0, test_uuid, NULL, &out,
                                &changed) == 0);
  CHECK_TEXT (out, expected);
  CHECK (changed == 4);
  CHECK (strcmp (test_asked, "/dev/sda1 /dev/sda5 /dev/sdb1 /dev/sda2 ") == 0);
  free (out);

  /* Nothing to rewrite: the same text, nothing asked. */
  test_asked[0] = '\0';
  CHECK (convert_table_rewrite (expected, 0, test_uuid, NULL, &out,
                                &changed) == 0);
  CHECK_TEXT (out, expected);
  CHECK (changed == 0 && test_asked[0] == '\0');
  free (out);
  return 0;
}
