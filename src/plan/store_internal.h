/* store_internal.h: what the parts of the plan store share: store.c
 * (open, migrations, transactions, plans, VMs, disks, ranges),
 * store_schema.c (the schema's migrations), store_hosts.c
 * (the hosts table), store_lock.c (the plans' runner locks) and
 * store_warm.c (warm VMs: their columns, syncs and intents).  Nothing
 * outside these files includes it; callers use store.h.
 */
#ifndef FERRY_PLAN_STORE_INTERNAL_H
#define FERRY_PLAN_STORE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

struct store {
  sqlite3 *db;
  char *path;
  bool in_transaction;
  int lock_fd;                  /* PATH.lock, open while a plan is locked */
};

/* The schema: store_migrations[v] takes a database from version v to
 * v + 1 (store_schema.c; exactly STORE_SCHEMA_VERSION of them). */
extern const char *const store_migrations[];

/* Now, in seconds since the epoch (the store's timestamps). */
double store_now (void);
/* Set the error from the database's last one: "store: PATH: what: why";
 * returns -1. */
int store_fail (struct store *s, const char *what);
/* NULL with the error set. */
sqlite3_stmt *store_prepare (struct store *s, const char *sql);
void store_finalize (sqlite3_stmt **st);
#define CLEANUP_STMT __attribute__ ((cleanup (store_finalize)))
/* Step a statement that returns no row. */
int store_step_done (struct store *s, sqlite3_stmt *st, const char *what);
/* A copy of the column's text (NULL for NULL, or out of memory). */
char *store_column_text (sqlite3_stmt *st, int col);
/* NULL binds SQL NULL. */
void store_bind_text (sqlite3_stmt *st, int col, const char *text);
/* SQLite integers are signed 64-bit: sizes and offsets above 2^63 cannot
 * be stored (no disk is that large); -1 with the error set for those. */
int store_bind_u64 (struct store *s, sqlite3_stmt *st, int col, uint64_t v);
/* Negative values read as 0. */
uint64_t store_column_u64 (sqlite3_stmt *st, int col);
/* Run sql, an UPDATE of one plan_vms column with the parameters (text,
 * now, vm_id): "UPDATE plan_vms SET <column> = ?, updated_at = ? WHERE
 * id = ?"; column is one of ours, never user input. */
int store_vm_set_text (struct store *s, int64_t vm_id, const char *sql,
                       const char *text, const char *what);

#endif
