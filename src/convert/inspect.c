/* inspect.c: what a guest is, read through libguestfs.
 *
 * libguestfs's inspection (guestfs_inspect_os and friends) finds the
 * operating system; the rest is read from the guest's own files: its
 * kernels in /boot, the tool that builds its initramfs, its bootloader,
 * init system and udev, its firmware (from the partition table) and every
 * network configuration style it uses with the interfaces each names.
 *
 * It must never write: convert_inspect() adds the disks read-only, and
 * convert_inspect_mounted() reads whatever it mounted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert_internal.h"
#include "util/ascii.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"

/* A network configuration file larger than this is not one. */
#define NETCONF_FILE_MAX (1024 * 1024)

#define ESP_GPT_TYPE "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define ESP_MBR_ID 0xef

/* Whether path is a regular file (or a symlink to one) in the guest;
 * libguestfs's errors (an unreadable directory) count as not. */
static bool
guest_is_file (guestfs_h *g, const char *path)
{
  return guestfs_is_file_opts (g, path, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS,
                               1, -1) == 1;
}

static bool
guest_is_dir (guestfs_h *g, const char *path)
{
  return guestfs_is_dir_opts (g, path, GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS,
                              1, -1) == 1;
}

/* The first of paths[] that is a file, or NULL. */
static const char *
first_file (guestfs_h *g, const char *const *paths)
{
  for (; *paths; paths++)
    if (guest_is_file (g, *paths))
      return *paths;
  return NULL;
}

static int
set_guestfs_string (json_t *obj, const char *key, char *value)
{
  int r = json_set_string (obj, key, value);
  free (value);
  return r;
}

/* Mount the OS's filesystems, shortest mountpoint first (/ before
 * /boot before /boot/efi), and list them in "mountpoints". */
static int
mount_all (guestfs_h *g, const char *root, bool readonly, json_t *os)
{
  CLEANUP_STRINGS char **mps = guestfs_inspect_get_mountpoints (g, root);
  json_t *obj;
  size_t n = 0;

  if (mps == NULL)
    return convert_guestfs_error (g, "inspect: mountpoints");
  while (mps[n])
    n += 2;
  obj = json_object ();
  if (obj == NULL || json_set_new (os, "mountpoints", obj) == -1)
    return -1;
  for (size_t len = 1; len < 4096; len++)
    for (size_t i = 0; i < n; i += 2) {
      int r;
      if (strlen (mps[i]) != len)
        continue;
      r = readonly ? guestfs_mount_ro (g, mps[i + 1], mps[i])
                   : guestfs_mount (g, mps[i + 1], mps[i]);
      if (r == -1) {
        char what[256];
        snprintf (what, sizeof what, "inspect: mounting %s on %s",
                  mps[i + 1], mps[i]);
        return convert_guestfs_error (g, what);
      }
      if (json_set_string (obj, mps[i], mps[i + 1]) == -1)
        return -1;
    }
  return 0;
}

/* "initramfs-tools", "dracut" or NULL. */
static const char *
initramfs_tool (guestfs_h *g)
{
  static const char *const update_initramfs[] = {
    "/usr/sbin/update-initramfs", "/sbin/update-initramfs", NULL };
  static const char *const dracut[] = {
    "/usr/bin/dracut", "/usr/sbin/dracut", "/sbin/dracut", NULL };

  if (first_file (g, update_initramfs))
    return "initramfs-tools";
  if (first_file (g, dracut))
    return "dracut";
  return NULL;
}

/* The kernels in /boot: [{version, vmlinuz, initrd, modules}]; initrd is
 * the file there is or, when none, the name the tool would give it. */
