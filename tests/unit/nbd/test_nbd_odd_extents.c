/* A server whose extents fall anywhere (odd lengths, starting before the
 * request, running past its end, ZERO with and without HOLE, HOLE alone)
 * still reads right: an nbdkit sh plugin serves segments of SEG bytes,
 * segment k reading as zeros when k % 3 == 2 or k % 7 == 6, as the byte
 * 0x40 + k % 64 otherwise.  Checked at two scales: small segments,
 * and segments of about 318 MiB on a disk of 5 GiB, so that extents
 * straddle the 2 GiB block status requests. */
#include "nbdtest.h"

static const char script[] =
  "#!/bin/sh\n"
  "# segment k: zeros when k % 3 == 2 (hole,zero) or k % 7 == 6 (zero),\n"
  "# else bytes 0x40 + k % 64 (data, or hole without zero when k % 3 == 1)\n"
  "case \"$1\" in\n"
  "get_size) echo $SIZE ;;\n"
  "can_extents) ;;\n"
  "pread) count=$3 off=$4\n"
  "  while [ $count -gt 0 ]; do\n"
  "    k=$((off / SEG)) n=$(((off / SEG + 1) * SEG - off))\n"
  "    [ $n -gt $count ] && n=$count\n"
  "    if [ $((k % 3)) -eq 2 ] || [ $((k % 7)) -eq 6 ]; then\n"
  "      head -c $n /dev/zero\n"
  "    else\n"
  "      head -c $n /dev/zero | tr '\\0' \"\\\\$(printf %03o $((64 + k % 64)))\"\n"
  "    fi\n"
  "    off=$((off + n)) count=$((count - n))\n"
  "  done ;;\n"
  "extents) count=$3 off=$4\n"
  "  # from the start of off's segment to two segments past the end\n"
  "  k=$((off / SEG)) end=$((off + count + 2 * SEG))\n"
  "  [ $end -gt $SIZE ] && end=$SIZE\n"
  "  while [ $((k * SEG)) -lt $end ]; do\n"
  "    len=$((SIZE - k * SEG)); [ $len -gt $SEG ] && len=$SEG\n"
  "    if [ $((k % 3)) -eq 2 ]; then t=hole,zero\n"
  "    elif [ $((k % 7)) -eq 6 ]; then t=zero\n"
  "    elif [ $((k % 3)) -eq 1 ]; then t=hole\n"
  "    else t=; fi\n"
  "    echo $((k * SEG)) $len $t; k=$((k + 1))\n"
  "  done ;;\n"
  "*) exit 2 ;;\n"
  "esac\n";

/* Read whole, at most one read request. */
#define NBD_SMALL (1u << 20)

static uint8_t
segment_byte (uint64_t k)
{
  return k % 3 == 2 || k % 7 == 6 ? 0 : 0x40 + k % 64;
}

/* Read [offset, offset + len) in one request and check every byte. */
static void
expect_segments (struct disk *d, uint64_t seg, uint64_t offset, size_t len)
{
  uint8_t *buf = malloc (len);

  CHECK (buf != NULL);
  CHECK (disk_pread_layer (d, 0, buf, len, offset) == 0);
  for (size_t i = 0; i < len; i++)
    if (buf[i] != segment_byte ((offset + i) / seg))
      FAIL ("byte %" PRIu64 " is 0x%02x, expected 0x%02x", offset + i,
            buf[i], segment_byte ((offset + i) / seg));
  free (buf);
}

static void
check_scale (const char *sock, uint64_t seg, uint64_t size)
{
  range_vector want = empty_vector, zero = empty_vector, data = empty_vector,
               ctx = empty_vector, whole = empty_vector;
  const char *uri;
  struct disk *d;
  uint64_t off;

  for (uint64_t k = 0; k * seg < size; k++)
    if (segment_byte (k) == 0)
      CHECK (range_vector_append (&want, (struct range) {
               k * seg, seg < size - k * seg ? seg : size - k * seg }) == 0);
  range_normalize (&want);

  uri = nt_serve (sock, "env SEG=%" PRIu64 " SIZE=%" PRIu64 " nbdkit -f "
                  "--exit-with-parent -U '%s/%s' sh ./odd.sh", seg, size,
                  test_dir (), sock);
  d = nt_open (uri, NULL);
  CHECK (d->size == size);

  /* one block status at a time, each ending where its type changes */
  for (off = 0; off < size;) {
    struct extent e = test_status_at (d, off, size - off);

    CHECK (e.offset == off && e.length > 0 && e.length <= size - off);
    CHECK (e.length <= NBD_DISK_STATUS_MAX);
    if (e.type == EXTENT_ZERO)
      CHECK (range_vector_append (&zero, (struct range) {
               off, e.length }) == 0);
    else
      CHECK (e.type == EXTENT_DATA);
    off += e.length;
  }
  range_normalize (&zero);
  nt_expect_ranges ("zero by block status", &zero, want.ptr, want.len);

  CHECK (nbd_disk_context_extents (d, "base:allocation", 2, &ctx) == 0);
  nt_expect_ranges ("zero by context extents", &ctx, want.ptr, want.len);

  zero.len = 0;
  CHECK (range_vector_append (&whole, (struct range) { 0, size }) == 0);
  CHECK (nbd_disk_split_zero (d, &whole, &data, &zero) == 0);
  nt_expect_ranges ("zero by split_zero", &zero, want.ptr, want.len);
  CHECK (range_bytes (data.ptr, data.len) + range_bytes (zero.ptr, zero.len)
         == size);

  /* every byte of a small disk; the bytes on either side of every
   * segment boundary of a large one */
  if (size <= NBD_SMALL)
    expect_segments (d, seg, 0, size);
  else
    for (uint64_t k = 1; k * seg < size; k++)
      expect_segments (d, seg, k * seg - 100, 200);

  range_vector_reset (&want);
  range_vector_reset (&zero);
  range_vector_reset (&data);
  range_vector_reset (&ctx);
  range_vector_reset (&whole);
  disk_close (d);
}

int
main (void)
{
  test_init (false);
  if (system ("nbdkit sh --version >/dev/null 2>&1") != 0)
    SKIP ("nbdkit", "nbdkit or its sh plugin is not installed "
          "(Debian: nbdkit)");
  test_write_text ("odd.sh", script);
  test_run ("chmod +x odd.sh");

  check_scale ("small.sock", 3001, 40 * 3001 + 17);
  check_scale ("large.sock", 333333333, (5ull << 30) + 12345);
  return 0;
}
