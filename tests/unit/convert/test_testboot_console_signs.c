/* test_testboot_console_signs: how the test boot reads the console and
 * treats QEMU, with a stand-in for qemu-system-x86_64 (a script first in
 * PATH that prints what a guest would and records its arguments):
 *  - a login prompt that ends without a newline is a proof of life (the
 *    default marker);
 *  - each failure sign ("Kernel panic", "ALERT!", "Gave up waiting for
 *    root", the "grub rescue>" prompt) gives "failed" with the line;
 *  - QEMU ending before a proof of life gives "failed" with its message,
 *    or saying that the guest powered off or reset;
 *  - a QEMU that ignores SIGTERM is killed after the grace, with the
 *    process it started, and reaped;
 *  - a Ctrl-C (util/interrupt.h) stops the boot at once, cleaned up;
 *  - QEMU's arguments: one argv entry each, an overlay per disk (never
 *    the disk) on virtio-blk with commas doubled, a virtio-net NIC per MAC
 *    on a restricted user network, the memory.
 * The real guests are booted by the other test_testboot_* tests. */
#include <signal.h>

#include "boottest.h"
#include "util/interrupt.h"

static const char fake[] =
  "#!/bin/sh\n"
  "case \"$*\" in *isa-debug-exit*) exit 1 ;; esac\n"  /* no KVM probe */
  "for a; do printf '%s\\n' \"$a\"; done > \"$FAKE_DIR/args\"\n"
  "[ -z \"$FAKE_IGNORE_TERM\" ] || trap '' TERM\n"
  "printf \"$FAKE_CONSOLE\"\n"
  "printf \"$FAKE_STDERR\" >&2\n"
  "[ -z \"$FAKE_EXIT\" ] || exit \"$FAKE_EXIT\"\n"
  "sleep 60 &\n"
  "echo $! > \"$FAKE_DIR/child\"\n"
  "wait\n";

/* The process the stand-in started is gone (dead: a zombie until
 * whoever adopted it reaps it). */
static void
expect_child_gone (void)
{
  test_run ("s=$(ps -o stat= -p $(cat child)); [ \"${s#Z}\" = \"$s\" ] && "
            "[ -n \"$s\" ] && exit 1; exit 0");
}

static json_t *
run (struct testboot *tb, const char *console, const char *err,
     const char *exit_status, bool ignore_term, double *wall)
{
  setenv ("FAKE_CONSOLE", console, 1);
  setenv ("FAKE_STDERR", err, 1);
  if (exit_status)
    setenv ("FAKE_EXIT", exit_status, 1);
  else
    unsetenv ("FAKE_EXIT");
  if (ignore_term)
    setenv ("FAKE_IGNORE_TERM", "1", 1);
  else
    unsetenv ("FAKE_IGNORE_TERM");
  return bt_boot (tb, wall);
}

static void
expect_failed_by (struct testboot *tb, const char *console, const char *saw)
{
  double wall;
  json_t *r = run (tb, console, "", NULL, false, &wall);

  bt_expect (r, tb, "failed");
  if (strcmp (bt_string (r, "saw"), saw) != 0)
    FAIL ("saw \"%s\", expected \"%s\"", bt_string (r, "saw"), saw);
  CHECK (wall < 5);
  json_decref (r);
}

