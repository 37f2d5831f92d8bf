/* The error mechanism keeps the message, adds errno text, prefixes context,
 * and is per thread. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "test.h"

static void *
other_thread (void *arg)
{
  error_set ("from another thread");
  return NULL;
}

int
main (void)
{
  pthread_t t;
  struct error_saved saved;

  error_set ("grain table %d past end", 17);
  CHECK (strcmp (error_message (), "grain table 17 past end") == 0);
  error_prefix ("vmdk: %s", "disk.vmdk");
  CHECK (strcmp (error_message (), "vmdk: disk.vmdk: grain table 17 past end") == 0);
  CHECK (strstr (error_origin (), "test_util_error.c") != NULL);

  error_set_errno (ENOENT, "open %s", "x");
  CHECK (strstr (error_message (), "open x: ") == error_message ());
  CHECK (strstr (error_message (), strerror (ENOENT)) != NULL);
  CHECK (error_errno () == ENOENT);

  pthread_create (&t, NULL, other_thread, NULL);
  pthread_join (t, NULL);
  CHECK (strstr (error_message (), "open x") != NULL);

  error_save (&saved);
  error_clear ();
  CHECK (error_message ()[0] == '\0');
  error_restore (&saved);
  CHECK (strstr (error_message (), "open x") != NULL);
  return 0;
}
