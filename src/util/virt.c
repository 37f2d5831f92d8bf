/* virt.c: shared libvirt initialisation and error capture (see virt.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "util/virt.h"

static pthread_once_t virt_init_once = PTHREAD_ONCE_INIT;
static int virt_init_status;

static void
virt_error_ignore (void *opaque, virErrorPtr err)
{
  /* libvirt's default handler prints to stderr; errors are read with
   * virGetLastErrorMessage() where they happen instead. */
}

static void
virt_init_run (void)
{
  virt_init_status = virInitialize ();
  virSetErrorFunc (NULL, virt_error_ignore);
}

int
virt_init (void)
{
  pthread_once (&virt_init_once, virt_init_run);
  if (virt_init_status == -1) {
    virt_error_set ("%s", "initialising");
    return -1;
  }
  return 0;
}

virConnectPtr
virt_connect (const char *uri)
{
  virConnectPtr conn;

  if (virt_init () == -1)
    return NULL;
  conn = virConnectOpen (uri && uri[0] ? uri : NULL);
  if (conn == NULL)
    virt_error_set ("connecting to %s",
                    uri && uri[0] ? uri : "the default URI");
  return conn;
}

char *
virt_uri (virConnectPtr conn, const char *fallback)
{
  char *uri = virConnectGetURI (conn);

  if (uri == NULL && (uri = strdup (fallback ? fallback : "?")) == NULL)
    error_set_errno (errno, "libvirt: strdup");
  return uri;
}

xmlDocPtr
virt_xml_read (const char *xml, const char *what)
{
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), what, NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR
                                 | XML_PARSE_NOWARNING);

  if (doc && xmlDocGetRootElement (doc) == NULL) {
    xmlFreeDoc (doc);
    doc = NULL;
  }
  return doc;
}

bool
virt_xml_is (xmlNodePtr n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST name);
}

xmlNodePtr
virt_xml_child (xmlNodePtr n, const char *name)
{
  for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
    if (virt_xml_is (c, name))
      return c;
  return NULL;
}

char *
virt_xml_child_text (xmlNodePtr n, const char *name)
{
  xmlNodePtr c = virt_xml_child (n, name);

  return c ? (char *) xmlNodeGetContent (c) : NULL;
}