int
main (int argc, char **argv)
{
  struct testboot_disk d;
  struct testboot tb;
  double wall;
  json_t *r;

  bt_init (argc, argv);
  test_write_text ("qemu-system-x86_64", fake);
  test_run ("chmod +x qemu-system-x86_64 && mkdir 'work,dir' && "
            "truncate -s 1M disk.raw");
  setenv ("PATH", test_printf ("%s:%s", test_dir (), getenv ("PATH")), 1);
  setenv ("FAKE_DIR", test_dir (), 1);
  d = (struct testboot_disk) { .path = test_printf ("%s/disk.raw",
                                                    test_dir ()) };
  tb = bt_request (&d, NULL, 20);

  /* The prompt, after some boot chatter; the console is copied whole. */
  r = run (&tb, "Debian GNU/Linux 12 web01 ttyS0\\r\\n\\r\\nweb01 login: ", "",
           NULL, false, &wall);
  bt_expect (r, &tb, "booted");
  CHECK (strcmp (bt_string (r, "saw"), "web01 login:") == 0);
  CHECK (strcmp (bt_string (r, "accelerator"), "tcg") == 0);
  test_run ("printf 'Debian GNU/Linux 12 web01 ttyS0\\r\\n\\r\\nweb01 login: ' "
            "| cmp -s - serial.log");
  CHECK (wall < 5);
  json_decref (r);
  /* QEMU and what it started are gone. */
  expect_child_gone ();

  /* The arguments. */
  test_run ("grep -qx -- '-accel' args && grep -qx tcg args");
  test_run ("grep -qx -- '-m' args && grep -qx 256 args");
  test_run ("grep -qx 'user,id=net0,restrict=on' args");
  test_run ("grep -qx 'virtio-net-pci,netdev=net0,mac=52:54:00:fe:77:01' "
            "args");
  test_run ("grep -qx 'virtio-blk-pci,drive=disk0,bootindex=1' args");
  test_run ("grep -qx 'stdio,id=console,signal=off' args");
  test_run ("! grep -q disk.raw args");

  /* Every disk and NIC, each disk through its own overlay. */
  {
    static const char *const macs[] = { "52:54:00:fe:77:01",
                                        "52:54:00:fe:77:02" };
    struct testboot_disk two[2] = { d, { .path = test_printf (
                                           "%s/disk2.raw", test_dir ()),
                                         .format = "raw" } };
    struct testboot t = tb;

    test_run ("truncate -s 2M disk2.raw");
    t.disks = two;
    t.nr_disks = 2;
    t.macs = macs;
    t.nr_nics = 2;
    r = run (&t, "login: ", "", NULL, false, &wall);
    bt_expect (r, &t, "booted");
    json_decref (r);
    test_run ("grep -qx 'virtio-blk-pci,drive=disk1,bootindex=2' args");
    test_run ("grep -qx 'user,id=net1,restrict=on' args");
    test_run ("grep -qx 'virtio-net-pci,netdev=net1,mac=52:54:00:fe:77:02' "
              "args");
    test_run ("test $(grep -c '^if=none,id=disk[01],format=qcow2,file=.*/"
              "disk[01].qcow2$' args) = 2");
    test_run ("! grep -q disk2.raw args");
  }

  /* Commas in a path are doubled inside QEMU's option values. */
  tb.work_dir = test_printf ("%s/work,dir", test_dir ());
  r = run (&tb, "login: ", "", NULL, false, &wall);
  bt_expect (r, &tb, "booted");
  json_decref (r);
  test_run ("grep -qx 'if=none,id=disk0,format=qcow2,file=%s/work,,dir/"
            "ferry-testboot-[A-Za-z0-9]*/disk0.qcow2' args", test_dir ());
  test_run ("rmdir 'work,dir'");
  tb.work_dir = test_printf ("%s/work", test_dir ());

  expect_failed_by (&tb, "[    2.1] Kernel panic - not syncing: VFS\\r\\n",
                    "[    2.1] Kernel panic - not syncing: VFS");
  expect_failed_by (&tb, "ALERT!  /dev/sda1 does not exist.  Dropping to a "
                    "shell!\\r\\n", "ALERT!  /dev/sda1 does not exist.  "
                    "Dropping to a shell!");
  expect_failed_by (&tb, "Gave up waiting for root file system device.\\n",
                    "Gave up waiting for root file system device.");
  expect_failed_by (&tb, "\\033[2Jgrub rescue> ", "?[2Jgrub rescue>");

  /* QEMU gives up before the guest runs. */
  r = run (&tb, "", "qemu-system-x86_64: -drive if=none: Could not open "
           "'x': Permission denied\\n", "1", false, &wall);
  bt_expect (r, &tb, "failed");
  CHECK (bt_string (r, "saw") == NULL);
  CHECK (strstr (bt_string (r, "reason"), "QEMU exited with status 1 before "
                 "a proof of life: qemu-system-x86_64: -drive if=none: "
                 "Could not open 'x': Permission denied"));
  json_decref (r);

  /* SIGTERM ignored: SIGKILL after the grace, the whole group. */
  tb.timeout = 1;
  r = run (&tb, "booting\\r\\n", "", NULL, true, &wall);
  bt_expect (r, &tb, "timeout");
  CHECK (wall >= 1 + 5 && wall < 1 + 5 + 3);
  json_decref (r);
  expect_child_gone ();

  /* The guest resets (QEMU runs with -no-reboot and exits 0). */
  tb.timeout = 20;
  r = run (&tb, "Restarting system.\\r\\n", "", "0", false, &wall);
  bt_expect (r, &tb, "failed");
  CHECK (bt_string (r, "saw") == NULL);
  CHECK (strcmp (bt_string (r, "reason"), "the guest powered off or reset "
                 "before a proof of life") == 0);
  CHECK (wall < 5);
  json_decref (r);
  test_run ("grep -qx -- -no-reboot args");

  /* Ctrl-C during the boot (last: the request to stop stays for the
   * process): an error, QEMU stopped, nothing left. */
  {
    pid_t helper;
    double start = clock_monotonic ();

    CHECK (interrupt_install () == 0);
    setenv ("FAKE_CONSOLE", "booting\\r\\n", 1);
    unsetenv ("FAKE_IGNORE_TERM");
    unsetenv ("FAKE_EXIT");
    helper = fork ();
    CHECK (helper >= 0);
    if (helper == 0) {
      sleep (1);
      kill (getppid (), SIGINT);
      _exit (0);
    }
    r = NULL;
    CHECK (testboot_run (&tb, &r) == -1 && r == NULL);
    CHECK (strstr (error_message (), "interrupted by SIGINT") != NULL);
    CHECK (clock_monotonic () - start < 5);
    CHECK (waitpid (helper, NULL, 0) == helper);
    test_run ("test -z \"$(ls -A work)\"");
    CHECK (waitpid (-1, NULL, WNOHANG) == -1 && errno == ECHILD);
    expect_child_gone ();
  }
  return 0;
}
