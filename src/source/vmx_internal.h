/* vmx_internal.h: what the VMware reader (vmx.c) and its key/value parser
 * (vmx_file.c) share beyond vmx.h; nothing outside them includes it.
 */
#ifndef FERRY_SOURCE_VMX_INTERNAL_H
#define FERRY_SOURCE_VMX_INTERNAL_H

#include <stddef.h>

/* Copy s into buf for an error message: at most 64 bytes, anything but
 * printable ASCII shown as '?', so that hostile values cannot garble the
 * message.  Returns buf. */
const char *vmx_printable (const char *s, char *buf, size_t size);

#endif
