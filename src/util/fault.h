/* fault.h: fault injection under ferry's file writes, for tests.
 *
 * Every write a disk driver makes to an image file goes through io.h
 * (io_pwrite_full, io_fdatasync, io_ftruncate, io_punch_hole).  While a
 * test has called fault_enable(), those calls come here instead of going
 * straight to the system, and the test can make them fail the way storage
 * fails:
 *
 *   fault_fail        the nth call of one kind fails with an errno (EIO,
 *                     ENOSPC, ...), for one call or for every later one;
 *   fault_short_write pwrite(2) calls transfer fewer bytes than asked (0
 *                     included), as on a full or interrupted file system;
 *   fault_crash_at    the nth write-side call of any kind is where the
 *                     machine loses power: every write not yet made durable
 *                     by a successful io_fdatasync of its file is undone and
 *                     the process ends at once with FAULT_CRASH_STATUS;
 *   fault_crash       the same loss, now, without ending the process;
 *   fault_crash_keeps_some  crashes from then on keep a random part of the
 *                     unsynced writes, as writeback in any order would.
 *
 * What it models.  A file's durable state is what it held when it was
 * first written after fault_enable(), then what it held at each
 * successful io_fdatasync of it (through any descriptor).  A crash
 * returns every written file to its durable state: its bytes (holes stay
 * holes) and its size.  A failed io_fdatasync loses the writes it was to
 * make durable, at once (the kernel may drop or mark clean the pages whose
 * writeback failed, and a later fsync then succeeds without them): so a
 * caller that trusts a later flush is caught.
 *
 * With fault_crash_keeps_some, a crash keeps, at random, the file's new
 * size or its durable one, and each 4 KiB page the unsynced calls changed
 * (with its latest content) or its durable content, each hole they punched
 * or not: so a structure written before another without a sync between
 * them can be found missing while the later one is there.
 *
 * What it does not model.  Torn sectors inside a page; reads
 * never fail (disk_file_pread is their seam); directories are not modelled
 * (a created or renamed file stays).  Files written before fault_enable()
 * count as durable.
 *
 * Cost when disabled: one predictable branch per call in io.c.  Enabled,
 * every write-side call takes one mutex and keeps the bytes it overwrites
 * in memory until the next sync, so it is for small test images only.
 * The test calls fault_enable() before it starts threads that write.
 */
#ifndef FERRY_UTIL_FAULT_H
#define FERRY_UTIL_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum fault_op {
  FAULT_PWRITE,                 /* one pwrite(2) inside io_pwrite_full */
  FAULT_SYNC,                   /* io_fdatasync */
  FAULT_TRUNCATE,               /* io_ftruncate */
  FAULT_PUNCH,                  /* io_punch_hole */
  FAULT_NR_OPS,
};

/* Exit status of a process that fault_crash_at ended. */
#define FAULT_CRASH_STATUS 86

/* Whether fault_enable() is in force; io.c's one branch. */
extern bool fault_active;

/* Start counting and tracking write-side calls, with no fault armed;
 * forget all earlier state.  fault_disable() stops and forgets (nothing is
 * undone). */
void fault_enable (void);
void fault_disable (void);

/* Calls nth .. nth + count - 1 (1-based, counted per kind since
 * fault_enable) of `op` fail with errnum and do nothing (a failed sync
 * also loses the file's unsynced writes, see above).  count 0 = every call
 * from nth on. */
void fault_fail (enum fault_op op, unsigned long nth, unsigned long count,
                 int errnum);
/* pwrite calls nth .. nth + count - 1 transfer at most max_bytes (0 =
 * none: pwrite returns 0).  count 0 = every call from nth on. */
void fault_short_write (unsigned long nth, unsigned long count,
                        size_t max_bytes);
/* The nth write-side call of any kind (1-based, since fault_enable) does
 * not happen: the process crashes there (see above). */
void fault_crash_at (unsigned long nth);
/* Undo every unsynced write now, as a crash would; tracking goes on. */
void fault_crash (void);
/* From now on a crash keeps a part of the unsynced writes chosen by a
 * generator seeded with seed (the same seed, the same choice); 0 = keep
 * none (the default). */
void fault_crash_keeps_some (uint64_t seed);
/* Write-side calls seen since fault_enable, of one kind or (FAULT_NR_OPS)
 * of all kinds. */
unsigned long fault_count (enum fault_op op);

/* The hooks io.c calls while fault_active: the system call's contract
 * (a result, or -1 with errno set). */
ssize_t fault_pwrite (int fd, const void *buf, size_t count, off_t offset);
int fault_fdatasync (int fd);
int fault_ftruncate (int fd, off_t length);
int fault_punch_hole (int fd, off_t offset, off_t length);

#endif
