/* target.c: parse a target spec, pick the connector, dispatch to it; and
 * the file helpers the connectors share.  See target.h for the spec and
 * the life of a target, driver.h for the connector interface.
 *
 * Must never: overwrite an existing file, or let a connector see a name
 * that is unsafe as a file name.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "disk/disk.h"
#include "target/driver.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "vm/vm_xml.h"

#define TARGET_MAX_OPTIONS 16

static const struct target_driver *const target_drivers[] = {
  &target_dir_driver,
  &target_libvirt_driver,
};

static const struct target_driver *
target_driver_find (const char *kind)
{
  for (size_t i = 0; i < sizeof target_drivers / sizeof target_drivers[0];
       i++)
    if (strcmp (target_drivers[i]->kind, kind) == 0)
      return target_drivers[i];
  return NULL;
}

bool
target_spec_kind_is (const char *spec, const char *kind)
{
  size_t n = strlen (kind);
  return strncmp (spec, kind, n) == 0 && (spec[n] == ':' || spec[n] == ',');
}

/* Split "KIND[,OPT[=VAL]]..." (modified in place) into kind and options. */
static int
target_parse_head (const char *spec, char *head, const char **kind,
                   struct target_option *options, size_t *nr_options)
{
  char *item, *save = NULL;

  *nr_options = 0;
  *kind = strtok_r (head, ",", &save);
  if (*kind == NULL || head[0] == ',') {
    error_set ("target \"%s\": expected KIND:LOCATION (dir:DIRECTORY or "
               "libvirt:URI)", spec);
    return -1;
  }
  while ((item = strtok_r (NULL, ",", &save)) != NULL) {
    char *eq = strchr (item, '=');

    if (*nr_options == TARGET_MAX_OPTIONS) {
      error_set ("target \"%s\": more than %d options", spec,
                 TARGET_MAX_OPTIONS);
      return -1;
    }
    if (eq)
      *eq = '\0';
    if (item[0] == '\0') {
      error_set ("target \"%s\": an option has no name", spec);
      return -1;
    }
    options[*nr_options].key = item;
    options[*nr_options].value = eq ? eq + 1 : NULL;
    (*nr_options)++;
  }
  return 0;
}

int
target_open (const char *spec, const char *name, const char *format,
             struct target *t)
{
  struct target_option options[TARGET_MAX_OPTIONS];
  size_t nr_options;
  const char *colon = strchr (spec, ':'), *kind;
  CLEANUP_FREE char *head = NULL;

  memset (t, 0, sizeof *t);
  if (colon == NULL) {
    error_set ("target \"%s\": expected KIND:LOCATION (dir:DIRECTORY or "
               "libvirt:URI)", spec);
    return -1;
  }
  head = strndup (spec, colon - spec);
  if (head == NULL) {
    error_set_errno (errno, "target: strndup");
    return -1;
  }
  if (target_parse_head (spec, head, &kind, options, &nr_options) == -1)
    return -1;
  t->driver = target_driver_find (kind);
  if (t->driver == NULL) {
    error_set ("target \"%s\": unknown kind \"%s\" (expected dir or "
               "libvirt)", spec, kind);
    return -1;
  }
  if (strcmp (format, "qcow2") != 0 && strcmp (format, "raw") != 0) {
    error_set ("target: format \"%s\": expected qcow2 or raw", format);
    return -1;
  }
  /* Every connector names files (or volumes) after the VM. */
  if (name == NULL) {
    error_set ("target: the source records no name for the VM; give it "
               "one (--name)");
    return -1;
  }
  if (name[0] == '\0' || strchr (name, '/') || strcmp (name, ".") == 0
      || strcmp (name, "..") == 0) {
    error_set ("target: \"%s\" cannot be used as a file name; give the VM "
               "another name", name);
    return -1;
  }
  t->kind = strdup (kind);
  t->format = strdup (format);
  t->name = strdup (name);
  if (!t->kind || !t->format || !t->name) {
    error_set_errno (errno, "target: strdup");
    goto fail;
  }
  if (t->driver->open (t, colon + 1, options, nr_options) == -1)
    goto fail;
  return 0;

fail:
  t->driver = NULL;             /* nothing for close to release */
  target_free (t);
  return -1;
}

