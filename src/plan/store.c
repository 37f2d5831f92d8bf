/* store.c: the plan store on SQLite; see store.h.
 *
 * Every SQL statement of ferry is in this file, store_hosts.c and
 * store_warm.c (warm VMs' columns, syncs, intents); the plans' runner locks, which are not in the database, are in store_lock.c.
 * This file opens the store, migrates its schema, runs transactions and
 * holds the statement helpers the others share (store_internal.h), and
 * the plans, VMs, events, disks and ranges.  The schema is created by
 * the ordered list of migrations in store_schema.c; schema_version holds
 * how many have run.
 *
 * Invariants kept by the schema itself:
 *  - a VM belongs to one plan, a disk to one VM, a range to one disk, an
 *    event, a sync and an intent to one VM (foreign keys, ON DELETE CASCADE: deleting a plan
 *    deletes everything it owns, never a file on disk);
 *  - a VM's state is one of the plan layer's names, a plan's mode "cold"
 *    or "warm" (CHECK);
 *  - a VM has at most one sync of each index (unique);
 *  - ranges have positive length and a disk never records two ranges at one
 *    offset (primary key).
 *
 * This file must never decide a transition: it stores what it is told.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "plan/store.h"
#include "plan/store_internal.h"
#include "util/clock.h"
#include "util/error.h"

#define STORE_BUSY_TIMEOUT_MS 30000

double
store_now (void)
{
  return clock_now ();
}

int
store_fail (struct store *s, const char *what)
{
  error_set ("store: %s: %s: %s", s->path, what, sqlite3_errmsg (s->db));
  return -1;
}

/* Run SQL without results (several statements allowed). */
static int
store_exec (struct store *s, const char *sql, const char *what)
{
  char *msg = NULL;

  if (sqlite3_exec (s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    error_set ("store: %s: %s: %s", s->path, what,
               msg ? msg : sqlite3_errmsg (s->db));
    sqlite3_free (msg);
    return -1;
  }
  return 0;
}

sqlite3_stmt *
store_prepare (struct store *s, const char *sql)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2 (s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    store_fail (s, "preparing a statement");
    return NULL;
  }
  return st;
}

void
store_finalize (sqlite3_stmt **st)
{
  sqlite3_finalize (*st);
}

int
store_step_done (struct store *s, sqlite3_stmt *st, const char *what)
{
  int r = sqlite3_step (st);

  if (r != SQLITE_DONE)
    return store_fail (s, what);
  return 0;
}

char *
store_column_text (sqlite3_stmt *st, int col)
{
  const unsigned char *t = sqlite3_column_text (st, col);
  return t ? strdup ((const char *) t) : NULL;
}

void
store_bind_text (sqlite3_stmt *st, int col, const char *text)
{
  if (text)
    sqlite3_bind_text (st, col, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, col);
}

int
store_bind_u64 (struct store *s, sqlite3_stmt *st, int col, uint64_t v)
{
  if (v > INT64_MAX) {
    error_set ("store: %s: value %" PRIu64 " is too large", s->path, v);
    return -1;
  }
  sqlite3_bind_int64 (st, col, (int64_t) v);
  return 0;
}

uint64_t
store_column_u64 (sqlite3_stmt *st, int col)
{
  int64_t v = sqlite3_column_int64 (st, col);
  return v < 0 ? 0 : (uint64_t) v;
}

/* mkdir -p of path's directory. */
static int
store_make_parent (const char *path)
{
  char *dir = strdup (path), *p;

  if (dir == NULL) {
    error_set_errno (errno, "store: strdup");
    return -1;
  }
  p = strrchr (dir, '/');
  if (p == NULL || p == dir) {
    free (dir);
    return 0;
  }
  *p = '\0';
  for (p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir (dir, 0700) == -1 && errno != EEXIST) {
      error_set_errno (errno, "store: creating %s", dir);
      free (dir);
      return -1;
    }
    *p = '/';
  }
  if (mkdir (dir, 0700) == -1 && errno != EEXIST) {
    error_set_errno (errno, "store: creating %s", dir);
    free (dir);
    return -1;
  }
  free (dir);
  return 0;
}

