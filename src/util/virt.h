/* virt.h: what every user of the libvirt C API in ferry shares: one
 * initialisation that switches libvirt's own error printing off, and a way
 * to turn libvirt's last error into a ferry error with context
 * ("libvirt: defining web01 on qemu:///system: ...").
 *
 * Must never print: libvirt's messages only ever reach the user through
 * ferry's error (util/error.h).
 */
#ifndef FERRY_UTIL_VIRT_H
#define FERRY_UTIL_VIRT_H

#include <stdbool.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>

#include "util/error.h"

/* Record a libvirt failure: context, then libvirt's own message. */
#define virt_error_set(fmt, ...) \
  error_set ("libvirt: " fmt ": %s", __VA_ARGS__, virGetLastErrorMessage ())

/* Initialise libvirt once per process (thread-safe).  0, or -1 with the
 * error set. */
int virt_init (void);

/* Connect to uri (NULL or "": libvirt's default); read-write.  NULL with
 * the error set. */
virConnectPtr virt_connect (const char *uri);

/* The URI a connection is to, for messages (malloc'd; never NULL unless
 * out of memory, then the error is set). */
char *virt_uri (virConnectPtr conn, const char *fallback);

/* libvirt's XML documents (domains, pools, CPUs, capabilities), parsed
 * with no network access and no messages.  NULL when xml is not a
 * document with a root element (no error is set: the caller says what
 * could not be read).  Free with xmlFreeDoc. */
xmlDocPtr virt_xml_read (const char *xml, const char *what);
/* Whether n is an element called name. */
bool virt_xml_is (xmlNodePtr n, const char *name);
/* The first child element of n called name, or NULL. */
xmlNodePtr virt_xml_child (xmlNodePtr n, const char *name);
/* The text of the first child element of n called name (xmlFree), or
 * NULL. */
char *virt_xml_child_text (xmlNodePtr n, const char *name);

#endif
