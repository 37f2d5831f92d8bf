/* cmd_adapt.c: `ferry adapt DISK... [--nic MAC[@SLOT]]... [--dry-run]
 * [--json]`: make a VMware Linux guest boot on KVM, in place (see
 * src/convert/convert.h), or with --dry-run only say what the guest is.
 * It never copies: the user adapts a copy. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "convert/convert.h"
#include "disk/disk.h"
#include "util/error.h"
#include "util/json.h"
#include "vm/vm.h"

/* The highest PCI slot number VMware gives a NIC. */
#define ADAPT_PCI_SLOT_MAX 65535

static void
adapt_usage (FILE *fp)
{
  fprintf (fp,
           "Usage: ferry adapt [OPTIONS] DISK...\n"
           "\n"
           "Adapt the Linux guest on DISK... (in the guest's order, system disk\n"
           "first) from VMware to KVM, IN PLACE: VirtIO drivers in every\n"
           "initramfs, disks named by UUID, the NICs' old names pinned to their\n"
           "MACs, VMware tools removed, a serial console.  Adapt a copy.\n"
           "\n"
           "  -n, --nic MAC[@SLOT]    a NIC of the source VM, with its VMware PCI\n"
           "                          slot (ethernetN.pciSlotNumber); repeat per NIC\n"
           "      --dry-run           only inspect the guest (writes nothing)\n"
           "      --keep-vmware-tools leave open-vm-tools installed\n"
           "      --no-serial-console do not add console=ttyS0\n"
           "      --json              print the report as JSON\n"
           "  -h, --help              this help\n");
}

/* "MAC[@SLOT]" into nic (mac points into a buffer of the caller's): 0, or
 * -1 after saying why. */
static int
adapt_nic_arg (char *arg, char mac[VM_MAC_SIZE], struct convert_nic *nic)
{
  char *at = strchr (arg, '@');

  nic->pci_slot = 0;
  if (at) {
    char *end;
    unsigned long slot;
    *at = '\0';
    slot = strtoul (at + 1, &end, 10);
    if (at[1] < '1' || at[1] > '9' || *end != '\0' || slot > ADAPT_PCI_SLOT_MAX) {
      cli_error ("adapt: --nic: expected a PCI slot number from 1 to %d "
                 "after '@', got '%s'", ADAPT_PCI_SLOT_MAX, at + 1);
      return -1;
    }
    nic->pci_slot = slot;
  }
  if (!vm_mac_normalize (arg, mac)) {
    cli_error ("adapt: --nic: expected a MAC address (00:50:56:aa:bb:cc), "
               "got '%s'", arg);
    return -1;
  }
  nic->mac = mac;
  return 0;
}

/* libguestfs's (QEMU's) name for a format ferry found. */
static const char *
adapt_qemu_format (const char *name)
{
  return strcmp (name, "vhd") == 0 ? "vpc" : name;
}

static void
adapt_print_report (const json_t *report)
{
  const json_t *steps = json_object_get (report, "steps"), *st, *d;
  const json_t *changes = json_object_get (report, "changes");
  size_t i, j;

  json_array_foreach (steps, i, st) {
    printf ("%-13s %s\n", json_string_value (json_object_get (st, "step")),
            json_string_value (json_object_get (st, "result")));
    json_array_foreach (json_object_get (st, "details"), j, d)
      printf ("  %s\n", json_string_value (d));
  }
  printf ("%zu change(s)\n", json_array_size (changes));
}

