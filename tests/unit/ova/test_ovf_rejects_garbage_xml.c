/* Binary garbage, truncated XML, and XML that is not an OVF Envelope give
 * clear errors (with the XML line), never a crash. */
#include "ovatest.h"

static void
expect_fails (const char *xml, size_t len, const char *want)
{
  struct ovf_envelope env;

  error_clear ();
  if (ovf_envelope_parse (xml, len, "x.ovf", &env) != -1)
    FAIL ("parsing succeeded; expected \"%s\"", want);
  if (strstr (error_message (), want) == NULL)
    FAIL ("message \"%s\" does not mention \"%s\"", error_message (), want);
  fprintf (stderr, "expected error: %s\n", error_message ());
}

int
main (void)
{
  static const char garbage[] = "\x1f\x8b\x08\x00\xff\xfe<Env\x01\x02";
  static const char truncated[] =
    "<?xml version=\"1.0\"?>\n<Envelope xmlns=\"http://schemas.dmtf.org/"
    "ovf/envelope/1\">\n  <References>\n    <File ovf:href=";
  static const char not_ovf[] = "<html><body>hello</body></html>";
  static const char no_system[] =
    "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"/>";
  static const char vapp[] =
    "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\">"
    "<VirtualSystemCollection/></Envelope>";

  test_init (false);
  expect_fails (garbage, sizeof garbage - 1, "not well-formed XML");
  expect_fails (truncated, sizeof truncated - 1, "line 4");
  expect_fails (not_ovf, sizeof not_ovf - 1, "not an OVF Envelope");
  expect_fails (no_system, sizeof no_system - 1, "no VirtualSystem");
  expect_fails (vapp, sizeof vapp - 1, "VirtualSystemCollection");
  expect_fails ("", 0, "not well-formed XML");
  return 0;
}
