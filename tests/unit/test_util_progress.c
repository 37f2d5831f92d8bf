/* Progress written to a file (not a terminal) is plain lines without
 * control characters, ending with the finished total; byte formatting
 * picks binary units. */
#include <string.h>

#include "test.h"
#include "util/progress.h"

int
main (void)
{
  char buf[4096], s[32];
  FILE *fp = tmpfile ();
  struct progress *p;
  size_t n;

  CHECK (strcmp (progress_format_bytes (17, s, sizeof s), "17 B") == 0);
  CHECK (strcmp (progress_format_bytes (1536, s, sizeof s), "1.5 KiB") == 0);
  CHECK (strcmp (progress_format_bytes (3ull << 30, s, sizeof s), "3.0 GiB") == 0);

  CHECK (fp != NULL);
  p = progress_start ("copying", 1 << 20, fp);
  CHECK (p != NULL);
  for (int i = 0; i < 16; i++)
    progress_add (p, 1 << 16);
  progress_finish (p);

  rewind (fp);
  n = fread (buf, 1, sizeof buf - 1, fp);
  buf[n] = '\0';
  CHECK (strstr (buf, "copying: 100.0% 1.0 MiB / 1.0 MiB") != NULL);
  CHECK (strchr (buf, '\r') == NULL && strchr (buf, '\033') == NULL);
  CHECK (buf[n - 1] == '\n');
  fclose (fp);
  return 0;
}
