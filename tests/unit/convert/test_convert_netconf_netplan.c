/* netplan: each key under ethernets: is an interface, unless it has a
 * match: (then its set-name:, or match's name:) with match's macaddress:;
 * keys of other sections (bridges, vlans) are not. */
#include "converttest.h"

int
main (void)
{
  test_netconf ("netplan", "50-cloud-init.yaml",
                "# written by cloud-init\n"
                "network:\n"
                "  version: 2\n"
                "  ethernets:\n"
                "    ens192:\n"
                "      addresses: [10.0.0.5/24]\n"
                "      gateway4: 10.0.0.1\n"
                "    lan:\n"
                "      match:\n"
                "        macaddress: \"00:50:56:AA:00:02\"\n"
                "      set-name: lan0\n"
                "    byname:\n"
                "      match:\n"
                "        name: ens256\n"
                "      dhcp4: true\n"
                "  bridges:\n"
                "    br0:\n"
                "      interfaces: [ens192]\n",
                "ens192/- lan0/00:50:56:aa:00:02 ens256/-");
  return 0;
}
