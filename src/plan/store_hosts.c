/* store_hosts.c: the hosts table of the store (`ferry host add/list/
 * remove`): the registered KVM hosts that live migrations move VMs
 * between.  See store.h.
 *
 * SQL on the hosts table only; must never touch a plan's rows, and never
 * connects to a host: it stores what it is told.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "plan/store.h"
#include "plan/store_internal.h"
#include "util/error.h"

static int
store_host_row (sqlite3_stmt *st, struct store_host *h)
{
  memset (h, 0, sizeof *h);
  h->name = store_column_text (st, 0);
  h->uri = store_column_text (st, 1);
  h->memory_limit = store_column_u64 (st, 2);
  h->added_at = sqlite3_column_double (st, 3);
  if (!h->name || !h->uri) {
    store_host_free (h);
    error_set_errno (ENOMEM, "store: reading a host");
    return -1;
  }
  return 0;
}

int
store_host_add (struct store *s, const struct store_host *h)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "INSERT INTO hosts (name, uri, memory_limit, "
                      "added_at) VALUES (?, ?, ?, ?)");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, h->name);
  store_bind_text (st, 2, h->uri);
  if (store_bind_u64 (s, st, 3, h->memory_limit) == -1)
    return -1;
  sqlite3_bind_double (st, 4, store_now ());
  if (sqlite3_step (st) != SQLITE_DONE) {
    if (sqlite3_extended_errcode (s->db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
      error_set ("host \"%s\" is already registered (in %s; `ferry host "
                 "remove %s` first)", h->name, s->path, h->name);
      return -1;
    }
    return store_fail (s, "adding a host");
  }
  return 0;
}

int
store_host_remove (struct store *s, const char *name)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "DELETE FROM hosts WHERE name = ?");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, name);
  if (store_step_done (s, st, "removing a host") == -1)
    return -1;
  return sqlite3_changes (s->db) == 0 ? 1 : 0;
}

int
store_host_get (struct store *s, const char *name, struct store_host *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT name, uri, memory_limit, added_at FROM "
                      "hosts WHERE name = ?");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, name);
  r = sqlite3_step (st);
  if (r == SQLITE_DONE)
    return 1;
  if (r != SQLITE_ROW)
    return store_fail (s, "reading a host");
  return store_host_row (st, out);
}

int
store_host_list (struct store *s, store_host_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT name, uri, memory_limit, added_at FROM "
                      "hosts ORDER BY name");
  if (st == NULL)
    return -1;
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_host h;
    if (store_host_row (st, &h) == -1)
      return -1;
    if (store_host_vector_append (out, h) == -1) {
      store_host_free (&h);
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing hosts");
  return 0;
}

void
store_host_free (struct store_host *h)
{
  free (h->name);
  free (h->uri);
  memset (h, 0, sizeof *h);
}

void
store_host_vector_free (store_host_vector *v)
{
  for (size_t i = 0; i < v->len; i++)
    store_host_free (&v->ptr[i]);
  store_host_vector_reset (v);
}
