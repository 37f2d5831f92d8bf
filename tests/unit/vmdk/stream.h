/* stream.h: a streamOptimized image for the stream tests: 10 MiB, data at
 * 1 MiB (64 KiB of 0xab) and 5 MiB (100 KiB of 0xcd), made by qemu-img
 * convert (qemu-io cannot write this subformat). */
#ifndef FERRY_TESTS_VMDK_STREAM_H
#define FERRY_TESTS_VMDK_STREAM_H

#include "helpers.h"

static inline void
th_make_stream (const char *name)
{
  th_run ("qemu-img create -f qcow2 '%s.src' 10M", name);
  th_run ("qemu-io -f qcow2 -c 'write -P 0xab 1M 64k' "
          "-c 'write -P 0xcd 5M 100k' '%s.src'", name);
  th_run ("qemu-img convert -O vmdk -o subformat=streamOptimized '%s.src' "
          "'%s'", name, name);
}

/* Move the image's GD offset to a footer at the end of the file, as
 * VMware's streaming writers do: header gdOffset = GD_AT_END, then a
 * footer marker, a copy of the header with the real GD offset and an
 * end-of-stream marker. */
static inline void
th_stream_move_gd_to_footer (const char *name)
{
  uint8_t tail[3 * 512] = { 0 };
  uint64_t size = th_file_size (name);

  size = (size + 511) / 512 * 512;
  tail[0] = 1;                  /* the footer is one sector */
  tail[12] = 3;                 /* footer marker type */
  th_read_at (name, 0, tail + 512, 512);
  th_patch (name, size, tail, sizeof tail);
  th_patch_le64 (name, TH_HDR_GD_OFFSET, UINT64_MAX);
}

#endif
