/* store_warm.c: what the store keeps about warm VMs (store.h): their warm
 * columns in plan_vms (mark chain, cutover request, predicted and measured
 * downtime), the syncs table (one row per copy pass) and the intents
 * table (each action on a source, recorded before it is done).
 *
 * SQL only; must never decide whether a sync, a cutover or an intent is
 * due: it stores what the plan layer tells it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "plan/store.h"
#include "plan/store_internal.h"
#include "util/error.h"

/* Step an UPDATE of the row `id` of `table`: -1 with the error set when
 * it failed or there is no such row. */
static int
store_warm_update (struct store *s, sqlite3_stmt *st, const char *what,
                   const char *table, int64_t id)
{
  if (store_step_done (s, st, what) == -1)
    return -1;
  if (sqlite3_changes (s->db) != 1) {
    error_set ("store: %s: %s: %s %" PRId64 " does not exist", s->path, what,
               table, id);
    return -1;
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Warm columns of a VM
 */

int
store_vm_set_warm (struct store *s, int64_t vm_id, const char *base,
                   const char *epoch, int64_t next_mark)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE plan_vms SET warm_base = ?, warm_epoch = ?,"
                      " warm_next_mark = ?, updated_at = ? WHERE id = ?");
  if (st == NULL)
    return -1;
  store_bind_text (st, 1, base);
  store_bind_text (st, 2, epoch);
  sqlite3_bind_int64 (st, 3, next_mark);
  sqlite3_bind_double (st, 4, store_now ());
  sqlite3_bind_int64 (st, 5, vm_id);
  return store_warm_update (s, st, "recording a VM's marks", "VM", vm_id);
}

/* UPDATE plan_vms SET <column> = value; column is one of ours. */
static int
store_vm_set_double (struct store *s, int64_t vm_id, const char *sql,
                     double value, const char *what)
{
  CLEANUP_STMT sqlite3_stmt *st = store_prepare (s, sql);

  if (st == NULL)
    return -1;
  sqlite3_bind_double (st, 1, value);
  sqlite3_bind_double (st, 2, store_now ());
  sqlite3_bind_int64 (st, 3, vm_id);
  return store_warm_update (s, st, what, "VM", vm_id);
}

int
store_vm_set_cutover (struct store *s, int64_t vm_id, double at)
{
  return store_vm_set_double (s, vm_id, "UPDATE plan_vms SET cutover_at = ?,"
                              " updated_at = ? WHERE id = ?", at,
                              "recording a cutover request");
}

int
store_vm_set_predicted (struct store *s, int64_t vm_id, double seconds)
{
  return store_vm_set_double (s, vm_id, "UPDATE plan_vms SET"
                              " predicted_downtime = ?, updated_at = ?"
                              " WHERE id = ?", seconds,
                              "recording a predicted downtime");
}

int
store_vm_set_downtime (struct store *s, int64_t vm_id,
                       const char *downtime_json)
{
  if (store_vm_set_text (s, vm_id, "UPDATE plan_vms SET downtime = ?,"
                         " updated_at = ? WHERE id = ?", downtime_json,
                         "recording a downtime") == -1)
    return -1;
  if (sqlite3_changes (s->db) != 1) {
    error_set ("store: %s: recording a downtime: VM %" PRId64 " does not "
               "exist", s->path, vm_id);
    return -1;
  }
  return 0;
}

/*----------------------------------------------------------------------
 * Syncs
 */

int
store_sync_begin (struct store *s, struct store_sync *sync)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  if (sync->started_at <= 0)
    sync->started_at = store_now ();
  st = store_prepare (s, "INSERT INTO syncs (vm_id, idx, mark, is_full,"
                      " is_final, started_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, sync->vm_id);
  sqlite3_bind_int (st, 2, sync->idx);
  store_bind_text (st, 3, sync->mark);
  sqlite3_bind_int (st, 4, sync->full);
  sqlite3_bind_int (st, 5, sync->final);
  sqlite3_bind_double (st, 6, sync->started_at);
  if (sqlite3_step (st) != SQLITE_DONE) {
    if (sqlite3_extended_errcode (s->db) == SQLITE_CONSTRAINT_UNIQUE) {
      error_set ("store: %s: VM %" PRId64 " already has a sync %d",
                 s->path, sync->vm_id, sync->idx);
      return -1;
    }
    return store_fail (s, "beginning a sync");
  }
  sync->id = sqlite3_last_insert_rowid (s->db);
  sync->finished = false;
  return 0;
}

int
store_sync_finish (struct store *s, const struct store_sync *sync)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE syncs SET is_full = ?, is_final = ?,"
                      " seconds = ?, bytes_changed = ?, bytes_copied = ?,"
                      " dirty_rate = ?, copy_rate = ?, bytes_written = ?,"
                      " is_compared = ?, finished = 1 WHERE id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int (st, 1, sync->full);
  sqlite3_bind_int (st, 2, sync->final);
  sqlite3_bind_double (st, 3, sync->seconds);
  if (store_bind_u64 (s, st, 4, sync->bytes_changed) == -1
      || store_bind_u64 (s, st, 5, sync->bytes_copied) == -1)
    return -1;
  sqlite3_bind_double (st, 6, sync->dirty_rate);
  sqlite3_bind_double (st, 7, sync->copy_rate);
  if (store_bind_u64 (s, st, 8, sync->bytes_written) == -1)
    return -1;
  sqlite3_bind_int (st, 9, sync->compared);
  sqlite3_bind_int64 (st, 10, sync->id);
  return store_warm_update (s, st, "finishing a sync", "sync", sync->id);
}

