/* dir.c: the directory target: NAME-diskN.FORMAT, NAME.xml and
 * NAME.report.json in one directory; see target.h.  It takes no options
 * and never starts anything: the directory is for a KVM platform to
 * import.
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
dir_prepare (struct target *t, const struct vm *vm)
{
  if (mkdir (t->location, 0755) == -1 && errno != EEXIST) {
    error_set_errno (errno, "target: creating %s", t->location);
    return -1;
  }
  return target_name_files (t, vm);
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

static void
dir_close (struct target *t, bool complete)
{
}

const struct target_driver target_dir_driver = {
  .kind = "dir",
  .open = dir_open,
  .prepare = dir_prepare,
  .write_domain = dir_write_domain,
  .write_report = dir_write_report,
  .close = dir_close,
};
