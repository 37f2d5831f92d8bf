/* convert_internal.h: what the files of src/convert/ share and nobody
 * else sees.
 *
 * Two halves.  The pure half (rewrite.c, netconf.c) turns a guest file's
 * text into new text and never touches a disk, so that unit tests can
 * check it on strings.  The libguestfs half (guestfs.c, inspect.c,
 * linux.c) reads and writes the guest only through libguestfs: never a
 * filesystem of our own, never the host's files.
 */
#ifndef FERRY_CONVERT_INTERNAL_H
#define FERRY_CONVERT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <guestfs.h>
#include <jansson.h>

#include "convert/convert.h"
#include "util/vector.h"

/* ---- rewrite.c: device names and kernel command lines ---- */

/* Whether dev names a disk the way a kernel without stable names did:
 * /dev/sdX[N] or /dev/hdX[N] (X one or more letters).  When it does, out
 * (at least CONVERT_DEVICE_MAX bytes) gets the name the same disk has in
 * the libguestfs appliance, which sees the guest's disks in the guest's
 * order as /dev/sdX: /dev/hdb2 -> /dev/sdb2. */
#define CONVERT_DEVICE_MAX 32
bool convert_device_to_appliance (const char *dev, char out[CONVERT_DEVICE_MAX]);

/* Gives the UUID of an appliance device (malloc'd), or NULL with the
 * error set.  The rewrite functions' errors name the device, not the file:
 * their callers prefix "convert: STEP: FILE". */
typedef char *(*convert_uuid_fn) (void *opaque, const char *appliance_dev);

/* Rewrite a whitespace-separated table (fstab: field 0, crypttab: field
 * 1): where that field of a line is an old device name it becomes
 * UUID=<uuid>.  Comments, blank lines, spacing and every other field are
 * kept byte for byte.  *out is the new text (malloc'd), *changed the
 * number of lines rewritten.  0, or -1 with the error set (then *out is
 * NULL). */
int convert_table_rewrite (const char *text, unsigned field,
                           convert_uuid_fn uuid, void *opaque,
                           char **out, unsigned *changed);

/* Rewrite root=/dev/... and resume=/dev/... in kernel command lines
 * anywhere in text (/etc/default/grub, GRUB legacy's menu.lst) to
 * root=UUID=..., as convert_table_rewrite does. */
int convert_cmdline_rewrite (const char *text, convert_uuid_fn uuid,
                             void *opaque, char **out, unsigned *changed);

/* /etc/default/grub: GRUB_DISABLE_LINUX_UUID=true, which would make
 * grub-mkconfig write root=/dev/sdX, is commented out; when want_console
 * and no GRUB_CMDLINE_LINUX* line names console=ttyS0, the serial console
 * is added to GRUB_CMDLINE_LINUX (after console=tty0 when the line has no
 * console= at all, so the screen keeps the kernel's messages too).
 * *changed says whether anything changed. */
int convert_grub_defaults_rewrite (const char *text, bool want_console,
                                   char **out, bool *changed);

/* /etc/lvm/lvm.conf: filter and global_filter settings that name
 * /dev/sdX or /dev/hdX are commented out (they would hide the disks that
 * are /dev/vdX now). */
int convert_lvm_conf_rewrite (const char *text, char **out, bool *changed);

/* GRUB legacy (menu.lst): console=ttyS0 appended to every "kernel" line
 * that has none. */
int convert_grub_legacy_console (const char *text, char **out, bool *changed);

/* /etc/initramfs-tools/modules with every module of names[] that it does
 * not list yet appended (one a line).  *added counts them. */
int convert_modules_file_add (const char *text, const char *const *names,
                              size_t n, char **out, unsigned *added);

/* ---- netconf.c: network configuration ---- */

/* An interface a guest's network configuration names, with the MAC
 * address it matches on when it does ("" when not). */
struct convert_iface {
  char name[64];
  char mac[18];                 /* lower case, ':' separators, or "" */
  const char *style;            /* "ifupdown", "networkd", ... */
};
DEFINE_VECTOR_TYPE (convert_iface_vector, struct convert_iface);

/* The configuration styles, with where each keeps its files (a glob
 * inside the guest). */
struct convert_netconf_style {
  const char *name;
  const char *glob;
};
extern const struct convert_netconf_style convert_netconf_styles[];
extern const size_t convert_netconf_nr_styles;

/* Add the interfaces that the file called file_name (its base name), of
 * style (a convert_netconf_styles[] name), configures with text to v,
 * skipping "lo" and names already there.  0 or -1. */
int convert_netconf_parse (const char *style, const char *file_name,
                           const char *text, convert_iface_vector *v);

/* The name the guest knew nics[i] by: the configured interface that
 * matches its MAC; else "ens<pci_slot>" (VMware's ethernetN.pciSlotNumber
 * is the slot number the firmware announces, which systemd's predictable
 * names use); else, when the VM has one NIC and the guest configures one
 * interface, that one.  Returns why (for the report), or NULL when none
 * applies. */
const char *convert_nic_old_name (const struct convert_nic *nics,
                                  size_t nr_nics, size_t i,
                                  const convert_iface_vector *ifaces,
                                  char name[64]);

/* Whether a listing (an initramfs's files, modules.builtin) holds the
 * kernel module mod: a line ending in /mod.ko, compressed or not. */
bool convert_module_listed (char *const *lines, const char *mod);

/* ---- guestfs.c: the appliance ---- */

/* A started appliance with disks[] added in order (read-only or not):
 * NULL with the error set. */
guestfs_h *convert_guestfs_open (const struct convert_disk *disks, size_t n,
                                 bool readonly);
/* guestfs_close, and for a writable one guestfs_shutdown first so that a
 * failed sync is an error: 0 or -1. */
int convert_guestfs_close (guestfs_h *g);
/* Set the error to "convert: WHAT: <libguestfs's last error, on one
 * line>" and return -1. */
int convert_guestfs_error (guestfs_h *g, const char *what);
/* libguestfs's last error on one line, in line[ERROR_MESSAGE_MAX]. */
void convert_guestfs_error_line (guestfs_h *g, char *line);
/* NULL-terminated string lists from libguestfs. */
void convert_strings_free (char **list);
#define CLEANUP_STRINGS __attribute__ ((cleanup (convert_strings_cleanup)))
static inline void
convert_strings_cleanup (char ***p)
{
  convert_strings_free (*p);
}

/* ---- inspect.c ---- */

/* Inspect the appliance's disks: the one operating system's facts as JSON
 * (convert.h describes the keys), its filesystems mounted on / (read-only
 * or not) and *root its root device (malloc'd).  NULL with the error set
 * when there is no OS or more than one. */
json_t *convert_inspect_mounted (guestfs_h *g, bool readonly, char **root);

/* ---- linux.c ---- */
int convert_linux_adapt (guestfs_h *g, json_t *os,
                         const struct convert_nic *nics, size_t nr_nics,
                         const struct convert_options *options,
                         json_t *report);

#endif
