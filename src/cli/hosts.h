/* hosts.h: the registered KVM hosts, for the commands that use them
 * (cmd_host.c, cmd_cpu.c, cmd_live.c).  See hosts.c. */
#ifndef FERRY_CLI_HOSTS_H
#define FERRY_CLI_HOSTS_H

#include <libvirt/libvirt.h>

#include "plan/store.h"

/* The store at db (NULL: store_default_path()); NULL with the error set. */
struct store *cli_store_open (const char *db);
/* Every registered host, from the store at db (NULL: the default). */
int cli_hosts_load (const char *db, store_host_vector *out);
/* The host called name, or NULL. */
const struct store_host *cli_host_find (const store_host_vector *hosts,
                                        const char *name);
/* Connect to a registered host; NULL with the error set. */
virConnectPtr cli_host_connect (const struct store_host *h);
/* Where the domain of spec ("NAME", running on exactly one registered
 * host, or "NAME@HOST", running or not) is: its host, a connection to it
 * and its name (malloc'd).  0, or -1 with the error set. */
int cli_domain_locate (const store_host_vector *hosts, const char *spec,
                       const struct store_host **host, virConnectPtr *conn,
                       char **name);

#endif