char *
store_default_path (void)
{
  const char *dir = getenv ("FERRY_STATE_DIR");
  char *path = NULL;
  int r;

  if (dir && dir[0])
    r = asprintf (&path, "%s/ferry.db", dir);
  else if ((dir = getenv ("XDG_STATE_HOME")) && dir[0] == '/')
    r = asprintf (&path, "%s/ferry/ferry.db", dir);
  else if ((dir = getenv ("HOME")) && dir[0])
    r = asprintf (&path, "%s/.local/state/ferry/ferry.db", dir);
  else {
    error_set ("store: neither FERRY_STATE_DIR nor HOME is set; give the "
               "database with --db PATH");
    return NULL;
  }
  if (r == -1) {
    error_set_errno (errno, "store: asprintf");
    return NULL;
  }
  return path;
}

static int
store_migrate (struct store *s)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int64_t version = 0;

  if (store_begin (s) == -1)
    return -1;
  if (store_exec (s, "CREATE TABLE IF NOT EXISTS schema_version ("
                  "  version INTEGER NOT NULL)", "creating schema_version")
      == -1)
    goto fail;
  st = store_prepare (s, "SELECT max(version) FROM schema_version");
  if (st == NULL)
    goto fail;
  if (sqlite3_step (st) == SQLITE_ROW)
    version = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  st = NULL;
  if (version > STORE_SCHEMA_VERSION) {
    error_set ("store: %s: schema version %" PRId64 " was written by a "
               "newer ferry (this one knows up to %d)", s->path, version,
               STORE_SCHEMA_VERSION);
    goto fail;
  }
  for (int64_t v = version; v < STORE_SCHEMA_VERSION; v++) {
    char what[64];
    snprintf (what, sizeof what, "schema migration %" PRId64, v + 1);
    if (store_exec (s, store_migrations[v], what) == -1)
      goto fail;
  }
  if (version < STORE_SCHEMA_VERSION) {
    /* Foreign keys are off while migrating (store_open): every
     * reference must still hold before the new version is committed. */
    st = store_prepare (s, "PRAGMA foreign_key_check");
    if (st == NULL)
      goto fail;
    if (sqlite3_step (st) == SQLITE_ROW) {
      error_set ("store: %s: schema migration to version %d: a row of "
                 "table %s has a dangling reference; nothing was changed",
                 s->path, STORE_SCHEMA_VERSION,
                 (const char *) sqlite3_column_text (st, 0));
      goto fail;
    }
    sqlite3_finalize (st);
    st = store_prepare (s, "INSERT INTO schema_version (version) VALUES (?)");
    if (st == NULL)
      goto fail;
    sqlite3_bind_int (st, 1, STORE_SCHEMA_VERSION);
    if (store_step_done (s, st, "recording the schema version") == -1)
      goto fail;
  }
  return store_commit (s);
fail:
  store_rollback (s);
  return -1;
}

