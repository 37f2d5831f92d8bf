/* /etc/network/interfaces: auto, allow-hotplug and iface stanzas name
 * interfaces (lo is not one, an alias ens192:1 is ens192); hwaddress in
 * a stanza is that interface's MAC. */
#include "converttest.h"

int
main (void)
{
  test_netconf ("ifupdown", "interfaces",
                "source /etc/network/interfaces.d/*\n"
                "auto lo\n"
                "iface lo inet loopback\n"
                "\n"
                "auto ens192\n"
                "iface ens192 inet static\n"
                "    address 192.168.122.50/24\n"
                "    gateway 192.168.122.1\n"
                "# iface eth9 inet dhcp\n"
                "allow-hotplug ens224 ens256\n"
                "iface ens224 inet dhcp\n"
                "\thwaddress ether 00:50:56:AA:BB:CC\n"
                "iface ens192:1 inet static\n"
                "    address 10.0.0.2/8\n",
                "ens192/- ens224/00:50:56:aa:bb:cc ens256/-");
  return 0;
}
