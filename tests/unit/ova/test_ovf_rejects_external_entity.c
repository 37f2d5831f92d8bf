/* A descriptor declaring an external entity (XXE) is refused, and the
 * entity's file is never opened: it is a FIFO, which would block the
 * parser (the test would time out) if anything tried to read it. */
#include "ovatest.h"

int
main (void)
{
  char *ovf, *body, *xml;

  test_init (true);
  ot_make_standard_ova ();
  test_run ("mkfifo secret.txt");
  ovf = ot_vmware_ovf ("web01-disk1.vmdk",
                       test_file_size ("web01-disk1.vmdk"), 64, NULL, NULL,
                       NULL);
  body = strstr (ovf, "<Envelope");
  CHECK (body != NULL);
  xml = test_printf ("<?xml version=\"1.0\"?>\n"
                   "<!DOCTYPE Envelope [ <!ENTITY xxe SYSTEM \"file://%s/"
                   "secret.txt\"> ]>\n%s", test_dir (), body);
  /* the VM's name is the entity */
  xml = test_printf ("%.*s&xxe;%s", (int) (strstr (xml, "<Name>web01") + 6
                                          - xml), xml,
                   strstr (xml, "<Name>web01") + 11);
  test_write_text ("web01.ovf", xml);
  ot_read_fails (test_printf ("ovf:%s/web01.ovf", test_dir ()), "DOCTYPE",
                 NULL);

  /* the envelope parser alone refuses it as well */
  {
    struct ovf_envelope env;
    CHECK (ovf_envelope_parse (xml, strlen (xml), "x.ovf", &env) == -1);
    CHECK (strstr (error_message (), "DOCTYPE") != NULL);
  }
  return 0;
}