int
store_sync_list (struct store *s, int64_t vm_id, store_sync_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT id, vm_id, idx, mark, is_full, is_final,"
                      " started_at, seconds, bytes_changed, bytes_copied,"
                      " dirty_rate, copy_rate, finished, bytes_written,"
                      " is_compared FROM syncs"
                      " WHERE vm_id = ? ORDER BY idx");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_sync y = {
      .id = sqlite3_column_int64 (st, 0),
      .vm_id = sqlite3_column_int64 (st, 1),
      .idx = sqlite3_column_int (st, 2),
      .mark = store_column_text (st, 3),
      .full = sqlite3_column_int (st, 4) != 0,
      .final = sqlite3_column_int (st, 5) != 0,
      .started_at = sqlite3_column_double (st, 6),
      .seconds = sqlite3_column_double (st, 7),
      .bytes_changed = store_column_u64 (st, 8),
      .bytes_copied = store_column_u64 (st, 9),
      .dirty_rate = sqlite3_column_double (st, 10),
      .copy_rate = sqlite3_column_double (st, 11),
      .finished = sqlite3_column_int (st, 12) != 0,
      .bytes_written = store_column_u64 (st, 13),
      .compared = sqlite3_column_int (st, 14) != 0,
    };
    if ((y.mark == NULL && sqlite3_column_type (st, 3) != SQLITE_NULL)
        || store_sync_vector_append (out, y) == -1) {
      free (y.mark);
      error_set_errno (ENOMEM, "store: reading syncs");
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing syncs");
  return 0;
}

int
store_sync_delete_unfinished (struct store *s, int64_t vm_id)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "DELETE FROM syncs WHERE vm_id = ? AND finished = 0");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  return store_step_done (s, st, "deleting unfinished syncs");
}

void
store_sync_vector_free (store_sync_vector *v)
{
  for (size_t i = 0; i < v->len; i++)
    free (v->ptr[i].mark);
  store_sync_vector_reset (v);
}

int
store_cutover_list (struct store *s, size_t max, store_cutover_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT v.downtime, p.target FROM plan_vms v"
                      " JOIN plans p ON p.id = v.plan_id"
                      " WHERE v.downtime IS NOT NULL AND v.state = 'done'"
                      " ORDER BY v.finished_at DESC, v.id DESC LIMIT ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, (sqlite3_int64) max);
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_cutover c = { .downtime = store_column_text (st, 0),
                               .target = store_column_text (st, 1) };
    if (c.downtime == NULL || c.target == NULL
        || store_cutover_vector_append (out, c) == -1) {
      free (c.downtime);
      free (c.target);
      error_set_errno (ENOMEM, "store: reading cutovers");
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing cutovers");
  return 0;
}

void
store_cutover_vector_free (store_cutover_vector *v)
{
  for (size_t i = 0; i < v->len; i++) {
    free (v->ptr[i].downtime);
    free (v->ptr[i].target);
  }
  store_cutover_vector_reset (v);
}

/*----------------------------------------------------------------------
 * Intents
 */

int
store_intent_add (struct store *s, struct store_intent *intent)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  if (intent->at <= 0)
    intent->at = store_now ();
  st = store_prepare (s, "INSERT INTO intents (vm_id, at, action, object)"
                      " VALUES (?, ?, ?, ?)");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, intent->vm_id);
  sqlite3_bind_double (st, 2, intent->at);
  store_bind_text (st, 3, intent->action);
  store_bind_text (st, 4, intent->object);
  if (store_step_done (s, st, "recording an intent") == -1)
    return -1;
  intent->id = sqlite3_last_insert_rowid (s->db);
  intent->done_at = 0;
  intent->ok = false;
  return 0;
}

int
store_intent_done (struct store *s, int64_t intent_id, bool ok)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;

  st = store_prepare (s, "UPDATE intents SET done_at = ?, ok = ?"
                      " WHERE id = ?");
  if (st == NULL)
    return -1;
  sqlite3_bind_double (st, 1, store_now ());
  sqlite3_bind_int (st, 2, ok);
  sqlite3_bind_int64 (st, 3, intent_id);
  return store_warm_update (s, st, "recording an intent as done", "intent",
                            intent_id);
}

int
store_intent_list (struct store *s, int64_t vm_id, bool open_only,
                   store_intent_vector *out)
{
  CLEANUP_STMT sqlite3_stmt *st = NULL;
  int r;

  st = store_prepare (s, "SELECT id, vm_id, at, action, object, done_at, ok"
                      " FROM intents WHERE vm_id = ?1"
                      " AND (?2 = 0 OR done_at = 0) ORDER BY id");
  if (st == NULL)
    return -1;
  sqlite3_bind_int64 (st, 1, vm_id);
  sqlite3_bind_int (st, 2, open_only);
  while ((r = sqlite3_step (st)) == SQLITE_ROW) {
    struct store_intent in = {
      .id = sqlite3_column_int64 (st, 0),
      .vm_id = sqlite3_column_int64 (st, 1),
      .at = sqlite3_column_double (st, 2),
      .action = store_column_text (st, 3),
      .object = store_column_text (st, 4),
      .done_at = sqlite3_column_double (st, 5),
      .ok = sqlite3_column_int (st, 6) != 0,
    };
    if (in.action == NULL
        || (in.object == NULL && sqlite3_column_type (st, 4) != SQLITE_NULL)
        || store_intent_vector_append (out, in) == -1) {
      free (in.action);
      free (in.object);
      error_set_errno (ENOMEM, "store: reading intents");
      return -1;
    }
  }
  if (r != SQLITE_DONE)
    return store_fail (s, "listing intents");
  return 0;
}

void
store_intent_vector_free (store_intent_vector *v)
{
  for (size_t i = 0; i < v->len; i++) {
    free (v->ptr[i].action);
    free (v->ptr[i].object);
  }
  store_intent_vector_reset (v);
}
