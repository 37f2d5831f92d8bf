/* ifcfg (Red Hat network-scripts, SUSE wicked): DEVICE= (else the NAME of
 * ifcfg-NAME) and HWADDR=, quoted or not. */
#include "converttest.h"

int
main (void)
{
  test_netconf ("ifcfg", "ifcfg-ens192",
                "TYPE=Ethernet\nBOOTPROTO=none\nDEVICE=ens192\n"
                "HWADDR=\"00:50:56:8f:01:02\"\nIPADDR=10.2.0.9\n",
                "ens192/00:50:56:8f:01:02");
  test_netconf ("wicked", "ifcfg-eth0",
                "BOOTPROTO='static'\nIPADDR='10.3.0.4/24'\nSTARTMODE='auto'\n",
                "eth0/-");
  test_netconf ("ifcfg", "ifcfg-lo", "DEVICE=lo\nIPADDR=127.0.0.1\n", "");
  return 0;
}
