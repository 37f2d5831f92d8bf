/* NetworkManager keyfiles: [connection] interface-name= and [ethernet]
 * mac-address= (older versions end it with ';'). */
#include "converttest.h"

int
main (void)
{
  test_netconf ("networkmanager", "ens192.nmconnection",
                "[connection]\nid=ens192\nuuid=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\n"
                "type=ethernet\ninterface-name=ens192\n\n"
                "[ethernet]\nmac-address=00:50:56:9A:00:01;\n\n"
                "[ipv4]\naddress1=10.1.1.5/24,10.1.1.1\nmethod=manual\n",
                "ens192/00:50:56:9a:00:01");
  test_netconf ("networkmanager", "Wired connection 1",
                "[connection]\nid=Wired connection 1\ntype=ethernet\n", "");
  return 0;
}
