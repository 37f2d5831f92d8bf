/* fuzz_image.c: see fuzz_image.h.  Never fails the run on a parse error:
 * only crashes, sanitizer reports and hangs are findings. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "disk/disk.h"
#include "fuzz_image.h"
#include "util/checked.h"
#include "util/io.h"

#define MAX_EXTENTS 4096
#define MAX_READ (8u << 20)

int
fuzz_image (const uint8_t *data, size_t size, const char *format)
{
  static char buf[1 << 20];
  char path[64];
  struct disk *disk;
  uint64_t offset = 0, read_total = 0;
  int fd;

  fd = memfd_create ("fuzz-image", MFD_CLOEXEC);
  if (fd == -1)
    abort ();
  if (size > 0 && io_pwrite_full (fd, data, size, 0, "memfd") == -1)
    abort ();
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);

  disk = disk_open (path, format, DISK_OPEN_NO_BACKING);
  if (disk) {
    for (int i = 0; i < MAX_EXTENTS && offset < disk->size; i++) {
      struct extent e;
      if (disk_block_status (disk, offset, disk->size - offset, &e) == -1)
        break;
      if (e.type == EXTENT_DATA && read_total < MAX_READ) {
        size_t n = min_u64 (e.length, sizeof buf);
        if (disk_pread (disk, buf, n, offset) == -1)
          break;
        read_total += n;
      }
      offset += e.length;
    }
    disk_close (disk);
  }
  close (fd);
  return 0;
}
