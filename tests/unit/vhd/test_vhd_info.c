/* The info callback reports the footer, the block size and, for a
 * differencing disk, the parent's UUID, name and locators. */
#include "vhdtest.h"

static const char *
str (json_t *o, const char *key)
{
  const char *s = json_string_value (json_object_get (o, key));
  if (s == NULL)
    FAIL ("info has no string \"%s\"", key);
  return s;
}

int
main (void)
{
  uint8_t u[16];
  char uuid[37];
  struct vhdgen *g;
  struct disk *d;
  json_t *info, *locs, *geo;

  test_init (true);
  test_run ("qemu-img create -f vpc d.vhd 10M");
  d = test_open ("d.vhd");
  info = json_object ();
  CHECK (d->driver->info (d, info) == 0);
  CHECK (strcmp (str (info, "disk-type"), "dynamic") == 0);
  CHECK (strcmp (str (info, "creator-application"), "qemu") == 0);
  CHECK (strcmp (str (info, "creator-version"), "5.3") == 0);
  CHECK (strcmp (str (info, "creator-host-os"), "Windows") == 0);
  CHECK (strcmp (str (info, "size-from"), "geometry") == 0);
  CHECK (json_integer_value (json_object_get (info, "block-size"))
         == 2 << 20);
  geo = json_object_get (info, "geometry");
  CHECK (json_integer_value (json_object_get (geo, "cylinders")) == 302);
  CHECK (json_integer_value (json_object_get (geo, "heads")) == 4);
  CHECK (json_integer_value (json_object_get (geo, "sectors")) == 17);
  CHECK (strlen (str (info, "uuid")) == 36);
  CHECK (json_object_get (info, "parent-uuid") == NULL);
  json_decref (info);
  disk_close (d);

  vhdtest_make_base ("base.vhd", 1);
  g = vhdtest_child_new (1, 2);
  vhdgen_set_parent (g, (vhdgen_uuid (1, u), u), "base.vhd");
  vhdgen_add_locator (g, "W2ku", "C:\\VMs\\base.vhd");
  vhdgen_add_locator (g, "W2ru", ".\\base.vhd");
  vhdgen_save (g, "child.vhd");
  vhdgen_free (g);
  d = test_open ("child.vhd");
  info = json_object ();
  CHECK (d->driver->info (d, info) == 0);
  CHECK (strcmp (str (info, "disk-type"), "differencing") == 0);
  CHECK (strcmp (str (info, "creator-application"), "win") == 0);
  CHECK (strcmp (str (info, "size-from"), "current-size") == 0);
  CHECK (json_integer_value (json_object_get (info, "block-size")) == 65536);
  snprintf (uuid, sizeof uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
            u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  CHECK (strcmp (str (info, "parent-uuid"), uuid) == 0);
  CHECK (strcmp (str (info, "parent-name"), "base.vhd") == 0);
  locs = json_object_get (info, "parent-locators");
  CHECK (json_array_size (locs) == 2);
  CHECK (strcmp (str (json_array_get (locs, 0), "platform"), "W2ku") == 0);
  CHECK (strcmp (str (json_array_get (locs, 0), "path"), "C:\\VMs\\base.vhd")
         == 0);
  CHECK (strcmp (str (json_array_get (locs, 1), "platform"), "W2ru") == 0);
  CHECK (strcmp (str (json_array_get (locs, 1), "path"), ".\\base.vhd")
         == 0);
  json_decref (info);

  /* the parent is a dynamic disk made by vhdgen */
  info = json_object ();
  CHECK (d->backing->driver->info (d->backing, info) == 0);
  vhdgen_uuid (1, u);
  CHECK (strcmp (str (info, "uuid"), uuid) == 0);
  json_decref (info);
  disk_close (d);

  test_run ("qemu-img create -f vpc -o subformat=fixed f.vhd 1M");
  d = vhdtest_open ("f.vhd");
  info = json_object ();
  CHECK (d->driver->info (d, info) == 0);
  CHECK (strcmp (str (info, "disk-type"), "fixed") == 0);
  CHECK (json_object_get (info, "block-size") == NULL);
  json_decref (info);
  disk_close (d);
  return 0;
}
