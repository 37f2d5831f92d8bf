/* guestOS identifiers map to an OS family; unknown ones stay unknown. */
#include "vmxtest.h"

static const struct {
  const char *id;
  enum vm_os_family family;
} cases[] = {
  { "windows9-64", VM_OS_WINDOWS },
  { "windows2019srv-64", VM_OS_WINDOWS },
  { "windows2019srvNext-64", VM_OS_WINDOWS },
  { "winNetEnterprise", VM_OS_WINDOWS },
  { "winXPPro", VM_OS_WINDOWS },
  { "longhorn-64", VM_OS_WINDOWS },
  { "ubuntu-64", VM_OS_LINUX },
  { "rhel8-64", VM_OS_LINUX },
  { "centos", VM_OS_LINUX },
  { "centos7-64", VM_OS_LINUX },
  { "debian11-64", VM_OS_LINUX },
  { "otherlinux", VM_OS_LINUX },
  { "other5xlinux-64", VM_OS_LINUX },
  { "other26xLinux-64", VM_OS_LINUX },
  { "sles15-64", VM_OS_LINUX },
  { "oraclelinux", VM_OS_LINUX },
  { "oracleLinux8-64", VM_OS_LINUX },
  { "vmwarePhoton64", VM_OS_LINUX },
  { "amazonlinux2-64", VM_OS_LINUX },
  { "rockylinux-64", VM_OS_LINUX },
  { "freebsd12-64", VM_OS_OTHER },
  { "solaris11-64", VM_OS_OTHER },
  { "darwin19-64", VM_OS_OTHER },
  { "netware6", VM_OS_OTHER },
  { "other", VM_OS_UNKNOWN },
  { "other-64", VM_OS_UNKNOWN },
  { "otherGuest64", VM_OS_UNKNOWN },
  { "somethingNew-64", VM_OS_UNKNOWN },
};

int
main (void)
{
  test_init (false);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct vm vm = VM_INIT;
    char *text = test_printf ("guestOS = \"%s\"\n", cases[i].id);

    test_write_text ("os.vmx", text);
    vt_read ("os.vmx", &vm);
    CHECK_STREQ (vm.guest_os, cases[i].id);
    if (vm.os_family != cases[i].family)
      FAIL ("%s: family %s, expected %s", cases[i].id,
            vm_os_family_name (vm.os_family),
            vm_os_family_name (cases[i].family));
    vm_free (&vm);
  }
  {
    struct vm vm = VM_INIT;
    test_write_text ("os.vmx", "displayName = \"no guest\"\n");
    vt_read ("os.vmx", &vm);
    CHECK (vm.guest_os == NULL && vm.os_family == VM_OS_UNKNOWN);
    vm_free (&vm);
  }
  return 0;
}
