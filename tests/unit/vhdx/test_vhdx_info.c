/* test_vhdx_info: `ferry info` fields of a dynamic file and of a
 * differencing one: block and sector sizes, virtual disk ID, parent and
 * its locator, log replay, LeaveBlocksAllocated, header sequence. */
#include <string.h>

#include "vhdxtest.h"

static json_t *
info_of (const char *name)
{
  struct disk *d = test_open (name);
  json_t *info = json_object ();

  CHECK (d->driver->info (d, info) == 0);
  disk_close (d);
  return info;
}

#define INT(o, k) json_integer_value (json_object_get (o, k))
#define STR(o, k) json_string_value (json_object_get (o, k))

int
main (void)
{
  struct vhdxgen_options o;
  struct vhdxgen *g;
  json_t *info, *loc;

  test_init (false);
  vx_make_parent ("parent.vhdx", 8 << 20, 512);
  info = info_of ("parent.vhdx");
  CHECK (INT (info, "block-size") == 1 << 20);
  CHECK (INT (info, "logical-sector-size") == 512);
  CHECK (INT (info, "physical-sector-size") == 4096);
  CHECK (STR (info, "virtual-disk-id") != NULL
         && strlen (STR (info, "virtual-disk-id")) == 36);
  CHECK (json_is_false (json_object_get (info, "has-parent")));
  CHECK (json_is_null (json_object_get (info, "parent-locator")));
  CHECK (json_is_false (json_object_get (info, "log-replayed")));
  CHECK (json_is_false (json_object_get (info, "leave-blocks-allocated")));
  CHECK (INT (info, "header-sequence") == 2);
  json_decref (info);

  o = vx_child_options (8 << 20, 512, ".\\parent.vhdx");
  o.block_size = 2 << 20;
  g = vhdxgen_new (&o);
  vhdxgen_save (g, "child.avhdx");
  vhdxgen_free (g);
  info = info_of ("child.avhdx");
  CHECK (INT (info, "block-size") == 2 << 20);
  CHECK (json_is_true (json_object_get (info, "has-parent")));
  loc = json_object_get (info, "parent-locator");
  CHECK (json_is_object (loc));
  CHECK (strcmp (json_string_value (json_object_get (loc, "parent_linkage")),
                 VX_PARENT_GUID) == 0);
  CHECK (strcmp (json_string_value (json_object_get (loc, "relative_path")),
                 ".\\parent.vhdx") == 0);
  CHECK (strstr (json_string_value (json_object_get (loc,
                                                     "absolute_win32_path")),
                 "C:\\Hyper-V") != NULL);
  json_decref (info);

  vx_make_small_with_log ("log.vhdx");
  info = info_of ("log.vhdx");
  CHECK (json_is_true (json_object_get (info, "log-replayed")));
  json_decref (info);

  o = (struct vhdxgen_options) { .size = 4 << 20, .fixed = true };
  g = vhdxgen_new (&o);
  vhdxgen_save (g, "fixed.vhdx");
  vhdxgen_free (g);
  info = info_of ("fixed.vhdx");
  CHECK (json_is_true (json_object_get (info, "leave-blocks-allocated")));
  json_decref (info);
  return 0;
}
