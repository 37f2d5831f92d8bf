/* vmxtest.h: helpers of the VMX source tests.
 *
 * Fixtures are VM folders made in the test directory: .vmx files laid out
 * the way ESXi writes them (see vt_write_esxi_vmx), disks as ESXi leaves
 * them on a datastore (a "createType=vmfs" descriptor and a -flat.vmdk,
 * vt_write_vmfs_disk), snapshot deltas made by the real qemu-img.
 * Every helper fails the test itself.
 */
#ifndef FERRY_TESTS_VMXTEST_H
#define FERRY_TESTS_VMXTEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "imagetest.h"
#include "source/vmx.h"
#include "util/log.h"

#define MiB (UINT64_C (1) << 20)

#define CHECK_STREQ(a, b)                                                   \
  do {                                                                      \
    const char *a_ = (a), *b_ = (b);                                        \
    if ((a_ == NULL) != (b_ == NULL) || (a_ && strcmp (a_, b_) != 0))       \
      FAIL ("%s is \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)",       \
            b_ ? b_ : "(null)");                                            \
  } while (0)

/* A .vmx as ESXi writes it: the configuration header, the test's device
 * and machine lines (body), then what ESXi appends on first power-on
 * (uuids, PCI slots, nvram, bridges). */
static inline void __attribute__ ((unused))
vt_write_esxi_vmx (const char *name, unsigned hw_version, const char *body)
{
  char *text = test_printf (
    ".encoding = \"UTF-8\"\n"
    "config.version = \"8\"\n"
    "virtualHW.version = \"%u\"\n"
    "vmci0.present = \"TRUE\"\n"
    "floppy0.present = \"FALSE\"\n"
    "%s"
    "bios.bootRetry.delay = \"10\"\n"
    "powerType.suspend = \"soft\"\n"
    "tools.upgrade.policy = \"manual\"\n"
    "sched.cpu.units = \"mhz\"\n"
    "vm.createDate = \"1617290412829360\"\n"
    "toolScripts.afterPowerOn = \"TRUE\"\n"
    "toolScripts.afterResume = \"TRUE\"\n"
    "toolScripts.beforeSuspend = \"TRUE\"\n"
    "toolScripts.beforePowerOff = \"TRUE\"\n"
    "tools.syncTime = \"FALSE\"\n"
    "nvram = \"web01.nvram\"\n"
    "svga.present = \"TRUE\"\n"
    "pciBridge0.present = \"TRUE\"\n"
    "pciBridge4.present = \"TRUE\"\n"
    "pciBridge4.virtualDev = \"pcieRootPort\"\n"
    "pciBridge4.functions = \"8\"\n"
    "pciBridge5.present = \"TRUE\"\n"
    "pciBridge5.virtualDev = \"pcieRootPort\"\n"
    "pciBridge5.functions = \"8\"\n"
    "pciBridge6.present = \"TRUE\"\n"
    "pciBridge6.virtualDev = \"pcieRootPort\"\n"
    "pciBridge6.functions = \"8\"\n"
    "pciBridge7.present = \"TRUE\"\n"
    "pciBridge7.virtualDev = \"pcieRootPort\"\n"
    "pciBridge7.functions = \"8\"\n"
    "hpet0.present = \"TRUE\"\n"
    "RemoteDisplay.maxConnections = \"-1\"\n"
    "sched.cpu.latencySensitivity = \"normal\"\n"
    "numa.autosize.cookie = \"40012\"\n"
    "numa.autosize.vcpu.maxPerVirtualNode = \"4\"\n"
    "uuid.location = \"56 4d 9c 1e 5a 0b 7f 2d-8e 41 c3 6a 7b 90 12 ef\"\n"
    "pciBridge0.pciSlotNumber = \"17\"\n"
    "pciBridge4.pciSlotNumber = \"21\"\n"
    "pciBridge5.pciSlotNumber = \"22\"\n"
    "pciBridge6.pciSlotNumber = \"23\"\n"
    "pciBridge7.pciSlotNumber = \"24\"\n"
    "scsi0.pciSlotNumber = \"160\"\n"
    "ethernet0.pciSlotNumber = \"192\"\n"
    "vmci0.pciSlotNumber = \"32\"\n"
    "scsi0.sasWWID = \"50 05 05 6e 1a 0b 7f 20\"\n"
    "vmci0.id = \"1385961199\"\n"
    "monitor.phys_bits_used = \"45\"\n"
    "cleanShutdown = \"TRUE\"\n"
    "softPowerOff = \"FALSE\"\n"
    "svga.guestBackedPrimaryAware = \"TRUE\"\n"
    "tools.remindInstall = \"FALSE\"\n"
    "migrate.hostLog = \"web01-8f2b4a1c.hlog\"\n"
    "sched.cpu.min = \"0\"\n"
    "sched.cpu.shares = \"normal\"\n"
    "sched.mem.min = \"0\"\n"
    "sched.mem.minSize = \"0\"\n"
    "sched.mem.shares = \"normal\"\n"
    "migrate.encryptionMode = \"opportunistic\"\n"
    "ftcpt.ftEncryptionMode = \"ftEncryptionOpportunistic\"\n",
    hw_version, body);

  test_write_text (name, text);
}

