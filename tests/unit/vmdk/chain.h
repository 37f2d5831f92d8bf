/* chain.h: a two-layer snapshot chain for the chain tests:
 * base.vmdk (0xaa at 1 MiB, 128 KiB; 0xbb at 4 MiB, 64 KiB) and its child
 * child.vmdk (0xcc at 1 MiB + 64 KiB, 64 KiB). */
#ifndef FERRY_TESTS_VMDK_CHAIN_H
#define FERRY_TESTS_VMDK_CHAIN_H

#include "helpers.h"

static inline void
th_make_chain (const char *child_options)
{
  th_run ("qemu-img create -f vmdk base.vmdk 16M");
  th_run ("qemu-io -f vmdk -c 'write -P 0xaa 1M 128k' "
          "-c 'write -P 0xbb 4M 64k' base.vmdk");
  th_run ("qemu-img create -f vmdk -b base.vmdk -F vmdk %s child.vmdk",
          child_options);
  th_run ("qemu-io -f vmdk -c 'write -P 0xcc 1088k 64k' child.vmdk");
}

/* The 8 hex digits following `key=` in the embedded descriptor. */
static inline uint32_t
th_descriptor_cid (const char *name, const char *key)
{
  char *text = th_read_embedded_descriptor (name);
  char *hit = strstr (text, key);
  uint32_t v;

  if (hit == NULL || sscanf (hit + strlen (key), "%8" SCNx32, &v) != 1)
    FAIL ("%s: no %s in the descriptor", name, key);
  free (text);
  return v;
}

#endif
