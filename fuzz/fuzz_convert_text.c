/* fuzz_convert_text.c: libFuzzer harness for the guest-file text rules of
 * src/convert/ (rewrite.c, netconf.c), which read files a guest wrote.
 * The first byte picks the network configuration style; the rest is the
 * file, given to every rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert_internal.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *
fuzz_uuid (void *opaque, const char *dev)
{
  return strdup (dev[7] == 'z' ? "" : "0f3c9a52-6d1e-4b8e-9a1f-2c5d7e8b9a01");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const mods[] = { "virtio_blk", "ext4" };
  convert_iface_vector ifaces = empty_vector;
  char *text, *out, name[64];
  struct convert_nic nic = { .mac = "00:50:56:aa:00:01", .pci_slot = 0 };
  char *lines[2] = { NULL, NULL };
  unsigned changed;
  bool flag;

  if (size == 0)
    return 0;
  text = strndup ((const char *) data + 1, size - 1);
  if (text == NULL)
    return 0;
  if (convert_netconf_parse (convert_netconf_styles[data[0]
                               % convert_netconf_nr_styles].name,
                             "ifcfg-fuzz", text, &ifaces) == 0)
    (void) convert_nic_old_name (&nic, 1, 0, &ifaces, name);
  free (ifaces.ptr);
#define RUN(call)                                                       \
  do {                                                                  \
    if ((call) == 0) {                                                  \
      (void) strlen (out);                                              \
      free (out);                                                       \
    }                                                                   \
  } while (0)
  RUN (convert_table_rewrite (text, data[0] % 3, fuzz_uuid, NULL, &out,
                              &changed));
  RUN (convert_cmdline_rewrite (text, fuzz_uuid, NULL, &out, &changed));
  RUN (convert_grub_defaults_rewrite (text, data[0] & 1, &out, &flag));
  RUN (convert_grub_legacy_console (text, &out, &flag));
  RUN (convert_lvm_conf_rewrite (text, &out, &flag));
  RUN (convert_modules_file_add (text, mods, 2, &out, &changed));
#undef RUN
  lines[0] = text;
  (void) convert_module_listed (lines, "virtio_blk");
  free (text);
  return 0;
}