static int
inspect_kernels (guestfs_h *g, const char *tool, json_t *os)
{
  CLEANUP_STRINGS char **files = guestfs_ls (g, "/boot");
  json_t *kernels = json_array ();

  if (kernels == NULL || json_set_new (os, "kernels", kernels) == -1)
    return -1;
  if (files == NULL)
    return convert_guestfs_error (g, "inspect: listing /boot");
  for (char **f = files; *f; f++) {
    const char *version = *f + strlen ("vmlinuz-");
    char vmlinuz[512], modules[512], debian[512], redhat[512], suse[512];
    const char *initrd;
    json_t *k;

    if (strncmp (*f, "vmlinuz-", 8) != 0 || strlen (*f) > 256
        || strchr (version, '/'))
      continue;
    snprintf (vmlinuz, sizeof vmlinuz, "/boot/%s", *f);
    snprintf (modules, sizeof modules, "/lib/modules/%s", version);
    snprintf (debian, sizeof debian, "/boot/initrd.img-%s", version);
    snprintf (redhat, sizeof redhat, "/boot/initramfs-%s.img", version);
    snprintf (suse, sizeof suse, "/boot/initrd-%s", version);
    if (guest_is_file (g, debian))
      initrd = debian;
    else if (guest_is_file (g, redhat))
      initrd = redhat;
    else if (guest_is_file (g, suse))
      initrd = suse;
    else if (tool && strcmp (tool, "initramfs-tools") == 0)
      initrd = debian;
    else
      initrd = redhat;
    k = json_object ();
    if (k == NULL || json_array_append_new (kernels, k) == -1
        || json_set_string (k, "version", version) == -1
        || json_set_string (k, "vmlinuz", vmlinuz) == -1
        || json_set_string (k, "initrd", initrd) == -1
        || json_set_bool (k, "initrd-exists", guest_is_file (g, initrd)) == -1
        || json_set_bool (k, "modules", guest_is_dir (g, modules)) == -1) {
      error_set ("inspect: out of memory");
      return -1;
    }
  }
  return 0;
}

/* {"type": "grub2"|"grub-legacy", "config": path} or {"type": null,
 * "error": why}. */
static int
inspect_bootloader (guestfs_h *g, json_t *os)
{
  static const char *const grub2[] = {
    "/boot/grub/grub.cfg", "/boot/grub2/grub.cfg", NULL };
  static const char *const legacy[] = {
    "/boot/grub/menu.lst", "/boot/grub/grub.conf", NULL };
  static const struct { const char *path, *name; } others[] = {
    { "/boot/extlinux/extlinux.conf", "extlinux" },
    { "/extlinux.conf", "extlinux" },
    { "/boot/syslinux/syslinux.cfg", "syslinux" },
    { "/boot/loader/loader.conf", "systemd-boot" },
    { "/boot/efi/loader/loader.conf", "systemd-boot" },
    { "/etc/lilo.conf", "LILO" },
  };
  json_t *bl = json_object ();
  const char *config = first_file (g, grub2), *type = "grub2";
  CLEANUP_STRINGS char **efi = NULL;
  char why[512];

  if (bl == NULL || json_set_new (os, "bootloader", bl) == -1)
    return -1;
  /* UEFI guests of some distributions keep the real one on the ESP. */
  if (config == NULL && (efi = guestfs_glob_expand (g, "/boot/efi/EFI/*/grub.cfg"))
      && efi[0])
    config = efi[0];
  if (config == NULL) {
    config = first_file (g, legacy);
    type = "grub-legacy";
  }
  if (config)
    return json_set_string (bl, "type", type) == -1
      || json_set_string (bl, "config", config) == -1 ? -1 : 0;
  snprintf (why, sizeof why, "no GRUB configuration (/boot/grub/grub.cfg, "
            "/boot/grub2/grub.cfg, /boot/grub/menu.lst)");
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
    if (guest_is_file (g, others[i].path)) {
      snprintf (why, sizeof why, "the bootloader is %s (%s): only GRUB 2 and "
                "GRUB legacy are supported", others[i].name, others[i].path);
      break;
    }
  return json_set_new (bl, "type", json_null ()) == -1
    || json_set_string (bl, "error", why) == -1 ? -1 : 0;
}

static const char *
inspect_init (guestfs_h *g)
{
  static const char *const systemd[] = {
    "/usr/lib/systemd/systemd", "/lib/systemd/systemd", NULL };
  static const char *const upstart[] = { "/sbin/upstart", NULL };

  if (first_file (g, systemd))
    return "systemd";
  if (first_file (g, upstart))
    return "upstart";
  return "sysvinit";
}

/* "systemd-udevd" (reads .link files), "udev" (an older udevd: rules
 * only) or NULL. */
static const char *
inspect_udev (guestfs_h *g)
{
  static const char *const systemd[] = {
    "/usr/lib/systemd/systemd-udevd", "/lib/systemd/systemd-udevd", NULL };
  static const char *const udev[] = {
    "/sbin/udevd", "/usr/sbin/udevd", "/lib/udev/udevd", NULL };

  if (first_file (g, systemd))
    return "systemd-udevd";
  if (first_file (g, udev))
    return "udev";
  return NULL;
}

/* BIOS or UEFI, from the first disk's partition table: an EFI system
 * partition means UEFI. */
