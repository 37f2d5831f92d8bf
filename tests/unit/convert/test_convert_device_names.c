/* /dev/sdX[N] and /dev/hdX[N] are the old names, the appliance's being
 * /dev/sdX[N]; anything else (vd, xvd, nvme, mapper, partition 0, junk
 * after the number) is not. */
#include "converttest.h"

int
main (void)
{
  static const struct { const char *in, *out; } ok[] = {
    { "/dev/sda", "/dev/sda" }, { "/dev/sda1", "/dev/sda1" },
    { "/dev/hdb3", "/dev/sdb3" }, { "/dev/sdaa12", "/dev/sdaa12" },
  };
  static const char *const not[] = {
    "/dev/vda1", "/dev/xvda1", "/dev/nvme0n1p1", "/dev/mapper/vg-root",
    "/dev/sda0", "/dev/sdA1", "/dev/sd", "/dev/sda1x", "/dev/sda1/",
    "UUID=abc", "/dev/sdabcde1",
  };
  char out[CONVERT_DEVICE_MAX];

  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    CHECK (convert_device_to_appliance (ok[i].in, out));
    if (strcmp (out, ok[i].out) != 0)
      FAIL ("%s -> %s, expected %s", ok[i].in, out, ok[i].out);
  }
  for (size_t i = 0; i < sizeof not / sizeof not[0]; i++)
    if (convert_device_to_appliance (not[i], out))
      FAIL ("%s taken as an old device name", not[i]);
  return 0;
}