/* An ESXi datastore disk: descriptor NAME.vmdk (createType "vmfs") and a
 * sparse NAME-flat.vmdk of `mib` MiB. */
static inline void __attribute__ ((unused))
vt_write_vmfs_disk (const char *name, unsigned mib)
{
  char *desc = test_printf (
    "# Disk DescriptorFile\n"
    "version=1\n"
    "encoding=\"UTF-8\"\n"
    "CID=5d8c2a1f\n"
    "parentCID=ffffffff\n"
    "createType=\"vmfs\"\n"
    "\n"
    "# Extent description\n"
    "RW %u VMFS \"%s-flat.vmdk\"\n"
    "\n"
    "# The Disk Data Base\n"
    "#DDB\n"
    "\n"
    "ddb.adapterType = \"lsilogic\"\n"
    "ddb.geometry.cylinders = \"%u\"\n"
    "ddb.geometry.heads = \"255\"\n"
    "ddb.geometry.sectors = \"63\"\n"
    "ddb.longContentID = \"3e1f0c2b9a8d7e6f5a4b3c2d5d8c2a1f\"\n"
    "ddb.thinProvisioned = \"1\"\n"
    "ddb.uuid = \"60 00 C2 9d 41 3a 7e 55-0b 6e 2f 19 8c 4d a7 31\"\n"
    "ddb.virtualHWVersion = \"19\"\n",
    mib * 2048, strrchr (name, '/') ? strrchr (name, '/') + 1 : name,
    mib * 2048 / (255 * 63) + 1);
  char *file = test_printf ("%s.vmdk", name);
  char *flat = test_printf ("%s-flat.vmdk", name);

  test_write_text (file, desc);
  test_write_file (flat, "", 0);
  test_truncate (flat, (uint64_t) mib * MiB);
}

/* A raw device mapping descriptor (VMFSRDM or VMFSRAW) without its
 * mapping file, as copied off a datastore. */
static inline void __attribute__ ((unused))
vt_write_rdm_disk (const char *name, const char *extent_type,
                   uint64_t sectors)
{
  char *desc = test_printf (
    "# Disk DescriptorFile\n"
    "version=1\n"
    "encoding=\"UTF-8\"\n"
    "CID=7a3c9e01\n"
    "parentCID=ffffffff\n"
    "createType=\"%s\"\n"
    "\n"
    "# Extent description\n"
    "RW %" PRIu64 " %s \"%s-rdm%s.vmdk\"\n"
    "\n"
    "# The Disk Data Base\n"
    "#DDB\n"
    "\n"
    "ddb.adapterType = \"lsilogic\"\n"
    "ddb.virtualHWVersion = \"19\"\n",
    strcmp (extent_type, "VMFSRAW") == 0 ? "vmfsPassthroughRawDeviceMap"
    : "vmfsRawDeviceMap", sectors, extent_type, name,
    strcmp (extent_type, "VMFSRAW") == 0 ? "p" : "");
  char *file = test_printf ("%s.vmdk", name);

  test_write_text (file, desc);
}

/* vmx_read must succeed. */
static inline void __attribute__ ((unused))
vt_read (const char *name, struct vm *vm)
{
  char *path = test_path (name);

  if (vmx_read (path, vm) == -1)
    FAIL ("vmx_read %s: %s", name, error_message ());
  free (path);
}

/* vmx_read must fail with a message containing each of the NULL-ended
 * strings, and leave the model empty. */
static inline void __attribute__ ((unused, sentinel))
vt_expect_fails (const char *name, ...)
{
  struct vm vm = VM_INIT;
  va_list ap;
  const char *want;
  char *path = test_path (name);

  error_clear ();
  if (vmx_read (path, &vm) != -1)
    FAIL ("vmx_read %s succeeded, expected an error", name);
  free (path);
  fprintf (stderr, "error (as expected): %s\n", error_message ());
  va_start (ap, name);
  while ((want = va_arg (ap, const char *)) != NULL)
    if (strstr (error_message (), want) == NULL)
      FAIL ("error \"%s\" does not contain \"%s\"", error_message (), want);
  va_end (ap);
  CHECK (vm.name == NULL && vm.source == NULL && vm.disks.len == 0
         && vm.nics.len == 0);
}

/* vmx_file_parse on a string must fail with a message containing want. */
static inline void __attribute__ ((unused))
vt_parse_fails (const char *text, size_t len, const char *want)
{
  struct vmx_file *f = (struct vmx_file *) 1;

  error_clear ();
  if (vmx_file_parse (text, len, "test.vmx", &f) != -1)
    FAIL ("vmx_file_parse succeeded, expected \"%s\"", want);
  CHECK (f == NULL);
  fprintf (stderr, "error (as expected): %s\n", error_message ());
  if (strstr (error_message (), want) == NULL)
    FAIL ("error \"%s\" does not contain \"%s\"", error_message (), want);
}

#endif