static const char *
inspect_firmware (guestfs_h *g)
{
  CLEANUP_STRINGS char **devices = guestfs_list_devices (g);
  CLEANUP_STRINGS char **parts = NULL;
  CLEANUP_FREE char *table = NULL;
  size_t dlen;

  if (devices == NULL || devices[0] == NULL
      || (table = guestfs_part_get_parttype (g, devices[0])) == NULL
      || (parts = guestfs_list_partitions (g)) == NULL)
    return "unknown";
  dlen = strlen (devices[0]);
  for (char **p = parts; *p; p++) {
    int num;
    if (strncmp (*p, devices[0], dlen) != 0
        || (num = guestfs_part_to_partnum (g, *p)) == -1)
      continue;
    if (strcmp (table, "gpt") == 0) {
      CLEANUP_FREE char *type = guestfs_part_get_gpt_type (g, devices[0], num);
      if (type && ascii_casecmp (type, ESP_GPT_TYPE) == 0)
        return "uefi";
    }
    else if (guestfs_part_get_mbr_id (g, devices[0], num) == ESP_MBR_ID)
      return "uefi";
  }
  return "bios";
}

/* Read a small guest file as a string (malloc'd), NULL when it cannot be
 * read or is too large (error set). */
static char *
read_small_file (guestfs_h *g, const char *path)
{
  int64_t size = guestfs_filesize (g, path);
  CLEANUP_FREE char *data = NULL;
  size_t len;
  char *text;

  if (size < 0 || size > NETCONF_FILE_MAX
      || (data = guestfs_read_file (g, path, &len)) == NULL) {
    if (size > NETCONF_FILE_MAX)
      error_set ("%s: larger than %d bytes", path, NETCONF_FILE_MAX);
    else
      convert_guestfs_error (g, path);
    return NULL;
  }
  text = malloc (len + 1);
  if (text == NULL) {
    error_set ("%s: out of memory", path);
    return NULL;
  }
  memcpy (text, data, len);
  text[len] = '\0';
  return text;
}

/* "network": {"styles": [...], "interfaces": [{name, mac, style}]}. */
static int
inspect_network (guestfs_h *g, json_t *os)
{
  convert_iface_vector ifaces = empty_vector;
  json_t *net = json_object (), *styles = json_array (), *list = json_array ();
  int ret = -1;

  if (net == NULL || json_set_new (os, "network", net) == -1) {
    json_decref (styles);
    json_decref (list);
    return -1;
  }
  if (json_set_new (net, "styles", styles) == -1
      || json_set_new (net, "interfaces", list) == -1)
    return -1;
  for (size_t s = 0; s < convert_netconf_nr_styles; s++) {
    const struct convert_netconf_style *style = &convert_netconf_styles[s];
    CLEANUP_STRINGS char **paths = guestfs_glob_expand (g, style->glob);
    bool found = false;

    for (char **p = paths; p && *p; p++) {
      CLEANUP_FREE char *text = NULL;
      if (!guest_is_file (g, *p))
        continue;
      text = read_small_file (g, *p);
      if (text == NULL) {
        error_prefix ("convert: inspect: network");
        goto out;
      }
      if (convert_netconf_parse (style->name, strrchr (*p, '/') + 1, text,
                                 &ifaces) == -1)
        goto out;
      found = true;
    }
    if (found) {
      bool listed = false;
      for (size_t i = 0; i < json_array_size (styles); i++)
        listed |= strcmp (json_string_value (json_array_get (styles, i)),
                          style->name) == 0;
      if (!listed && json_array_append_new (styles,
                                            json_string (style->name)) == -1)
        goto out;
    }
  }
  for (size_t i = 0; i < ifaces.len; i++) {
    json_t *obj = json_object ();
    if (obj == NULL || json_array_append_new (list, obj) == -1
        || json_set_string (obj, "name", ifaces.ptr[i].name) == -1
        || (ifaces.ptr[i].mac[0]
            ? json_set_string (obj, "mac", ifaces.ptr[i].mac)
            : json_set_new (obj, "mac", json_null ())) == -1
        || json_set_string (obj, "style", ifaces.ptr[i].style) == -1)
      goto out;
  }
  ret = 0;
 out:
  free (ifaces.ptr);
  return ret;
}

