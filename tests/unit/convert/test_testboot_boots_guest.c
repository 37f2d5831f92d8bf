/* test_testboot_boots_guest: the tiny guest boots through its overlay
 * (BIOS from a raw disk; UEFI from a qcow2 disk) and the run says
 * "booted" with the line that matched, which the kept serial log holds;
 * the disks are not written.  The marker is the guest's report of its
 * firmware (printed right after its boot marker), so that the firmware
 * asked for is the one that booted it. */
#include "boottest.h"

static void
boot (const char *disk, const char *format, enum testboot_firmware fw,
      const char *marker)
{
  struct testboot_disk d = { .path = test_printf ("%s/%s", test_dir (), disk),
                             .format = format };
  const char *fw_name = fw == TESTBOOT_UEFI ? "uefi" : "bios";
  struct testboot tb = bt_request (&d, "^FERRY-GUEST-FIRMWARE [a-z]+$", 300);
  double wall;
  json_t *result;

  tb.firmware = fw;
  result = bt_boot (&tb, &wall);
  bt_expect (result, &tb, "booted");
  CHECK (strcmp (bt_string (result, "saw"),
                 test_printf ("FERRY-GUEST-FIRMWARE %s", fw_name)) == 0);
  test_run ("tr -d '\\r' < serial.log | grep -qx 'FERRY-GUEST-BOOTED %s'",
            marker);
  test_run ("tr -d '\\r' < serial.log | grep -qx 'FERRY-GUEST-FIRMWARE %s'",
            fw_name);
  json_decref (result);
}

int
main (int argc, char **argv)
{
  bt_init (argc, argv);
  bt_build_guest ("bios.raw", "--marker tb-bios");
  boot ("bios.raw", "raw", TESTBOOT_BIOS, "tb-bios");

  bt_build_guest ("uefi.raw", "--uefi --marker tb-uefi");
  test_run ("qemu-img convert -f raw -O qcow2 uefi.raw uefi.qcow2");
  boot ("uefi.qcow2", NULL, TESTBOOT_UEFI, "tb-uefi");
  return 0;
}
