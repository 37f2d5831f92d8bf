/* dir.c: the directory target: NAME-diskN.FORMAT, NAME.xml and
 * NAME.report.json in one directory; see target.h.  It takes no options
 * and never starts anything: the directory is for a KVM platform to
 * import.  A disk given its own storage (a storage mapping) goes to that
 * subdirectory of the directory, which may be a mount point or a link to
 * other storage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/driver.h"
#include "util/error.h"

static int
dir_open (struct target *t, const char *location,
          const struct target_option *options, size_t nr_options)
{
  if (location[0] == '\0') {
    error_set ("target \"dir:\": expected dir:DIRECTORY");
    return -1;
  }
  if (nr_options > 0) {
    error_set ("target dir: no option \"%s\" (the dir target takes none)",
               options[0].key);
    return -1;
  }
  /* The domain XML names the disks: they need absolute paths. */
  if (location[0] == '/')
    t->location = strdup (location);
  else {
    char cwd[4096];
    if (getcwd (cwd, sizeof cwd) == NULL
        || asprintf (&t->location, "%s/%s", cwd, location) == -1)
      t->location = NULL;
  }
  if (t->location == NULL) {
    error_set_errno (errno, "target: %s", location);
    return -1;
  }
  return 0;
}

static int
dir_make (const char *path)
{
  if (mkdir (path, 0755) == -1 && errno != EEXIST) {
    error_set_errno (errno, "target: creating %s", path);
    return -1;
  }
  return 0;
}

static void
dir_free_all (char **disk_dirs, size_t n)
{
  for (size_t i = 0; disk_dirs && i < n; i++)
    free (disk_dirs[i]);
  free (disk_dirs);
}

/* Make the directories, the target's own and one per storage name used,
 * and return the directory of each disk (NULL entries: the target's own);
 * NULL with the error set. */
static char **
dir_make_all (struct target *t, const struct vm *vm,
              const char *const *disk_storage)
{
  char **disk_dirs = calloc (vm->disks.len + 1, sizeof (char *));

  if (disk_dirs == NULL) {
    error_set_errno (errno, "target: calloc");
    return NULL;
  }
  if (dir_make (t->location) == -1)
    goto fail;
  for (size_t i = 0; disk_storage && i < vm->disks.len; i++) {
    if (disk_storage[i] == NULL)
      continue;
    if (strcmp (disk_storage[i], ".") == 0
        || strcmp (disk_storage[i], "..") == 0) {
      error_set ("target dir: storage \"%s\" (from the storage mapping) "
                 "cannot be a subdirectory name", disk_storage[i]);
      goto fail;
    }
    if (asprintf (&disk_dirs[i], "%s/%s", t->location, disk_storage[i])
        == -1) {
      disk_dirs[i] = NULL;
      error_set_errno (errno, "target: asprintf");
      goto fail;
    }
    if (dir_make (disk_dirs[i]) == -1)
      goto fail;
  }
  return disk_dirs;
fail:
  dir_free_all (disk_dirs, vm->disks.len);
  return NULL;
}

static int
dir_prepare (struct target *t, const struct vm *vm,
             const char *const *disk_storage)
{
  char **disk_dirs = dir_make_all (t, vm, disk_storage);
  int r;

  if (disk_dirs == NULL)
    return -1;
  r = target_name_files (t, vm, (const char *const *) disk_dirs);
  dir_free_all (disk_dirs, vm->disks.len);
  return r;
}

/* A resumed run's directories may have been removed with their files. */
static int
dir_resume (struct target *t, const struct vm *vm,
            const char *const *disk_storage)
{
  char **disk_dirs = dir_make_all (t, vm, disk_storage);

  dir_free_all (disk_dirs, vm->disks.len);
  return disk_dirs ? 0 : -1;
}

static int
dir_write_domain (struct target *t, const char *xml)
{
  return target_write_file (t->xml_path, xml);
}

static int
dir_write_report (struct target *t, const char *json)
{
  return target_write_report_file (t, json);
}

static int
dir_withdraw (struct target *t)
{
  if (unlink (t->xml_path) == -1 && errno != ENOENT) {
    error_set_errno (errno, "dir: removing %s", t->xml_path);
    return -1;
  }
  return 0;
}

static void
dir_close (struct target *t, bool complete)
{
}

const struct target_driver target_dir_driver = {
  .kind = "dir",
  .open = dir_open,
  .prepare = dir_prepare,
  .resume = dir_resume,
  .write_domain = dir_write_domain,
  .write_report = dir_write_report,
  .withdraw = dir_withdraw,
  .close = dir_close,
};
