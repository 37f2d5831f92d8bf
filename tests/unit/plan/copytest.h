/* copytest.h: a sparse raw source of 512 MiB (data in some 64 MiB work
 * ranges, holes and written zeros in others) and a fresh qcow2 target,
 * for the checkpoint tests of the mover. */
#ifndef FERRY_TESTS_COPYTEST_H
#define FERRY_TESTS_COPYTEST_H

#include <fcntl.h>
#include <unistd.h>

#include "copy/copy.h"
#include "plantest.h"

#define CT_SIZE (512ULL << 20)

static inline void
ct_make_source (const char *name)
{
  char *path = test_path (name);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  uint8_t *buf = malloc (4 << 20);

  CHECK (fd >= 0 && buf != NULL);
  CHECK (ftruncate (fd, CT_SIZE) == 0);
  for (uint64_t off = 0; off < CT_SIZE; off += 48ULL << 20) {
    test_fill_pattern (buf, 4 << 20, off);
    CHECK (pwrite (fd, buf, 4 << 20, off) == 4 << 20);
  }
  memset (buf, 0, 1 << 20);
  CHECK (pwrite (fd, buf, 1 << 20, 200ULL << 20) == 1 << 20);
  close (fd);
  free (buf);
  free (path);
}

#endif
