/* hosts.c: what `ferry host`, `ferry cpu` and `ferry live` share: the
 * registered hosts (kept in the store, --db PATH), a connection to one by
 * name, and finding where a domain runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hosts.h"
#include "util/error.h"
#include "util/virt.h"

struct store *
cli_store_open (const char *db)
{
  char *path = db ? strdup (db) : store_default_path ();
  struct store *s;

  if (path == NULL) {
    if (db)
      error_set_errno (errno, "strdup");
    return NULL;
  }
  s = store_open (path);
  free (path);
  return s;
}

int
cli_hosts_load (const char *db, store_host_vector *out)
{
  struct store *s = cli_store_open (db);
  int r;

  if (s == NULL)
    return -1;
  r = store_host_list (s, out);
  store_close (s);
  return r;
}

const struct store_host *
cli_host_find (const store_host_vector *hosts, const char *name)
{
  for (size_t i = 0; i < hosts->len; i++)
    if (strcmp (hosts->ptr[i].name, name) == 0)
      return &hosts->ptr[i];
  return NULL;
}

virConnectPtr
cli_host_connect (const struct store_host *h)
{
  virConnectPtr conn = virt_connect (h->uri);

  if (conn == NULL)
    error_prefix ("host %s", h->name);
  return conn;
}

int
cli_domain_locate (const store_host_vector *hosts, const char *spec,
                   const struct store_host **host, virConnectPtr *conn,
                   char **name)
{
  const char *at = strrchr (spec, '@');
  size_t found = 0;

  *host = NULL;
  *conn = NULL;
  *name = at ? strndup (spec, at - spec) : strdup (spec);
  if (*name == NULL) {
    error_set_errno (errno, "strdup");
    return -1;
  }
  for (size_t i = 0; i < hosts->len; i++) {
    const struct store_host *h = &hosts->ptr[i];
    virConnectPtr c;
    virDomainPtr dom;

    if (at && strcmp (at + 1, h->name) != 0)
      continue;
    c = cli_host_connect (h);
    if (c == NULL) {
      if (at)
        goto fail;
      continue;                 /* a host that does not answer: not there */
    }
    dom = virDomainLookupByName (c, *name);
    if (dom == NULL || (!at && virDomainIsActive (dom) != 1)) {
      if (dom)
        virDomainFree (dom);
      virConnectClose (c);
      continue;
    }
    virDomainFree (dom);
    if (found++ == 0) {
      *host = h;
      *conn = c;
    }
    else
      virConnectClose (c);
  }
  if (found == 0) {
    if (at && cli_host_find (hosts, at + 1) == NULL)
      error_set ("no host \"%s\" is registered (`ferry host list`)", at + 1);
    else if (at)
      error_set ("no domain \"%s\" on host %s", *name, at + 1);
    else
      error_set ("domain \"%s\" runs on no registered host (`ferry host "
                 "list` shows them; name a stopped one as DOMAIN@HOST)",
                 *name);
    goto fail;
  }
  if (found > 1) {
    error_set ("domain \"%s\" runs on %zu registered hosts; say which one "
               "as %s@HOST", *name, found, *name);
    goto fail;
  }
  return 0;
fail:
  if (*conn)
    virConnectClose (*conn);
  *conn = NULL;
  free (*name);
  *name = NULL;
  return -1;
}