/* "vmware-tools": {"packages": [...], "uninstaller": path|null}. */
static int
inspect_vmware_tools (guestfs_h *g, const char *root, json_t *os)
{
  static const char *const names[] = {
    "open-vm-tools", "open-vm-tools-desktop", "open-vm-tools-sdmp", NULL };
  static const char *const uninstaller[] = {
    "/usr/bin/vmware-uninstall-tools.pl", NULL };
  struct guestfs_application2_list *apps;
  json_t *tools = json_object (), *pkgs = json_array ();
  const char *u;

  if (tools == NULL || json_set_new (os, "vmware-tools", tools) == -1) {
    json_decref (pkgs);
    return -1;
  }
  if (json_set_new (tools, "packages", pkgs) == -1)
    return -1;
  apps = guestfs_inspect_list_applications2 (g, root);
  if (apps == NULL)
    return convert_guestfs_error (g, "inspect: listing installed packages");
  for (uint32_t i = 0; i < apps->len; i++)
    for (const char *const *n = names; *n; n++)
      if (strcmp (apps->val[i].app2_name, *n) == 0
          && json_array_append_new (pkgs, json_string (*n)) == -1) {
        guestfs_free_application2_list (apps);
        return -1;
      }
  guestfs_free_application2_list (apps);
  u = first_file (g, uninstaller);
  return (u ? json_set_string (tools, "uninstaller", u)
          : json_set_new (tools, "uninstaller", json_null ()));
}

json_t *
convert_inspect_mounted (guestfs_h *g, bool readonly, char **root_out)
{
  CLEANUP_STRINGS char **roots = guestfs_inspect_os (g);
  json_t *os = json_object ();
  const char *tool, *udev;
  char *root;

  *root_out = NULL;
  error_clear ();
  if (os == NULL) {
    error_set ("convert: inspect: out of memory");
    return NULL;
  }
  if (roots == NULL) {
    convert_guestfs_error (g, "inspect");
    goto fail;
  }
  if (roots[0] == NULL || roots[1] != NULL) {
    error_set ("convert: inspect: %s", roots[0] == NULL
               ? "no operating system found on the disks"
               : "more than one operating system on the disks");
    goto fail;
  }
  root = roots[0];
  if (set_guestfs_string (os, "type", guestfs_inspect_get_type (g, root)) == -1
      || set_guestfs_string (os, "distro",
                             guestfs_inspect_get_distro (g, root)) == -1
      || set_guestfs_string (os, "product-name",
                             guestfs_inspect_get_product_name (g, root)) == -1
      || json_set_new (os, "major-version", json_integer (
                         guestfs_inspect_get_major_version (g, root))) == -1
      || json_set_new (os, "minor-version", json_integer (
                         guestfs_inspect_get_minor_version (g, root))) == -1
      || set_guestfs_string (os, "hostname",
                             guestfs_inspect_get_hostname (g, root)) == -1
      || json_set_string (os, "root", root) == -1
      || set_guestfs_string (os, "package-format",
                             guestfs_inspect_get_package_format (g, root)) == -1
      || set_guestfs_string (os, "package-manager",
                             guestfs_inspect_get_package_management (g, root)) == -1) {
    if (error_message ()[0] == '\0')
      convert_guestfs_error (g, "inspect");
    goto fail;
  }
  if (strcmp (json_string_value (json_object_get (os, "type")), "linux") != 0) {
    /* Only Linux guests have the files read below. */
    goto done;
  }
  if (mount_all (g, root, readonly, os) == -1)
    goto fail;
  tool = initramfs_tool (g);
  udev = inspect_udev (g);
  if ((tool ? json_set_string (os, "initramfs-tool", tool)
            : json_set_new (os, "initramfs-tool", json_null ())) == -1
      || inspect_kernels (g, tool, os) == -1
      || inspect_bootloader (g, os) == -1
      || json_set_string (os, "init", inspect_init (g)) == -1
      || (udev ? json_set_string (os, "udev", udev)
               : json_set_new (os, "udev", json_null ())) == -1
      || json_set_string (os, "firmware", inspect_firmware (g)) == -1
      || inspect_network (g, os) == -1
      || inspect_vmware_tools (g, root, os) == -1)
    goto fail;
 done:
  *root_out = strdup (root);
  if (*root_out == NULL) {
    error_set ("convert: inspect: out of memory");
    goto fail;
  }
  return os;

 fail:
  if (error_message ()[0] == '\0')
    error_set ("convert: inspect: out of memory");
  json_decref (os);
  return NULL;
}

int
convert_inspect (const struct convert_disk *disks, size_t n, json_t **info)
{
  guestfs_h *g = convert_guestfs_open (disks, n, true);
  CLEANUP_FREE char *root = NULL;
  json_t *os;

  *info = NULL;
  if (g == NULL)
    return -1;
  os = convert_inspect_mounted (g, true, &root);
  if (os == NULL) {
    guestfs_close (g);
    return -1;
  }
  if (convert_guestfs_close (g) == -1) {
    json_decref (os);
    return -1;
  }
  *info = os;
  return 0;
}
