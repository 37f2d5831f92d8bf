/* A BIOS Linux VM in VirtIO mode: q35 with SeaBIOS, VirtIO devices, UTC
 * clock, no Hyper-V, and everything the source recorded kept. */
#include <string.h>

#include "vmxmltest.h"

int
main (void)
{
  struct vm vm;

  vmxt_init ();
  vmxt_base (&vm);
  struct vm_xml_options o = vmxt_options (&vm);
  xmlDocPtr doc = vmxt_generate (&vm, &o);

  EXPECT_STRING (doc, "kvm", "/domain/@type");
  EXPECT_STRING (doc, "web01", "/domain/name");
  EXPECT_STRING (doc, VMXT_UUID, "/domain/uuid");
  EXPECT_STRING (doc, "MiB", "/domain/memory/@unit");
  EXPECT_STRING (doc, "2048", "/domain/memory");
  EXPECT_STRING (doc, "2", "/domain/vcpu");
  EXPECT_STRING (doc, "host-model", "/domain/cpu/@mode");
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@sockets");
  EXPECT_STRING (doc, "2", "/domain/cpu/topology/@cores");
  EXPECT_STRING (doc, "1", "/domain/cpu/topology/@threads");

  EXPECT_STRING (doc, "hvm", "/domain/os/type");
  EXPECT_STRING (doc, "q35", "/domain/os/type/@machine");
  EXPECT_STRING (doc, "x86_64", "/domain/os/type/@arch");
  EXPECT_COUNT (doc, 0, "/domain/os/loader");
  EXPECT_COUNT (doc, 0, "/domain/os/nvram");
  EXPECT_COUNT (doc, 1, "/domain/os/boot[@dev='hd']");

  EXPECT_COUNT (doc, 1, "/domain/features/acpi");
  EXPECT_COUNT (doc, 1, "/domain/features/apic");
  EXPECT_COUNT (doc, 0, "/domain/features/hyperv");
  EXPECT_COUNT (doc, 0, "/domain/features/smm");
  EXPECT_STRING (doc, "utc", "/domain/clock/@offset");
  EXPECT_STRING (doc, "catchup", "/domain/clock/timer[@name='rtc']/@tickpolicy");
  EXPECT_STRING (doc, "delay", "/domain/clock/timer[@name='pit']/@tickpolicy");
  EXPECT_STRING (doc, "no", "/domain/clock/timer[@name='hpet']/@present");
  EXPECT_COUNT (doc, 0, "/domain/clock/timer[@name='hypervclock']");

  EXPECT_STRING (doc, "destroy", "/domain/on_poweroff");
  EXPECT_STRING (doc, "restart", "/domain/on_reboot");
  EXPECT_STRING (doc, "destroy", "/domain/on_crash");

  EXPECT_COUNT (doc, 0, "/domain/devices/emulator");
  EXPECT_COUNT (doc, 1, "/domain/devices/disk");
  EXPECT_COUNT (doc, 1, "/domain/devices/disk[@type='file'][@device='disk']");
  EXPECT_STRING (doc, "qemu", "/domain/devices/disk/driver/@name");
  EXPECT_STRING (doc, "qcow2", "/domain/devices/disk/driver/@type");
  EXPECT_STRING (doc, "none", "/domain/devices/disk/driver/@cache");
  EXPECT_STRING (doc, "unmap", "/domain/devices/disk/driver/@discard");
  EXPECT_STRING (doc, "/var/lib/libvirt/images/web01-disk0.qcow2",
                 "/domain/devices/disk/source/@file");
  EXPECT_STRING (doc, "vda", "/domain/devices/disk/target/@dev");
  EXPECT_STRING (doc, "virtio", "/domain/devices/disk/target/@bus");
  EXPECT_COUNT (doc, 0, "/domain/devices/disk/shareable");
  EXPECT_COUNT (doc, 0, "/domain/devices/disk/transient");
  EXPECT_COUNT (doc, 0, "/domain/devices/disk/@snapshot");

  EXPECT_COUNT (doc, 1, "/domain/devices/interface[@type='network']");
  EXPECT_STRING (doc, "virtio", "/domain/devices/interface/model/@type");
  EXPECT_COUNT (doc, 0, "/domain/devices/interface/link");

  EXPECT_COUNT (doc, 1, "/domain/devices/controller");
  EXPECT_COUNT (doc, 1, "/domain/devices/controller[@type='usb'][@model='none']");
  EXPECT_COUNT (doc, 0, "/domain/devices/input");
  EXPECT_COUNT (doc, 1, "/domain/devices/serial[@type='pty']/target[@port='0']");
  EXPECT_COUNT (doc, 1, "/domain/devices/console[@type='pty']/target[@type='serial'][@port='0']");
  EXPECT_COUNT (doc, 1, "/domain/devices/channel[@type='unix']/target[@type='virtio'][@name='org.qemu.guest_agent.0']");
  EXPECT_COUNT (doc, 0, "/domain/devices/tpm");
  EXPECT_COUNT (doc, 1, "/domain/devices/memballoon[@model='virtio']");
  EXPECT_STRING (doc, "/dev/urandom",
                 "/domain/devices/rng[@model='virtio']/backend[@model='random']");
  EXPECT_COUNT (doc, 1, "/domain/devices/video/model[@type='virtio']");
  EXPECT_COUNT (doc, 1, "/domain/devices/graphics[@type='vnc']");
  EXPECT_STRING (doc, "127.0.0.1",
                 "/domain/devices/graphics/listen[@type='address']/@address");
  /* Nothing but what is listed above. */
  EXPECT_COUNT (doc, 10, "/domain/devices/*");

  vm_free (&vm);
  return vmxt_finish ();
}