struct store *
store_open (const char *path)
{
  struct store *s = calloc (1, sizeof *s);

  if (s == NULL) {
    error_set_errno (errno, "store: calloc");
    return NULL;
  }
  s->lock_fd = -1;
  s->path = strdup (path);
  if (s->path == NULL) {
    error_set_errno (errno, "store: strdup");
    free (s);
    return NULL;
  }
  if (store_make_parent (path) == -1)
    goto fail;
  if (sqlite3_open_v2 (path, &s->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    if (s->db == NULL)
      error_set ("store: %s: cannot open: out of memory", path);
    else
      store_fail (s, "opening");
    goto fail;
  }
  sqlite3_busy_timeout (s->db, STORE_BUSY_TIMEOUT_MS);
  /* journal_mode=WAL is persistent in the file; the others are per
   * connection.  Foreign keys are enforced only after the migrations
   * (SQLite ignores the pragma inside a transaction): a migration that
   * rebuilds a table drops the old one, which would otherwise cascade to
   * every row referring to it. */
  if (store_exec (s, "PRAGMA journal_mode=WAL", "enabling WAL") == -1
      || store_exec (s, "PRAGMA synchronous=FULL", "setting synchronous")
         == -1
      || store_exec (s, "PRAGMA foreign_keys=OFF", "pausing foreign keys")
         == -1
      || store_migrate (s) == -1
      || store_exec (s, "PRAGMA foreign_keys=ON", "enabling foreign keys")
         == -1)
    goto fail;
  return s;
fail:
  store_close (s);
  return NULL;
}

void
store_close (struct store *s)
{
  if (s == NULL)
    return;
  if (s->in_transaction)
    store_rollback (s);
  if (s->lock_fd >= 0)
    close (s->lock_fd);         /* releases its locks */
  sqlite3_close (s->db);
  free (s->path);
  free (s);
}

const char *
store_path (const struct store *s)
{
  return s->path;
}

int
store_begin (struct store *s)
{
  if (s->in_transaction) {
    error_set ("store: %s: a transaction is already open", s->path);
    return -1;
  }
  if (store_exec (s, "BEGIN IMMEDIATE", "beginning a transaction") == -1)
    return -1;
  s->in_transaction = true;
  return 0;
}

int
store_commit (struct store *s)
{
  if (store_exec (s, "COMMIT", "committing") == -1) {
    store_rollback (s);
    return -1;
  }
  s->in_transaction = false;
  return 0;
}

void
store_rollback (struct store *s)
{
  if (sqlite3_get_autocommit (s->db) == 0)
    sqlite3_exec (s->db, "ROLLBACK", NULL, NULL, NULL);
  s->in_transaction = false;
}

/*----------------------------------------------------------------------
 * Plans
 */

#define PLAN_COLUMNS \
  "id, name, target, format, options, created_at, cancel_requested, " \
  "runner_pid, runner_host, runner_since, mode"

static int
store_plan_row (sqlite3_stmt *st, struct store_plan *p)
{
  memset (p, 0, sizeof *p);
  p->id = sqlite3_column_int64 (st, 0);
  p->name = store_column_text (st, 1);
  p->target = store_column_text (st, 2);
  p->format = store_column_text (st, 3);
  p->options = store_column_text (st, 4);
  p->created_at = sqlite3_column_double (st, 5);
  p->cancel_requested = sqlite3_column_int (st, 6) != 0;
  p->runner_pid = sqlite3_column_int64 (st, 7);
  p->runner_host = store_column_text (st, 8);
  p->runner_since = sqlite3_column_double (st, 9);
  p->mode = store_column_text (st, 10);
  if (!p->name || !p->target || !p->format || !p->options || !p->mode) {
    store_plan_free (p);
    error_set_errno (ENOMEM, "store: reading a plan");
    return -1;
  }
  return 0;
}

int
store_plan_create (struct store *s, struct store_plan *plan)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "INSERT INTO plans (name, target, format, options,"
                      " created_at, mode) VALUES (?, ?, ?, ?, ?, ?)");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, plan->name);
  store_bind_text (st, 2, plan->target);
  store_bind_text (st, 3, plan->format);
  store_bind_text (st, 4, plan->options ? plan->options : "{}");
  plan->created_at = store_now ();
  sqlite3_bind_double (st, 5, plan->created_at);
  store_bind_text (st, 6, plan->mode ? plan->mode : "cold");
  if (sqlite3_step (st) != SQLITE_DONE) {
    if (sqlite3_extended_errcode (s->db) == SQLITE_CONSTRAINT_UNIQUE) {
      error_set ("plan \"%s\" already exists (in %s)", plan->name, s->path);
      return -1;
    }
    return store_fail (s, "creating a plan");
  }
  plan->id = sqlite3_last_insert_rowid (s->db);
  return 0;
}

int
store_plan_get (struct store *s, const char *name, struct store_plan *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT " PLAN_COLUMNS " FROM plans WHERE name = ?");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, name);
  r = sqlite3_step (st);
  if (r == SQLITE_DONE)
    return 1;
  if (r != SQLITE_ROW)
    return store_fail (s, "reading a plan");
  return store_plan_row (st, out);
}

int
store_plan_list (struct store *s, store_plan_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT " PLAN_COLUMNS " FROM plans ORDER BY name");
  if (st == NULL)
    return -1;
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_plan p;
    if (store_plan_row (st, &p) == -1)
      return -1;
    if (store_plan_vector_append (out, p) == -1) {
      store_plan_free (&p);
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing plans");
  return 0;
}

int
store_plan_delete (struct store *s, int64_t plan_id)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "DELETE FROM plans WHERE id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, plan_id);
  return store_step_done (s, st, "deleting a plan");
}

int
store_plan_set_cancel (struct store *s, int64_t plan_id, bool requested)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE plans SET cancel_requested = ? WHERE id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int (st, 1, requested);
  sqlite3_bind_int64 (st, 2, plan_id);
  return store_step_done (s, st, "setting a plan's cancel request");
}

