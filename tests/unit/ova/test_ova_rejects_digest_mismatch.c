/* A disk whose bytes changed after the manifest was written: the error
 * names the file and gives both digests. */
#include "ovatest.h"

int
main (void)
{
  uint8_t *text;
  size_t len;
  char want[65], *line;

  test_init (true);
  ot_make_standard_ova ();
  text = test_read_file ("web01.mf", &len);
  line = strstr ((char *) text, "SHA256(web01-disk1.vmdk)= ");
  CHECK (line != NULL);
  memcpy (want, line + strlen ("SHA256(web01-disk1.vmdk)= "), 64);
  want[64] = '\0';
  free (text);
  /* change one byte of the disk's data inside the archive, in place */
  test_run ("printf 'Z' | dd of=web01.ova bs=1 seek=$(( %" PRIu64 " )) "
            "conv=notrunc status=none",
            (uint64_t) (512 + round_up (test_file_size ("web01.ovf"), 512)
                        + 512 + round_up (test_file_size ("web01.mf"), 512)
                        + 512 + 2048));
  ot_read_fails (test_printf ("ova:%s/web01.ova", test_dir ()),
                 "SHA256 digest mismatch", "web01-disk1.vmdk", want, NULL);
  return 0;
}
