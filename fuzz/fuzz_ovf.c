/* fuzz_ovf.c: libFuzzer harness for the OVF/OVA parsers
 * (src/source/ovf_envelope.c, ovf_manifest.c, ova_tar.c).  One input goes through all three: as an OVF
 * envelope (libxml2, then the model), as a manifest, and as a tar archive
 * held in memory (the member lister).  Every answer is checked for
 * consistency: members lie inside the archive, and a model names what it
 * claims. */
#include <stdint.h>
#include <string.h>

#include "source/ova.h"
#include "util/error.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

struct memory {
  const uint8_t *data;
  size_t size;
};

static int
memory_read (void *opaque, void *buf, size_t count, uint64_t offset)
{
  struct memory *m = opaque;

  if (offset > m->size || count > m->size - offset) {
    error_set ("fuzz: read past the end");
    return -1;
  }
  memcpy (buf, m->data + offset, count);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct ovf_envelope env;
  ovf_digest_vector digests;
  ova_member_vector members;
  struct memory m = { data, size };

  log_set_level (LOG_ERROR);
  if (ovf_envelope_parse ((const char *) data, size, "fuzz.ovf", &env) == 0) {
    for (size_t i = 0; i < env.vm.disks.len; i++)
      if (env.vm.disks.ptr[i].path == NULL)
        __builtin_trap ();
    (void) strlen (env.vm.name ? env.vm.name : "");
    ovf_envelope_free (&env);
  }
  error_clear ();
  if (ovf_manifest_parse ((const char *) data, size, "fuzz.mf",
                          &digests) == 0)
    ovf_digests_free (&digests);
  error_clear ();
  if (ova_tar_list (memory_read, &m, size, "fuzz.ova", &members) == 0) {
    for (size_t i = 0; i < members.len; i++)
      if (members.ptr[i].offset > size
          || members.ptr[i].size > size - members.ptr[i].offset)
        __builtin_trap ();
    ova_members_free (&members);
  }
  error_clear ();
  return 0;
}
