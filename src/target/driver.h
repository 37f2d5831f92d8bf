/* driver.h: the interface between target.c (spec parsing, dispatch) and
 * the connectors (dir.c, libvirt.c).  Internal to src/target/.
 *
 * One flat struct of callbacks per connector.  target.c has already
 * checked the name and format and filled t->kind, t->name and t->format
 * when open is called; every callback returns 0 or -1 with the error set.
 * NULL callbacks: set_option (no options), start (cannot start), resume
 * (nothing to do beyond target.c's).
 */
#ifndef FERRY_TARGET_DRIVER_H
#define FERRY_TARGET_DRIVER_H

#include "target/target.h"

struct target_option {
  const char *key;
  const char *value;            /* NULL for a flag */
};

struct target_driver {
  const char *kind;

  /* Connect to location; apply the spec's options.  Must set
   * t->location.  On failure release what it acquired (close is not
   * called). */
  int (*open) (struct target *t, const char *location,
               const struct target_option *options, size_t nr_options);
  int (*set_option) (struct target *t, const char *key, const char *value);
  int (*prepare) (struct target *t, const struct vm *vm,
                  const char *const *disk_storage);
  /* t's paths are already filled in by target_resume(). */
  int (*resume) (struct target *t, const struct vm *vm,
                 const char *const *disk_storage);
  int (*write_domain) (struct target *t, const char *xml);
  int (*start) (struct target *t);
  int (*write_report) (struct target *t, const char *json);
  /* Whether the domain this run defined runs now. */
  int (*running) (struct target *t, bool *running);
  /* Undo write_domain (and start): stopped and undefined, disks kept. */
  int (*withdraw) (struct target *t);
  /* Release t->handle; roll back if complete is false. */
  void (*close) (struct target *t, bool complete);
};

extern const struct target_driver target_dir_driver;
extern const struct target_driver target_libvirt_driver;

/* Helpers shared by the file-based connectors (target.c). */

/* -1 with an error naming path when anything exists there. */
int target_refuse_existing (const char *path);
/* Fill t->disk_paths (DIR/NAME-diskN.FORMAT, where DIR is disk_dirs[N],
 * or t->location when disk_dirs or disk_dirs[N] is NULL, and FORMAT the
 * disk's, vm_xml_disk_format: raw for a shared disk), t->xml_path and
 * t->report_path (under t->location), refusing any that exists. */
int target_name_files (struct target *t, const struct vm *vm,
                       const char *const *disk_dirs);
/* Write text to path through PATH.tmp and rename, so that a crash never
 * leaves half a file under the final name. */
int target_write_file (const char *path, const char *text);
/* The report text with a final newline, written to t->report_path. */
int target_write_report_file (struct target *t, const char *json);

#endif
