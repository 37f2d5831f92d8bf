/* Block status answers that qemu-nbd and nbdkit never give, from a small
 * server of our own (nbd_odd_server.py): extents running on past the end
 * of the request are clipped to it, and an answer with an empty extent,
 * with no extent, or sent twice is an error naming the URI and the
 * request, never a loop or a crash. */
#include "nbdtest.h"

#define SEG UINT64_C (300000007)          /* odd, about 286 MiB */
#define SIZE ((UINT64_C (3) << 30) + 777)

static const char *server;

static const char *
serve (const char *sock, const char *mode, uint64_t size, uint64_t seg)
{
  return nt_serve (sock, "python3 '%s' '%s/%s' %s %" PRIu64 " %" PRIu64,
                   server, test_dir (), sock, mode, size, seg);
}

static uint8_t
segment_byte (uint64_t k)
{
  return k % 3 == 2 ? 0 : 0x40 + k % 64;
}

static void
check_long_extents (void)
{
  range_vector want = empty_vector, zero = empty_vector, data = empty_vector,
               ctx = empty_vector, whole = empty_vector;
  struct disk *d = nt_open (serve ("long.sock", "long", SIZE, SEG), NULL);
  uint8_t buf[200];

  for (uint64_t k = 2; k * SEG < SIZE; k += 3)
    CHECK (range_vector_append (&want, (struct range) {
             k * SEG, SEG < SIZE - k * SEG ? SEG : SIZE - k * SEG }) == 0);

  for (uint64_t off = 0; off < SIZE;) {
    struct extent e = test_status_at (d, off, SIZE - off);

    CHECK (e.length <= NBD_DISK_STATUS_MAX);
    if (e.type == EXTENT_ZERO)
      CHECK (range_vector_append (&zero, (struct range) {
               off, e.length }) == 0);
    off += e.length;
  }
  range_normalize (&zero);
  nt_expect_ranges ("zero by block status", &zero, want.ptr, want.len);
  /* the answer goes on for three segments; block status stops at 4096 */
  test_expect_status (d, SEG - 4096, 4096, EXTENT_DATA, 4096);
  test_expect_status (d, 2 * SEG + 10, 100, EXTENT_ZERO, 100);

  CHECK (nbd_disk_context_extents (d, "base:allocation", 2, &ctx) == 0);
  nt_expect_ranges ("zero by context extents", &ctx, want.ptr, want.len);
  zero.len = 0;
  CHECK (range_vector_append (&whole, (struct range) { 0, SIZE }) == 0);
  CHECK (nbd_disk_split_zero (d, &whole, &data, &zero) == 0);
  nt_expect_ranges ("zero by split_zero", &zero, want.ptr, want.len);
  CHECK (range_bytes (data.ptr, data.len) == SIZE - range_bytes (want.ptr,
                                                                 want.len));

  for (uint64_t k = 1; k * SEG < SIZE; k++) {
    CHECK (disk_pread_layer (d, 0, buf, sizeof buf, k * SEG - 100) == 0);
    for (size_t i = 0; i < sizeof buf; i++)
      if (buf[i] != segment_byte ((k * SEG - 100 + i) / SEG))
        FAIL ("byte %" PRIu64 " is 0x%02x", k * SEG - 100 + i, buf[i]);
  }

  range_vector_reset (&want);
  range_vector_reset (&zero);
  range_vector_reset (&data);
  range_vector_reset (&ctx);
  range_vector_reset (&whole);
  disk_close (d);
}

static void
expect_refused (const char *mode, const char *why)
{
  const char *uri = serve (test_printf ("%s.sock", mode), mode, 1 << 20,
                           4096);
  struct disk *d = nt_open (uri, NULL);
  range_vector got = empty_vector;
  const char *want = test_printf ("nbd: %s: block status of base:allocation "
                                  "at offset 0 (1048576 bytes): %s", uri,
                                  why);
  struct extent e;

  error_clear ();
  CHECK (disk_block_status (d, 0, 1 << 20, &e) == -1);
  if (strstr (error_message (), want) == NULL)
    FAIL ("%s: message \"%s\" does not say \"%s\"", mode, error_message (),
          want);
  fprintf (stderr, "ok, refused: %s\n", error_message ());
  error_clear ();
  CHECK (nbd_disk_context_extents (d, "base:allocation", 2, &got) == -1);
  CHECK (strstr (error_message (), why) != NULL);
  CHECK (got.len == 0);
  disk_close (d);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    FAIL ("usage: %s nbd_odd_server.py", argv[0]);
  server = argv[1];
  test_init (false);
  if (system ("python3 --version >/dev/null 2>&1") != 0)
    SKIP ("python3", "the test's NBD server is written in Python");

  check_long_extents ();
  expect_refused ("empty", "the server returned an empty extent at offset 0");
  expect_refused ("none", "the server returned no extent");
  expect_refused ("twice", "the server answered twice");
  return 0;
}