int
target_set_option (struct target *t, const char *key, const char *value)
{
  if (t->driver->set_option == NULL) {
    error_set ("target %s: no option \"%s\" (the %s target takes none)",
               t->kind, key, t->kind);
    return -1;
  }
  return t->driver->set_option (t, key, value);
}

int
target_prepare (struct target *t, const struct vm *vm,
                const char *const *disk_storage)
{
  return t->driver->prepare (t, vm, disk_storage);
}

static char *
target_strdup (const char *s)
{
  char *copy = strdup (s);

  if (copy == NULL)
    error_set_errno (errno, "target: strdup");
  return copy;
}

int
target_resume (struct target *t, const struct vm *vm,
               const char *const *disk_storage, char *const *disk_paths,
               const char *xml_path, const char *report_path)
{
  t->disk_paths = calloc (vm->disks.len + 1, sizeof (char *));
  if (t->disk_paths == NULL) {
    error_set_errno (errno, "target: calloc");
    return -1;
  }
  t->nr_disks = vm->disks.len;
  for (size_t i = 0; i < t->nr_disks; i++)
    if ((t->disk_paths[i] = target_strdup (disk_paths[i])) == NULL)
      return -1;
  if ((t->xml_path = target_strdup (xml_path)) == NULL
      || (t->report_path = target_strdup (report_path)) == NULL)
    return -1;
  t->resumed = true;
  return t->driver->resume ? t->driver->resume (t, vm, disk_storage) : 0;
}

int
target_write_domain (struct target *t, const char *xml)
{
  return t->driver->write_domain (t, xml);
}

int
target_start (struct target *t)
{
  if (t->driver->start == NULL) {
    error_set ("target %s: %s: cannot start a domain (the %s target only "
               "writes files)", t->kind, t->name, t->kind);
    return -1;
  }
  return t->driver->start (t);
}

int
target_domain_running (const struct target *t, bool *running)
{
  if (t->driver->running == NULL) {
    error_set ("target %s: %s: has no running domain (the %s target only "
               "writes files)", t->kind, t->name, t->kind);
    return -1;
  }
  return t->driver->running ((struct target *) t, running);
}

int
target_withdraw_domain (struct target *t)
{
  return t->driver->withdraw (t);
}

int
target_write_report (struct target *t, const char *json)
{
  if (t->driver->write_report (t, json) == -1)
    return -1;
  t->complete = true;
  return 0;
}

void
target_free (struct target *t)
{
  if (t->driver)
    t->driver->close (t, t->complete);
  for (size_t i = 0; i < t->nr_disks && t->disk_paths; i++)
    free (t->disk_paths[i]);
  free (t->disk_paths);
  free (t->kind);
  free (t->location);
  free (t->format);
  free (t->name);
  free (t->xml_path);
  free (t->report_path);
  memset (t, 0, sizeof *t);
}

/* ---- helpers for the file-based connectors ---- */

/* "LOCATION/NAMEsuffix", or NULL with the error set. */
static char *
target_file (const struct target *t, const char *suffix)
{
  char *p;

  if (asprintf (&p, "%s/%s%s", t->location, t->name, suffix) == -1) {
    error_set_errno (errno, "target: asprintf");
    return NULL;
  }
  return p;
}

int
target_refuse_existing (const char *path)
{
  struct stat st;

  if (lstat (path, &st) == 0) {
    error_set ("target: %s already exists; ferry never overwrites a "
               "target (remove it, or choose another name or directory)",
               path);
    return -1;
  }
  return 0;
}

int
target_name_files (struct target *t, const struct vm *vm,
                   const char *const *disk_dirs)
{
  t->nr_disks = vm->disks.len;
  t->disk_paths = calloc (t->nr_disks ? t->nr_disks : 1, sizeof (char *));
  if (t->disk_paths == NULL) {
    t->nr_disks = 0;
    error_set_errno (errno, "target: calloc");
    return -1;
  }
  for (size_t i = 0; i < t->nr_disks; i++) {
    const char *dir = disk_dirs && disk_dirs[i] ? disk_dirs[i] : t->location;

    if (asprintf (&t->disk_paths[i], "%s/%s-disk%zu.%s", dir, t->name, i,
                  vm_xml_disk_format (&vm->disks.ptr[i], t->format)) == -1) {
      t->disk_paths[i] = NULL;
      error_set_errno (errno, "target: asprintf");
      return -1;
    }
    if (target_refuse_existing (t->disk_paths[i]) == -1)
      return -1;
  }
  t->xml_path = target_file (t, ".xml");
  t->report_path = target_file (t, ".report.json");
  if (t->xml_path == NULL || t->report_path == NULL
      || target_refuse_existing (t->xml_path) == -1
      || target_refuse_existing (t->report_path) == -1)
    return -1;
  return 0;
}

