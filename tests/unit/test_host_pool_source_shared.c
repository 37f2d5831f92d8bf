/* Two network pools with the same source (type, hosts, export directory,
 * device, name, format) hold the same volumes; a different server, export
 * or type does not, whatever the local mount point; a pool of local
 * storage has no source to compare (host/storage.h). */
#include <stdlib.h>
#include <string.h>

#include "host/storage.h"
#include "test.h"

static char *
key (const char *xml)
{
  char *k;

  CHECK (host_pool_source (xml, "p", &k) == 0);
  return k;
}

#define NETFS(server, dir, mount)                                           \
  "<pool type='netfs'><name>p</name><source><host name='" server "'/>"      \
  "<dir path='" dir "'/><format type='nfs'/></source><target><path>"       \
  mount "</path></target></pool>"

int
main (void)
{
  char *a = key (NETFS ("nfs1", "/export/vms", "/var/lib/libvirt/vms"));
  char *same = key (NETFS ("nfs1", "/export/vms", "/mnt/vms"));
  char *server = key (NETFS ("nfs2", "/export/vms", "/var/lib/libvirt/vms"));
  char *dir = key (NETFS ("nfs1", "/export/other", "/var/lib/libvirt/vms"));
  char *gluster = key ("<pool type='gluster'><name>p</name><source>"
                       "<host name='nfs1'/><dir path='/export/vms'/>"
                       "<name>vol</name></source></pool>");
  char *iscsi1 = key ("<pool type='iscsi'><name>p</name><source>"
                      "<host name='san' port='3260'/><device path='iqn."
                      "2026-01.example:vms'/></source><target><path>/dev/"
                      "disk/by-path</path></target></pool>");
  char *iscsi2 = key ("<pool type='iscsi'><name>q</name><source>"
                      "<host name='san' port='3260'/><device path='iqn."
                      "2026-01.example:vms'/></source></pool>");
  char *local = key ("<pool type='dir'><name>p</name><target><path>"
                     "/var/lib/libvirt/images</path></target></pool>");
  char *fs = key ("<pool type='fs'><name>p</name><source><device "
                  "path='/dev/sdb1'/></source><target><path>/vms</path>"
                  "</target></pool>");
  char *bad;

  CHECK (a && same && server && dir && gluster && iscsi1 && iscsi2);
  CHECK (strcmp (a, same) == 0);
  CHECK (strcmp (a, server) != 0);
  CHECK (strcmp (a, dir) != 0);
  CHECK (strcmp (a, gluster) != 0);
  CHECK (strcmp (iscsi1, iscsi2) == 0);
  CHECK (local == NULL);
  CHECK (fs == NULL);         /* a local disk, even with a <source> */
  CHECK (host_pool_source ("not xml", "p", &bad) == -1);
  CHECK (strstr (error_message (), "storage pool p") != NULL);
  free (a); free (same); free (server); free (dir); free (gluster);
  free (iscsi1); free (iscsi2);
  return 0;
}
