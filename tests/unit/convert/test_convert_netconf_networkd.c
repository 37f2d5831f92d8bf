/* systemd-networkd: [Match] Name= (the first of a list; a glob names no
 * one interface) and MACAddress=; a [Match] elsewhere is not it. */
#include "converttest.h"

int
main (void)
{
  test_netconf ("networkd", "ens224.network",
                "# second NIC\n[Match]\nName=ens224\n\n[Network]\n"
                "Address=192.168.124.50/24\n", "ens224/-");
  test_netconf ("networkd", "10-lan.network",
                "[Match]\nMACAddress=00:50:56:01:02:03\nName = eth0 eth1\n",
                "eth0/00:50:56:01:02:03");
  test_netconf ("networkd", "99-all.network",
                "[Match]\nName=en*\n[Network]\nDHCP=yes\n", "");
  test_netconf ("networkd", "x.network",
                "[Network]\nName=wrong\n", "");
  return 0;
}
