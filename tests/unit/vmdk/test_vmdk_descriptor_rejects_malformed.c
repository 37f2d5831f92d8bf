/* Malformed descriptor text fails with a message naming the source and the
 * line; the output is left empty. */
#include "vmdktest.h"

struct bad {
  const char *text;
  const char *want;
};

int
main (void)
{
  static const struct bad cases[] = {
    { "createType=\"x\"\nnonsense\n", "line 2" },
    { "createType=\"x\nRW 1 ZERO\n", "line 1: unterminated quote" },
    { "createType=\"x\"\nCID=xyz\n", "line 2: CID" },
    { "createType=\"x\"\nCID=123456789\n", "line 2: CID" },
    { "createType=\"x\"\nparentCID=\n", "line 2: parentCID" },
    { "createType=\"x\"\nversion=-1\n", "line 2: version" },
    { "createType=\"x\"\nddb.geometry.heads = \"many\"\n", "line 2" },
    { "createType=\"x\"\nddb.virtualHWVersion = \"99999999999\"\n", "line 2" },
    { "createType=\"x\"\nRW abc ZERO\n", "line 2: extent size" },
    { "createType=\"x\"\nRW\t\n", "line 2" },
    { "createType=\"x\"\nRW 10\n", "line 2: extent type is missing" },
    { "createType=\"x\"\nRW 10 FLAT\n", "line 2: FLAT extent has no file" },
    { "createType=\"x\"\nRW 10 FLAT \"f\" 0 junk\n", "line 2: unexpected" },
    { "createType=\"x\"\nRW 10 FLAT \"f\" zero\n", "line 2: extent offset" },
    { "createType=\"x\"\nRW 10 FLAT \"f\n", "line 2: unterminated" },
    { "createType=\"x\"\nRW 10 FLAT \"\"\n", "line 2: extent file name is empty" },
    { "createType=\"x\"\nRW 10 TAPE \"f\"\n", "line 2: unknown extent type" },
    { "createType=\"x\"\ncreateType=\"y\"\n", "line 2: createType is set twice" },
    { "createType=\"x\"\n = 3\n", "line 2: empty key" },
    { "createType=\"x\"\nbad key = 3\n", "line 2: invalid character" },
    { "createType=\"x\"\nkey = \"v\" trailing\n", "line 2: unexpected text" },
    { "createType=\"x\"\nkey = \x01\n", "line 2: control character" },
    { "createType=\"\"\n", "line 1: createType is empty" },
    { "version=1\nRW 1 ZERO\n", "no createType" },
    { "", "no createType" },
  };
  struct vmdk_descriptor d;
  size_t big_len = VMDK_DESCRIPTOR_MAX + 10;
  char *big;

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    error_clear ();
    if (vmdk_descriptor_parse (cases[i].text, strlen (cases[i].text), "t.vmdk",
                               &d) != -1)
      FAIL ("case %zu parsed, expected \"%s\"", i, cases[i].want);
    if (strstr (error_message (), cases[i].want) == NULL
        || strstr (error_message (), "vmdk: t.vmdk: ") != error_message ())
      FAIL ("case %zu: message \"%s\", expected \"%s\"", i, error_message (),
            cases[i].want);
    CHECK (d.n_extents == 0 && d.extents == NULL && d.create_type == NULL);
    vmdk_descriptor_free (&d);
  }

  /* Larger than the bound, even if every line is fine. */
  big = malloc (big_len);
  CHECK (big != NULL);
  memset (big, '\n', big_len);
  memcpy (big, "createType=\"x\"", 14);
  CHECK (vmdk_descriptor_parse (big, big_len, "t.vmdk", &d) == -1);
  CHECK (strstr (error_message (), "larger than") != NULL);
  free (big);
  return 0;
}
