/* A NIC's old name: the configured interface matching its MAC first,
 * then ens<VMware PCI slot>, then the one configured interface when the
 * VM has one NIC; none otherwise. */
#include "converttest.h"

static const char *
old_name (const struct convert_nic *nics, size_t n, size_t i,
          const convert_iface_vector *v, char name[64])
{
  name[0] = '\0';
  return convert_nic_old_name (nics, n, i, v, name);
}

int
main (void)
{
  convert_iface_vector v = empty_vector;
  struct convert_nic two[] = {
    { .mac = "00:50:56:AA:00:01", .pci_slot = 192 },
    { .mac = "00:50:56:aa:00:02", .pci_slot = 224 },
  };
  struct convert_nic one_no_slot[] = { { .mac = "00:50:56:aa:00:09" } };
  char name[64];

  CHECK (convert_netconf_parse ("ifupdown", "interfaces",
                                "auto eth0\niface eth0 inet dhcp\n"
                                "\thwaddress 00:50:56:aa:00:01\n", &v) == 0);
  /* the MAC match wins over the slot */
  CHECK (old_name (two, 2, 0, &v, name) != NULL && strcmp (name, "eth0") == 0);
  /* no MAC match: the slot */
  CHECK (old_name (two, 2, 1, &v, name) != NULL
         && strcmp (name, "ens224") == 0);
  /* no match, no slot, one NIC and one configured interface */
  CHECK (old_name (one_no_slot, 1, 0, &v, name) != NULL
         && strcmp (name, "eth0") == 0);
  /* ... but not with two NICs */
  two[1].pci_slot = 0;
  CHECK (old_name (two, 2, 1, &v, name) == NULL);
  /* ... nor with two configured interfaces */
  CHECK (convert_netconf_parse ("networkd", "x.network",
                                "[Match]\nName=ens256\n", &v) == 0);
  CHECK (old_name (one_no_slot, 1, 0, &v, name) == NULL);
  free (v.ptr);
  return 0;
}
