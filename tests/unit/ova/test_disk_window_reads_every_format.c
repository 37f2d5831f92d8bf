/* Part of the image layer: an image stored inside a larger file (between
 * other bytes, at a 512-byte aligned offset, as in a tar) opened with
 * disk_open_window reads exactly as qemu-img reads the image on its own,
 * for every single-file format: qcow2, raw, streamOptimized and
 * monolithicSparse VMDK, fixed and dynamic VHD, VHDX.  Reads past the
 * window fail; probing sees only the window. */
#include "ovatest.h"

static void
check_format (const char *name, const char *create,
              const char *qemu_format)
{
  struct vm_disk d = { 0 };
  struct disk *disk;
  uint64_t size;
  uint8_t byte;

  test_run ("qemu-img create -q -f raw src.raw 24M && qemu-io -f raw "
            "-c 'write -P 0x11 0 64k' -c 'write -P 0x22 5M 1M' "
            "-c 'write -P 0x33 24572k 4k' src.raw >/dev/null");
  test_run ("%s src.raw %s", create, name);
  size = test_file_size (name);
  /* junk before (a member) and after (the next member, in a hole) */
  test_run ("head -c 3584 /dev/urandom > outer.bin && cat %s >> outer.bin "
            "&& head -c $(( (512 - %" PRIu64 " %% 512) %% 512 )) /dev/zero "
            ">> outer.bin && truncate -s +8M outer.bin && "
            "head -c 4096 /dev/urandom >> outer.bin", name, size);
  d.path = test_printf ("%s/outer.bin", test_dir ());
  d.file_base = 3584;
  d.file_length = size;
  ot_compare_window_with_qemu (&d, name, qemu_format);

  disk = disk_open_window (d.path, d.file_base, d.file_length, NULL, 0);
  CHECK (disk != NULL);
  CHECK (disk_file_size (disk) == (int64_t) size);
  CHECK (disk_file_pread (disk, &byte, 1, size) == -1);
  CHECK (strstr (error_message (), "unexpected end of file") != NULL);
  disk_close (disk);
  /* the window must lie inside the file */
  CHECK (disk_open_window (d.path, test_file_size ("outer.bin") - 512, 1024,
                           NULL, 0) == NULL);
  CHECK (strstr (error_message (), "past the end of the file") != NULL);
  /* and is read-only */
  CHECK (disk_open_window (d.path, d.file_base, d.file_length, NULL,
                           DISK_OPEN_WRITE) == NULL);
  fprintf (stderr, "%s: ok\n", name);
}

int
main (void)
{
  test_init (true);
  check_format ("a.qcow2", "qemu-img convert -O qcow2", NULL);
  check_format ("a.raw", "qemu-img convert -O raw", NULL);
  check_format ("a-stream.vmdk",
                "qemu-img convert -O vmdk -o subformat=streamOptimized",
                NULL);
  check_format ("a-sparse.vmdk",
                "qemu-img convert -O vmdk -o subformat=monolithicSparse",
                NULL);
  /* qemu-img probes a fixed VHD as raw: tell it */
  check_format ("a-fixed.vhd", "qemu-img convert -O vpc -o subformat=fixed",
                "vpc");
  check_format ("a-dyn.vhd", "qemu-img convert -O vpc -o subformat=dynamic",
                NULL);
  check_format ("a.vhdx", "qemu-img convert -O vhdx", NULL);
  return 0;
}