int
store_plan_get_cancel (struct store *s, int64_t plan_id, bool *requested)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT cancel_requested FROM plans WHERE id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, plan_id);
  r = sqlite3_step (st);
  if (r == SQLITE_DONE) {
    /* deleted under our feet: as good as cancelled */
    *requested = true;
    return 0;
  }
  if (r != SQLITE_ROW)
    return store_fail (s, "reading a plan's cancel request");
  *requested = sqlite3_column_int (st, 0) != 0;
  return 0;
}

int
store_plan_set_runner (struct store *s, int64_t plan_id, int64_t pid,
                       const char *host)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE plans SET runner_pid = ?, runner_host = ?,"
                      " runner_since = ? WHERE id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, pid);
  store_bind_text (st, 2, pid ? host : NULL);
  sqlite3_bind_double (st, 3, pid ? store_now () : 0);
  sqlite3_bind_int64 (st, 4, plan_id);
  return store_step_done (s, st, "recording a plan's runner");
}

/*----------------------------------------------------------------------
 * VMs and events
 */

#define VM_COLUMNS \
  "id, plan_id, position, source, vm_name, target_name, state, error, " \
  "findings, bytes_total, bytes_done, rate, xml_path, report_path, report, " \
  "created_at, updated_at, started_at, finished_at, cutover_at, " \
  "warm_base, warm_epoch, warm_next_mark, predicted_downtime, downtime"

static int
store_vm_row (sqlite3_stmt *st, struct store_vm *v)
{
  memset (v, 0, sizeof *v);
  v->id = sqlite3_column_int64 (st, 0);
  v->plan_id = sqlite3_column_int64 (st, 1);
  v->position = sqlite3_column_int (st, 2);
  v->source = store_column_text (st, 3);
  v->vm_name = store_column_text (st, 4);
  v->target_name = store_column_text (st, 5);
  v->state = store_column_text (st, 6);
  v->error = store_column_text (st, 7);
  v->findings = store_column_text (st, 8);
  v->bytes_total = store_column_u64 (st, 9);
  v->bytes_done = store_column_u64 (st, 10);
  v->rate = sqlite3_column_double (st, 11);
  v->xml_path = store_column_text (st, 12);
  v->report_path = store_column_text (st, 13);
  v->report = store_column_text (st, 14);
  v->created_at = sqlite3_column_double (st, 15);
  v->updated_at = sqlite3_column_double (st, 16);
  v->started_at = sqlite3_column_double (st, 17);
  v->finished_at = sqlite3_column_double (st, 18);
  v->cutover_at = sqlite3_column_double (st, 19);
  v->warm_base = store_column_text (st, 20);
  v->warm_epoch = store_column_text (st, 21);
  v->warm_next_mark = sqlite3_column_int64 (st, 22);
  v->predicted_downtime = sqlite3_column_double (st, 23);
  v->downtime = store_column_text (st, 24);
  if (!v->source || !v->vm_name || !v->target_name || !v->state) {
    store_vm_free (v);
    error_set_errno (ENOMEM, "store: reading a VM");
    return -1;
  }
  return 0;
}

int
store_vm_add (struct store *s, struct store_vm *vm)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  double now = store_now ();

  st = store_prepare (s, "INSERT INTO plan_vms (plan_id, position, source,"
                      " vm_name, target_name, state, findings, bytes_total,"
                      " created_at, updated_at, cutover_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm->plan_id);
  sqlite3_bind_int (st, 2, vm->position);
  store_bind_text (st, 3, vm->source);
  store_bind_text (st, 4, vm->vm_name);
  store_bind_text (st, 5, vm->target_name);
  store_bind_text (st, 6, vm->state);
  store_bind_text (st, 7, vm->findings);
  if (store_bind_u64 (s, st, 8, vm->bytes_total) == -1)
    return -1;
  sqlite3_bind_double (st, 9, now);
  sqlite3_bind_double (st, 10, now);
  sqlite3_bind_double (st, 11, vm->cutover_at);
  if (sqlite3_step (st) != SQLITE_DONE) {
    if (sqlite3_extended_errcode (s->db) == SQLITE_CONSTRAINT_UNIQUE) {
      error_set ("two VMs of the plan would be called \"%s\" on the target",
                 vm->target_name);
      return -1;
    }
    return store_fail (s, "adding a VM");
  }
  vm->id = sqlite3_last_insert_rowid (s->db);
  vm->created_at = vm->updated_at = now;
  vm->warm_next_mark = 1;
  vm->predicted_downtime = -1;
  return 0;
}

