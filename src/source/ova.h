/* ova.h: the OVF / OVA source reader.
 *
 * An OVF package is a descriptor (.ovf, an XML "Envelope" per DMTF
 * DSP0243), an optional manifest (.mf: digests of the other files), an
 * optional certificate (.cert) and the disk files.  An OVA is the same
 * files in one ustar archive, .ovf first.  The reader turns the
 * descriptor into ferry's VM model (vm/vm.h), checks the manifest's
 * digests, and describes each disk as an image that the image layer can
 * open: for an OVA, a window of the .ova itself (vm_disk.file_base /
 * file_length), read in place; nothing is ever unpacked, copied or
 * written.
 *
 * Every parser here (tar headers, manifest, envelope) takes hostile input:
 * bounded sizes and counts, overflow-checked numbers, no network, no DTD
 * or entity loading, and errors that name the file and the element.
 */
#ifndef FERRY_SOURCE_OVA_H
#define FERRY_SOURCE_OVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vector.h"
#include "vm/vm.h"

/* Bounds on what is accepted. */
#define OVA_MEMBERS_MAX 4096
#define OVA_NAME_MAX 4096                    /* member name, href */
#define OVA_PAX_MAX (1024 * 1024)            /* one pax extended header */
#define OVF_DESCRIPTOR_MAX (16 * 1024 * 1024)
#define OVF_MANIFEST_MAX (1024 * 1024)
#define OVF_ITEMS_MAX 4096                   /* hardware items, files, disks */

/* Read "PATH.ova" / "PATH.ovf" into *vm (VM_INIT).  0, or -1 with the error
 * set and *vm back to VM_INIT. */
int ova_read (const char *path, struct vm *vm);
int ovf_read (const char *path, struct vm *vm);

/* ---- tar members (exposed for the tests and the fuzzer) ---- */

struct ova_member {
  char *name;                  /* "./" prefixes removed */
  uint64_t offset;             /* of the member's data in the archive */
  uint64_t size;
};
DEFINE_VECTOR_TYPE (ova_member_vector, struct ova_member);

/* Reads count bytes at offset of the archive, or fails (-1, error set). */
typedef int (*ova_read_fn) (void *opaque, void *buf, size_t count,
                            uint64_t offset);

/* List the regular files of a ustar / GNU / pax archive of archive_size
 * bytes: checksums verified, GNU long names and pax "path"/"size" records
 * applied, every member's data checked to lie inside the archive.  `what`
 * names the archive in messages.  On failure *out is empty. */
int ova_tar_list (ova_read_fn read, void *opaque, uint64_t archive_size,
                  const char *what, ova_member_vector *out);
void ova_members_free (ova_member_vector *members);

/* ---- manifest ---- */

struct ovf_digest {
  char *algorithm;             /* "SHA1", "SHA256", "SHA512" (upper case) */
  char *file;
  char *hex;                   /* lower case */
};
DEFINE_VECTOR_TYPE (ovf_digest_vector, struct ovf_digest);

/* Parse "SHA256(file)= hex" lines. */
int ovf_manifest_parse (const char *text, size_t len, const char *what,
                        ovf_digest_vector *out);
void ovf_digests_free (ovf_digest_vector *digests);

/* ---- the envelope ---- */

struct ovf_file {
  char *id;
  char *href;
  uint64_t size;               /* ovf:size, when has_size */
  bool has_size;
};
DEFINE_VECTOR_TYPE (ovf_file_vector, struct ovf_file);

struct ovf_envelope {
  /* The VM, but each disk's `path` is the href of its file as written in
   * References (relative to the package); file_base/length are 0;
   * capacity is DiskSection's (0 when not stated). */
  struct vm vm;
  ovf_file_vector files;
};

/* Parse a descriptor (`what` names it in messages) into *env (zeroed).  On
 * failure *env is left empty. */
int ovf_envelope_parse (const char *xml, size_t len, const char *what,
                        struct ovf_envelope *env);
void ovf_envelope_free (struct ovf_envelope *env);

#endif
