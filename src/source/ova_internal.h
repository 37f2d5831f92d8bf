/* ova_internal.h: what the parts of the OVF / OVA reader share (ova.c,
 * ova_tar.c, ovf_manifest.c, ovf_envelope.c); nothing outside
 * src/source/ova*.c and ovf*.c includes it.
 */
#ifndef FERRY_SOURCE_OVA_INTERNAL_H
#define FERRY_SOURCE_OVA_INTERNAL_H

#include <stddef.h>

/* A printable, bounded copy of untrusted text for messages: s into buf
 * (size bytes), every byte outside printable ASCII as '?'.  Returns buf. */
const char *ova_printable (const char *s, char *buf, size_t size);

#endif