int
store_vm_list (struct store *s, int64_t plan_id, store_vm_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT " VM_COLUMNS " FROM plan_vms"
                      " WHERE plan_id = ? ORDER BY position, id");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, plan_id);
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_vm v;
    if (store_vm_row (st, &v) == -1)
      return -1;
    if (store_vm_vector_append (out, v) == -1) {
      store_vm_free (&v);
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing VMs");
  return 0;
}

int
store_vm_get (struct store *s, int64_t vm_id, struct store_vm *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT " VM_COLUMNS " FROM plan_vms WHERE id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  r = sqlite3_step (st);
  if (r == SQLITE_DONE)
    return 1;
  if (r != SQLITE_ROW)
    return store_fail (s, "reading a VM");
  return store_vm_row (st, out);
}

int
store_event_add (struct store *s, int64_t vm_id, const char *state,
                 const char *message)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "INSERT INTO events (vm_id, at, state, message)"
                      " VALUES (?, ?, ?, ?)");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  sqlite3_bind_double (st, 2, store_now ());
  store_bind_text (st, 3, state);
  store_bind_text (st, 4, message ? message : "");
  return store_step_done (s, st, "recording an event");
}

int
store_vm_set_state (struct store *s, int64_t vm_id, const char *from,
                    const char *state, const char *error, const char *message)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  bool own = !s->in_transaction;
  double now = store_now ();

  if (own && store_begin (s) == -1)
    return -1;
  /* started_at: the first time the VM leaves pending; finished_at: each
   * time a run ends with it (cleared when it becomes active again); rate:
   * kept while a copy goes on. */
  st = store_prepare (s, "UPDATE plan_vms SET state = ?1, error = ?2,"
                      " updated_at = ?3,"
                      " started_at = CASE WHEN started_at = 0 AND"
                      "   ?1 != 'pending' THEN ?3 ELSE started_at END,"
                      " finished_at = CASE WHEN ?1 IN ('done', 'failed',"
                      "   'cancelled', 'rolled-back') THEN ?3 ELSE 0 END,"
                      " rate = CASE WHEN ?1 IN ('copying', 'syncing',"
                      "   'cutting-over') THEN rate ELSE 0 END"
                      " WHERE id = ?4 AND state = ?5");
  if (st == NULL)
    goto fail;
  store_bind_text (st, 1, state);
  store_bind_text (st, 2, error);
  sqlite3_bind_double (st, 3, now);
  sqlite3_bind_int64 (st, 4, vm_id);
  store_bind_text (st, 5, from);
  if (store_step_done (s, st, "setting a VM's state") == -1)
    goto fail;
  if (sqlite3_changes (s->db) != 1) {
    struct store_vm now_vm = { 0 };
    if (store_vm_get (s, vm_id, &now_vm) == 0)
      error_set ("store: %s: VM %" PRId64 " is %s, not %s: another process "
                 "changed it; not moved to %s", s->path, vm_id, now_vm.state,
                 from, state);
    else
      error_set ("store: %s: VM %" PRId64 " does not exist", s->path, vm_id);
    store_vm_free (&now_vm);
    goto fail;
  }
  if (store_event_add (s, vm_id, state, message) == -1)
    goto fail;
  if (own && store_commit (s) == -1)
    return -1;
  return 0;
fail:
  if (own)
    store_rollback (s);
  return -1;
}

int
store_vm_set_text (struct store *s, int64_t vm_id, const char *sql,
                   const char *text, const char *what)
{
  CLEANUP_STMT sqlite3_stmt *st = store_prepare (s, sql);

  if (st == NULL)
    return -1;
  store_bind_text (st, 1, text);
  sqlite3_bind_double (st, 2, store_now ());
  sqlite3_bind_int64 (st, 3, vm_id);
  return store_step_done (s, st, what);
}

int
store_vm_set_findings (struct store *s, int64_t vm_id,
                       const char *findings_json)
{
  return store_vm_set_text (s, vm_id, "UPDATE plan_vms SET findings = ?,"
                            " updated_at = ? WHERE id = ?", findings_json,
                            "recording findings");
}

int
store_vm_set_report (struct store *s, int64_t vm_id, const char *report_json)
{
  return store_vm_set_text (s, vm_id, "UPDATE plan_vms SET report = ?,"
                            " updated_at = ? WHERE id = ?", report_json,
                            "recording a report");
}