static void
adapt_print_os (const json_t *os)
{
  const json_t *bl = json_object_get (os, "bootloader"), *k, *n;
  size_t i;

  printf ("os: %s %s (%s)\n", json_string_value (json_object_get (os, "type")),
          json_string_value (json_object_get (os, "distro")),
          json_string_value (json_object_get (os, "product-name")));
  printf ("root: %s\n", json_string_value (json_object_get (os, "root")));
  if (json_object_get (os, "firmware") == NULL)
    return;
  printf ("firmware: %s\n",
          json_string_value (json_object_get (os, "firmware")));
  printf ("bootloader: %s\n", json_string_value (json_object_get (bl, "type"))
          ? json_string_value (json_object_get (bl, "type"))
          : json_string_value (json_object_get (bl, "error")));
  json_array_foreach (json_object_get (os, "kernels"), i, k)
    printf ("kernel: %s\n", json_string_value (json_object_get (k, "version")));
  json_array_foreach (json_object_get (json_object_get (os, "network"),
                                      "interfaces"), i, n)
    printf ("interface: %s (%s)\n",
            json_string_value (json_object_get (n, "name")),
            json_string_value (json_object_get (n, "style")));
}

int
cmd_adapt (int argc, char **argv)
{
  enum { OPT_DRY_RUN = 256, OPT_JSON, OPT_KEEP_TOOLS, OPT_NO_CONSOLE };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "nic", required_argument, NULL, 'n' },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "json", no_argument, NULL, OPT_JSON },
    { "keep-vmware-tools", no_argument, NULL, OPT_KEEP_TOOLS },
    { "no-serial-console", no_argument, NULL, OPT_NO_CONSOLE },
    { NULL, 0, NULL, 0 },
  };
  struct convert_options options = { 0 };
  struct convert_nic *nics = NULL;
  char (*macs)[VM_MAC_SIZE] = NULL;
  struct convert_disk *disks = NULL;
  bool dry_run = false, json = false;
  size_t nr_nics = 0, n;
  json_t *result = NULL;
  int c, r, status = EXIT_ERROR;

  /* every argument could be a --nic */
  nics = calloc (argc, sizeof *nics);
  macs = calloc (argc, sizeof *macs);
  disks = calloc (argc, sizeof *disks);
  if (nics == NULL || macs == NULL || disks == NULL) {
    cli_error ("adapt: out of memory");
    goto out;
  }
  while ((c = getopt_long (argc, argv, "+:hn:", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': adapt_usage (stdout); status = 0; goto out;
    case 'n':
      if (adapt_nic_arg (optarg, macs[nr_nics], &nics[nr_nics]) == -1)
        goto out;
      nr_nics++;
      break;
    case OPT_DRY_RUN: dry_run = true; break;
    case OPT_JSON: json = true; break;
    case OPT_KEEP_TOOLS: options.keep_vmware_tools = true; break;
    case OPT_NO_CONSOLE: options.no_serial_console = true; break;
    default: status = cli_option_error ("adapt", c, argv); goto out;
    }
  }
  n = argc - optind;
  if (n == 0) {
    cli_error ("adapt: expected at least one DISK");
    status = cli_usage_error ("adapt");
    goto out;
  }
  /* The format is ferry's finding, never libguestfs's guess. */
  for (size_t i = 0; i < n; i++) {
    struct disk *d = disk_open (argv[optind + i], NULL, 0);
    if (d == NULL) {
      status = cli_fail ();
      goto out;
    }
    disks[i].path = argv[optind + i];
    disks[i].format = adapt_qemu_format (d->driver->name);
    disk_close (d);
  }
  if (dry_run)
    r = convert_inspect (disks, n, &result);
  else
    r = convert_adapt (disks, n, nics, nr_nics, &options, &result);
  if (result) {
    if (json) {
      json_t *doc = dry_run ? json_pack ("{sO}", "os", result)
                            : json_incref (result);
      int p = json_print (stdout, doc);
      json_decref (doc);
      if (p == -1 && r == 0) {
        status = cli_fail ();
        goto out;
      }
    }
    else if (dry_run)
      adapt_print_os (result);
    else
      adapt_print_report (result);
  }
  status = r == 0 ? 0 : cli_fail ();
 out:
  json_decref (result);
  free (disks);
  free (macs);
  free (nics);
  return status;
}
