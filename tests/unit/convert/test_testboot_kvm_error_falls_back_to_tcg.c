/* test_testboot_kvm_error_falls_back_to_tcg: KVM that passes the probe but
 * fails a real guest ("KVM internal error", QEMU then hangs) costs one
 * attempt: the guest is booted again under TCG on fresh overlays, the
 * result says "tcg", and later boots of the process go straight to TCG.
 * Where /dev/kvm does not open, TCG is chosen without trying KVM at all.
 * QEMU is a stand-in script first in PATH (see
 * test_testboot_console_signs). */
#include <fcntl.h>

#include "boottest.h"

static const char fake[] =
  "#!/bin/sh\n"
  "case \"$*\" in *isa-debug-exit*) echo probe >> \"$FAKE_DIR/calls\"; "
  "exit 67 ;; esac\n"
  "case \"$*\" in\n"
  "  *'-accel kvm'*) echo kvm >> \"$FAKE_DIR/calls\"\n"
  "    printf 'KVM internal error. Suberror: 1\\nemulation failure\\n' >&2 ;;\n"
  "  *'-accel tcg'*) echo tcg >> \"$FAKE_DIR/calls\"; printf 'login: ' ;;\n"
  "esac\n"
  "sleep 60 &\n"
  "wait\n";

int
main (int argc, char **argv)
{
  struct testboot_disk d;
  struct testboot tb;
  double wall;
  json_t *r;
  int fd;
  bool kvm_opens;

  bt_init (argc, argv);
  test_write_text ("qemu-system-x86_64", fake);
  test_run ("chmod +x qemu-system-x86_64 && truncate -s 1M disk.raw");
  setenv ("PATH", test_printf ("%s:%s", test_dir (), getenv ("PATH")), 1);
  setenv ("FAKE_DIR", test_dir (), 1);
  d = (struct testboot_disk) { .path = test_printf ("%s/disk.raw",
                                                    test_dir ()) };
  tb = bt_request (&d, NULL, 20);
  fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);
  kvm_opens = fd >= 0;
  if (fd >= 0)
    close (fd);

  r = bt_boot (&tb, &wall);
  bt_expect (r, &tb, "booted");
  CHECK (strcmp (bt_string (r, "accelerator"), "tcg") == 0);
  json_decref (r);
  if (kvm_opens)
    test_run ("printf 'probe\\nkvm\\ntcg\\n' | cmp -s - calls");
  else {
    fprintf (stderr, "/dev/kvm does not open here: TCG without a probe\n");
    test_run ("printf 'tcg\\n' | cmp -s - calls");
  }

  /* The answer is kept: no probe, no KVM attempt. */
  test_run ("rm calls");
  r = bt_boot (&tb, &wall);
  bt_expect (r, &tb, "booted");
  CHECK (strcmp (bt_string (r, "accelerator"), "tcg") == 0);
  json_decref (r);
  test_run ("printf 'tcg\\n' | cmp -s - calls");
  return 0;
}