int
store_vm_set_paths (struct store *s, int64_t vm_id, const char *xml_path,
                    const char *report_path)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE plan_vms SET xml_path = ?, report_path = ?"
                      " WHERE id = ?");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, xml_path);
  store_bind_text (st, 2, report_path);
  sqlite3_bind_int64 (st, 3, vm_id);
  return store_step_done (s, st, "recording a VM's target files");
}

int
store_vm_set_progress (struct store *s, int64_t vm_id, uint64_t total,
                       uint64_t done, double rate)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE plan_vms SET bytes_total = ?,"
                      " bytes_done = ?, rate = ?, updated_at = ?"
                      " WHERE id = ?");
  if (st == NULL)
    return -1;
  if (store_bind_u64 (s, st, 1, total) == -1
      || store_bind_u64 (s, st, 2, done) == -1)
    return -1;
  sqlite3_bind_double (st, 3, rate);
  sqlite3_bind_double (st, 4, store_now ());
  sqlite3_bind_int64 (st, 5, vm_id);
  return store_step_done (s, st, "recording progress");
}

int
store_event_list (struct store *s, int64_t vm_id, unsigned limit,
                  store_event_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT id, at, state, message FROM"
                      " (SELECT * FROM events WHERE vm_id = ?"
                      "  ORDER BY id DESC LIMIT ?) ORDER BY id");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  sqlite3_bind_int64 (st, 2, limit ? (int64_t) limit : -1);
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_event e = {
      .id = sqlite3_column_int64 (st, 0),
      .at = sqlite3_column_double (st, 1),
      .state = store_column_text (st, 2),
      .message = store_column_text (st, 3),
    };
    if (e.state == NULL || e.message == NULL
        || store_event_vector_append (out, e) == -1) {
      free (e.state);
      free (e.message);
      error_set_errno (ENOMEM, "store: reading events");
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing events");
  return 0;
}

/*----------------------------------------------------------------------
 * Disks and ranges
 */

int
store_disk_add (struct store *s, struct store_disk *disk)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "INSERT INTO disks (vm_id, idx, source_path, size)"
                      " VALUES (?, ?, ?, ?)");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, disk->vm_id);
  sqlite3_bind_int (st, 2, disk->idx);
  store_bind_text (st, 3, disk->source_path);
  if (store_bind_u64 (s, st, 4, disk->size) == -1
      || store_step_done (s, st, "adding a disk") == -1)
    return -1;
  disk->id = sqlite3_last_insert_rowid (s->db);
  return 0;
}

int
store_disk_list (struct store *s, int64_t vm_id, store_disk_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT id, vm_id, idx, source_path, size,"
                      " target_path, target_created, copy_runs,"
                      " last_resumed_bytes, last_copied_bytes, source_digest,"
                      " target_digest FROM disks WHERE vm_id = ? ORDER BY idx");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_disk d = {
      .id = sqlite3_column_int64 (st, 0),
      .vm_id = sqlite3_column_int64 (st, 1),
      .idx = sqlite3_column_int (st, 2),
      .source_path = store_column_text (st, 3),
      .size = store_column_u64 (st, 4),
      .target_path = store_column_text (st, 5),
      .target_created = sqlite3_column_int (st, 6) != 0,
      .copy_runs = sqlite3_column_int (st, 7),
      .last_resumed_bytes = store_column_u64 (st, 8),
      .last_copied_bytes = store_column_u64 (st, 9),
      .source_digest = store_column_text (st, 10),
      .target_digest = store_column_text (st, 11),
    };
    if (d.source_path == NULL || store_disk_vector_append (out, d) == -1) {
      store_disk_free (&d);
      error_set_errno (ENOMEM, "store: reading disks");
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing disks");
  return 0;
}

int
store_disk_set_target (struct store *s, int64_t disk_id, const char *path,
                       bool created)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE disks SET target_path = ?,"
                      " target_created = ? WHERE id = ?");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, path);
  sqlite3_bind_int (st, 2, created);
  sqlite3_bind_int64 (st, 3, disk_id);
  return store_step_done (s, st, "recording a target disk");
}

