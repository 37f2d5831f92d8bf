/* target.h: where a migrated VM goes.
 *
 * A target spec names a connector, its options and its argument:
 *
 *   KIND[,OPTION[=VALUE]]...:LOCATION
 *
 *   dir:/srv/kvm                 disks, NAME.xml and NAME.report.json in a
 *                                directory that any KVM platform can import
 *   libvirt:qemu:///system       disks as volumes of a libvirt storage pool
 *                                (the "default" pool), the domain defined
 *   libvirt,storage-pool=fast,start:qemu:///system
 *                                into pool "fast", and start the domain
 *
 * Options travel inside the spec so that one string (a command line, a
 * plan's row) says everything about a target; target_set_option() sets
 * the same options from code.  Options: "storage-pool=NAME" and "start"
 * (libvirt only); the dir connector takes none.
 *
 * Each disk may be given its own storage (the storage mapping turns its
 * datastore into a name): for libvirt the name of another storage pool,
 * for dir a subdirectory of the directory.  NULL keeps the target's own
 * (the "default" pool, the directory itself).  The domain XML and the
 * report always go to the target's own storage.
 *
 * Life of a target, and who calls what (the migrate engine, in order):
 *
 *   target_open()          spec parsed, connector connected, location known
 *   target_prepare()       every name decided; refuses if any is taken
 *   (or target_resume()    the names an interrupted run decided, taken
 *                          back: they may exist)
 *   target_create_disk()   the engine creates each image, then writes
 *                          and verifies t->disk_paths[i] itself
 *   target_write_domain()  the domain recorded (dir: NAME.xml; libvirt:
 *                          defined, and started with the "start" option)
 *   target_write_report()  the report written: the migration is complete
 *   target_free()
 *
 * A target never overwrites: if the VM's files, volumes or domain already
 * exist, target_prepare() refuses, naming what is in the way.  A target
 * freed after target_write_domain() but before target_write_report()
 * succeeded is rolled back: a libvirt domain it defined is destroyed (if
 * started) and undefined, so a failed migration never leaves a domain
 * behind.  Removing the disk files stays the engine's job, as it created
 * them.  Library code: errors go through util/error.h, nothing is printed.
 */
#ifndef FERRY_TARGET_TARGET_H
#define FERRY_TARGET_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/vm.h"

struct target_driver;

struct target {
  char *kind;                /* "dir" or "libvirt" */
  char *location;            /* the directory the disks go to (libvirt:
                                the storage pool's target path) */
  char *format;              /* "qcow2" or "raw"; a shared disk's image
                                is raw whatever this says (vm_xml.h's
                                vm_xml_disk_format) */
  char *name;                /* the domain name */
  char **disk_paths;         /* one per vm->disks, after target_prepare */
  size_t nr_disks;
  char *xml_path;            /* the domain XML as ferry wrote it */
  char *report_path;
  bool resumed;              /* target_resume(), not target_prepare() */

  /* Set by target_write_domain() / target_start() / write_report(). */
  bool domain_defined;       /* libvirt: this run defined the domain */
  bool domain_started;       /* libvirt: this run started it */
  bool complete;             /* the report is written */

  const struct target_driver *driver;
  void *handle;              /* the connector's own state */
};

/* Whether spec ("KIND[,OPT...]:LOCATION") names a target of that kind,
 * without connecting. */
bool target_spec_kind_is (const char *spec, const char *kind);
/* Parse a spec (see above) for a VM called name, disks in format, and
 * connect.  0, or -1 with the error set (t then needs no target_free). */
int target_open (const char *spec, const char *name, const char *format,
                 struct target *t);
/* Set an option after target_open() and before target_prepare(): value
 * is NULL for a flag ("start").  0, or -1 when the connector has no such
 * option or the value is refused (an unknown storage pool). */
int target_set_option (struct target *t, const char *key, const char *value);
/* Decide every file name and refuse if any exists (or, for libvirt, a
 * domain with the name or the VM's UUID, or a volume with a disk's name).
 * disk_storage: NULL, or one storage name (or NULL) per VM disk, as
 * described above.  Creates the directories when needed (dir). */
int target_prepare (struct target *t, const struct vm *vm,
                    const char *const *disk_storage);
/* Take back the names that an interrupted run's target_prepare() decided
 * (one disk path per VM disk, the XML, the report), with the same
 * disk_storage.  They may exist.  A domain that run defined is then
 * adopted by target_write_domain() instead of refused (libvirt: an
 * inactive domain of the same name and UUID whose disks are exactly
 * these paths). */
int target_resume (struct target *t, const struct vm *vm,
                   const char *const *disk_storage, char *const *disk_paths,
                   const char *xml_path, const char *report_path);
/* Create disk i's image (format, size bytes) at t->disk_paths[i],
 * atomically: made and synced under a hidden temporary name in the same
 * directory (".NAME.ferry-new-PID-N"), then renamed into place only if
 * nothing is there, and the directory synced.  So a kill never leaves an
 * empty or torn image at the path: either none or a complete one.  A
 * temporary a killed process left behind has a name no target ever
 * uses: it is ignored (and may be removed by hand).  An existing file is
 * an error with errno EEXIST. */
int target_create_disk (const struct target *t, size_t i, const char *format,
                        uint64_t size);
/* Record the domain (after the disks are copied and verified).  libvirt:
 * define it, and start it with the "start" option. */
int target_write_domain (struct target *t, const char *xml);
/* Start the defined domain now (libvirt only; a no-op if this run already
 * started it). */
int target_start (struct target *t);
/* Whether the domain this run defined is running (targets that cannot
 * start one: an error). */
int target_domain_running (const struct target *t, bool *running);
/* Take back what target_write_domain() did, keeping the disks: a
 * libvirt domain is stopped and undefined, a dir target's XML removed.
 * For a cutover rolled back (warm.h).  Nothing written yet: 0. */
int target_withdraw_domain (struct target *t);
/* Write the report (a JSON text).  This completes the target. */
int target_write_report (struct target *t, const char *json);
/* Close; roll back an incomplete domain (see above). */
void target_free (struct target *t);

#endif
