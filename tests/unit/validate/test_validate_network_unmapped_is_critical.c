/* With a network mapping, a NIC whose network has neither an entry nor a
 * default is Critical, naming the NIC and the spec to add; disconnected
 * NICs count too (the domain writer maps every NIC); a NIC without a
 * recorded network takes the default. */
#include "validatetest.h"

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();            /* maps "VM Network" only */
  valt_add_nic (&vm, "DMZ");
  vm.nics.ptr[1].connected = false;

  valt_run (&vm, &ctx, &f);
  valt_expect_only (&f, "network-unmapped", FINDING_CRITICAL, -1, 1,
                    "NIC 1 on network 'DMZ': the network mapping has no "
                    "entry");
  CHECK (strstr (f.ptr[0].message, "--map-network 'DMZ=NETWORK'"));

  ctx.networks = valt_mapping ("VM Network=default", "DMZ=dmz", NULL);
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  ctx.networks = valt_mapping ("VM Network=default", "*=isolated", NULL);
  free (vm.nics.ptr[1].network);
  vm.nics.ptr[1].network = NULL;
  valt_run (&vm, &ctx, &f);
  valt_expect_clean (&f);

  /* An empty mapping maps nothing: the NIC without a network too. */
  static const struct mapping empty = MAPPING_INIT;
  ctx.networks = &empty;
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 2 && valt_count (&f, "network-unmapped") == 2);
  CHECK (f.ptr[1].nic == 1 && strstr (f.ptr[1].message, "network '(none)'"));

  validate_findings_free (&f);
  vm_free (&vm);
  return 0;
}