int
store_disk_set_copy_run (struct store *s, int64_t disk_id,
                         uint64_t resumed_bytes, uint64_t copied_bytes)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE disks SET copy_runs = copy_runs + 1,"
                      " last_resumed_bytes = ?, last_copied_bytes = ?"
                      " WHERE id = ?");
  if (st == NULL)
    return -1;
  if (store_bind_u64 (s, st, 1, resumed_bytes) == -1
      || store_bind_u64 (s, st, 2, copied_bytes) == -1)
    return -1;
  sqlite3_bind_int64 (st, 3, disk_id);
  return store_step_done (s, st, "recording a copy run");
}

int
store_disk_set_digests (struct store *s, int64_t disk_id,
                        const char *source_hex, const char *target_hex)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE disks SET source_digest = ?,"
                      " target_digest = ? WHERE id = ?");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, source_hex);
  store_bind_text (st, 2, target_hex);
  sqlite3_bind_int64 (st, 3, disk_id);
  return store_step_done (s, st, "recording digests");
}

int
store_range_add (struct store *s, int64_t disk_id, uint64_t offset,
                 uint64_t length)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  /* The same offset recorded twice (a work range finished again by a
   * resumed copy after its checkpoint was lost): keep the longer. */
  st = store_prepare (s, "INSERT INTO disk_ranges (disk_id, offset, length)"
                      " VALUES (?, ?, ?) ON CONFLICT (disk_id, offset)"
                      " DO UPDATE SET length = max(length, excluded.length)");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, disk_id);
  if (store_bind_u64 (s, st, 2, offset) == -1
      || store_bind_u64 (s, st, 3, length) == -1)
    return -1;
  return store_step_done (s, st, "recording a finished range");
}

int
store_range_list (struct store *s, int64_t disk_id, range_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT offset, length FROM disk_ranges"
                      " WHERE disk_id = ? ORDER BY offset");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, disk_id);
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct range range = {
      .offset = store_column_u64 (st, 0),
      .length = store_column_u64 (st, 1),
    };
    if (range_vector_append (out, range) == -1)
      return -1;
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing finished ranges");
  return 0;
}

int
store_range_clear (struct store *s, int64_t disk_id)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "DELETE FROM disk_ranges WHERE disk_id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, disk_id);
  return store_step_done (s, st, "clearing finished ranges");
}

int
store_range_total (struct store *s, int64_t vm_id, uint64_t *bytes)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "SELECT coalesce(sum(r.length), 0) FROM disk_ranges r"
                      " JOIN disks d ON d.id = r.disk_id WHERE d.vm_id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  if (sqlite3_step (st) != SQLITE_ROW)
    return store_fail (s, "summing finished ranges");
  *bytes = store_column_u64 (st, 0);
  return 0;
}

/*----------------------------------------------------------------------
 * Freeing
 */

void
store_plan_free (struct store_plan *p)
{
  free (p->name);
  free (p->target);
  free (p->format);
  free (p->options);
  free (p->runner_host);
  free (p->mode);
  memset (p, 0, sizeof *p);
}

void
store_vm_free (struct store_vm *v)
{
  free (v->source);
  free (v->vm_name);
  free (v->target_name);
  free (v->state);
  free (v->error);
  free (v->findings);
  free (v->xml_path);
  free (v->report_path);
  free (v->report);
  free (v->warm_base);
  free (v->warm_epoch);
  free (v->downtime);
  memset (v, 0, sizeof *v);
}

void
store_disk_free (struct store_disk *d)
{
  free (d->source_path);
  free (d->target_path);
  free (d->source_digest);
  free (d->target_digest);
  memset (d, 0, sizeof *d);
}

void
store_plan_vector_free (store_plan_vector *v)
{
  for (size_t i = 0; i < v->len; i++)
    store_plan_free (&v->ptr[i]);
  store_plan_vector_reset (v);
}

void
store_vm_vector_free (store_vm_vector *v)
{
  for (size_t i = 0; i < v->len; i++)
    store_vm_free (&v->ptr[i]);
  store_vm_vector_reset (v);
}

void
store_disk_vector_free (store_disk_vector *v)
{
  for (size_t i = 0; i < v->len; i++)
    store_disk_free (&v->ptr[i]);
  store_disk_vector_reset (v);
}

void
store_event_vector_free (store_event_vector *v)
{
  for (size_t i = 0; i < v->len; i++) {
    free (v->ptr[i].state);
    free (v->ptr[i].message);
  }
  store_event_vector_reset (v);
}
