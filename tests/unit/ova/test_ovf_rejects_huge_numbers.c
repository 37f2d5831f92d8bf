/* Numbers beyond any machine (CPU counts, memory, capacities that
 * overflow 64 bits once multiplied by their units, tar sizes) give clear
 * errors naming the element. */
#include "ovatest.h"

static void
expect_fails (const char *from, const char *to, const char *want)
{
  char *ovf = ot_vmware_ovf ("web01-disk1.vmdk",
                             test_file_size ("web01-disk1.vmdk"), 64, NULL,
                             NULL, NULL);
  char *at = strstr (ovf, from);
  char *xml;
  struct ovf_envelope env;

  CHECK (at != NULL);
  xml = test_printf ("%.*s%s%s", (int) (at - ovf), ovf, to, at + strlen (from));
  error_clear ();
  if (ovf_envelope_parse (xml, strlen (xml), "web01.ovf", &env) != -1)
    FAIL ("replacing %s by %s: parsing succeeded", from, to);
  if (strstr (error_message (), want) == NULL)
    FAIL ("message \"%s\" does not mention \"%s\"", error_message (), want);
  fprintf (stderr, "expected error: %s\n", error_message ());
}

int
main (void)
{
  test_init (true);
  ot_make_disk ("web01-disk1.vmdk", 8);
  expect_fails ("<rasd:VirtualQuantity>4<",
                "<rasd:VirtualQuantity>99999999999999999999999<",
                "4 virtual CPU(s)");
  expect_fails ("<rasd:VirtualQuantity>4<",
                "<rasd:VirtualQuantity>100000<", "virtual CPUs");
  expect_fails ("<rasd:VirtualQuantity>8192<",
                "<rasd:VirtualQuantity>18446744073709551615<",
                "8192MB of memory");
  expect_fails ("ovf:capacity=\"64\"",
                "ovf:capacity=\"18446744073709551615\"", "too large");
  expect_fails ("byte * 2^20\" ovf:diskId", "byte * 2^99\" ovf:diskId",
                "capacityAllocationUnits");
  expect_fails ("ovf:size=\"", "ovf:size=\"-1", "ovf:size");
  expect_fails ("<vmw:CoresPerSocket ovf:required=\"false\">2<",
                "<vmw:CoresPerSocket ovf:required=\"false\">0x10<",
                "CoresPerSocket");
  return 0;
}
