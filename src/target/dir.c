/* dir.c: the directory target: NAME-diskN.FORMAT, NAME.xml and
 * NAME.report.json in one directory; see target.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/target.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"

int
target_open (const char *spec, const char *name, const char *format,
             struct target *t)
{
  memset (t, 0, sizeof *t);
  if (strncmp (spec, "dir:", 4) != 0 || spec[4] == '\0') {
    error_set ("target \"%s\": expected dir:DIRECTORY", spec);
    return -1;
  }
  if (strcmp (format, "qcow2") != 0 && strcmp (format, "raw") != 0) {
    error_set ("target: format \"%s\": expected qcow2 or raw", format);
    return -1;
  }
  if (name[0] == '\0' || strchr (name, '/') || strcmp (name, ".") == 0
      || strcmp (name, "..") == 0) {
    error_set ("target: \"%s\" cannot be used as a file name; give the VM "
               "another name", name);
    return -1;
  }
  t->kind = strdup ("dir");
  /* The domain XML names the disks: they need absolute paths. */
  if (spec[4] == '/')
    t->location = strdup (spec + 4);
  else {
    char cwd[4096];
    if (getcwd (cwd, sizeof cwd) == NULL
        || asprintf (&t->location, "%s/%s", cwd, spec + 4) == -1)
      t->location = NULL;
  }
  t->format = strdup (format);
  t->name = strdup (name);
  if (!t->kind || !t->location || !t->format || !t->name) {
    error_set_errno (errno, "target: strdup");
    target_free (t);
    return -1;
  }
  return 0;
}

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

static int
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
target_prepare (struct target *t, const struct vm *vm)
{
  if (mkdir (t->location, 0755) == -1 && errno != EEXIST) {
    error_set_errno (errno, "target: creating %s", t->location);
    return -1;
  }
  t->nr_disks = vm->disks.len;
  t->disk_paths = calloc (t->nr_disks ? t->nr_disks : 1, sizeof (char *));
  if (t->disk_paths == NULL) {
    error_set_errno (errno, "target: calloc");
    return -1;
  }
  for (size_t i = 0; i < t->nr_disks; i++) {
    char suffix[64];
    snprintf (suffix, sizeof suffix, "-disk%zu.%s", i, t->format);
    t->disk_paths[i] = target_file (t, suffix);
    if (t->disk_paths[i] == NULL
        || target_refuse_existing (t->disk_paths[i]) == -1)
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

/* Write text to path through a temporary file and rename, so that a
 * crash never leaves half a file under the final name. */
static int
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
  if (io_pwrite_full (fd, text, strlen (text), 0, tmp) == -1
      || fsync (fd) == -1 || rename (tmp, path) == -1) {
    if (error_message ()[0] == '\0' || errno)
      error_set_errno (errno, "target: writing %s", path);
    unlink (tmp);
    return -1;
  }
  return 0;
}

int
target_write_domain (struct target *t, const char *xml)
{
  return target_write_file (t->xml_path, xml);
}

int
target_write_report (struct target *t, const char *json)
{
  CLEANUP_FREE char *text = NULL;

  if (asprintf (&text, "%s\n", json) == -1) {
    error_set_errno (errno, "target: asprintf");
    return -1;
  }
  return target_write_file (t->report_path, text);
}

void
target_free (struct target *t)
{
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