int
target_write_file (const char *path, const char *text)
{
  CLEANUP_FREE char *tmp = NULL;
  CLEANUP_CLOSE int fd = -1;

  if (asprintf (&tmp, "%s.tmp", path) == -1) {
    error_set_errno (errno, "target: asprintf");
    return -1;
  }
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1) {
    error_set_errno (errno, "target: creating %s", tmp);
    return -1;
  }
  if (io_pwrite_full (fd, text, strlen (text), 0, tmp) == -1)
    goto fail;
  if (fsync (fd) == -1 || rename (tmp, path) == -1) {
    error_set_errno (errno, "target: writing %s", path);
    goto fail;
  }
  return 0;

fail:
  unlink (tmp);
  return -1;
}

int
target_write_report_file (struct target *t, const char *json)
{
  CLEANUP_FREE char *text = NULL;

  if (asprintf (&text, "%s\n", json) == -1) {
    error_set_errno (errno, "target: asprintf");
    return -1;
  }
  return target_write_file (t->report_path, text);
}

/* fsync the directory holding path: a rename or unlink in it is durable. */
static int
target_sync_dir (const char *path)
{
  CLEANUP_FREE char *copy = strdup (path);
  CLEANUP_CLOSE int fd = -1;

  if (copy == NULL) {
    error_set_errno (errno, "target: strdup");
    return -1;
  }
  fd = open (dirname (copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd == -1 || fsync (fd) == -1) {
    error_set_errno (errno, "target: syncing the directory of %s", path);
    return -1;
  }
  return 0;
}

int
target_create_disk (const struct target *t, size_t i, const char *format,
                    uint64_t size)
{
  const char *path = t->disk_paths[i];
  struct disk_create_options create = { .size = size };
  const char *base = strrchr (path, '/');
  CLEANUP_FREE char *copy = strdup (path), *tmp = NULL;
  CLEANUP_CLOSE int fd = -1;
  const char *dir;
  int r;

  if (copy == NULL) {
    error_set_errno (errno, "target: strdup");
    return -1;
  }
  dir = dirname (copy);
  /* Hidden, unique, and never a name target_prepare() hands out; made
   * with O_EXCL and the mode (and umask) of any target file. */
  for (unsigned attempt = 0; fd == -1; attempt++) {
    struct timespec ts;

    free (tmp);
    clock_gettime (CLOCK_REALTIME, &ts);
    if (asprintf (&tmp, "%s/.%s.ferry-new-%ld-%lx", dir,
                  base ? base + 1 : path, (long) getpid (),
                  (unsigned long) ts.tv_nsec ^ attempt) == -1) {
      tmp = NULL;
      error_set_errno (errno, "target: asprintf");
      return -1;
    }
    fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd == -1 && (errno != EEXIST || attempt == 100)) {
      error_set_errno (errno, "target: creating %s", tmp);
      return -1;
    }
  }
  if (disk_create (format, tmp, &create) == -1)
    goto fail;
  if (fsync (fd) == -1) {     /* the same inode disk_create wrote */
    error_set_errno (errno, "target: syncing %s", tmp);
    goto fail;
  }
  /* Into place only if nothing is there: never over another file. */
  r = renameat2 (AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
  if (r == -1 && errno == EINVAL) {     /* the file system cannot: link */
    r = link (tmp, path);
    if (r == 0)
      unlink (tmp);
  }
  if (r == -1) {
    if (errno == EEXIST)
      error_set_errno (EEXIST, "target: %s already exists; ferry never "
                       "overwrites a target (remove it, or choose another "
                       "name or directory)", path);
    else
      error_set_errno (errno, "target: creating %s", path);
    goto fail;
  }
  return target_sync_dir (path);

fail:
  unlink (tmp);
  return -1;
}
