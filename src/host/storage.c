/* storage.c: proof that two hosts open the same files (see storage.h).
 *
 * Must never: leave a marker behind, or touch any volume but its own
 * marker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "host/storage.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/virt.h"

/* Pools whose volumes live on storage other hosts can reach. */
static const char *const host_network_pool_types[] = {
  "netfs", "iscsi", "iscsi-direct", "rbd", "gluster", "sheepdog", NULL
};

/* The pool holding a path on one host. */
struct host_pool_ref {
  virStoragePoolPtr pool;
  const char *name;             /* owned by pool */
  char *source;                 /* network pools: "TYPE HOSTS DIR DEVICE
                                   NAME FORMAT"; NULL for local pools */
};

static void
host_pool_ref_free (struct host_pool_ref *p)
{
  if (p->pool)
    virStoragePoolFree (p->pool);
  free (p->source);
  memset (p, 0, sizeof *p);
}

int
host_marker_name (char *buf)
{
  unsigned char r[16];

  if (getrandom (r, sizeof r, 0) != (ssize_t) sizeof r) {
    error_set_errno (errno, "host: getrandom");
    return -1;
  }
  strcpy (buf, "ferry-marker-");
  for (size_t i = 0; i < sizeof r; i++)
    sprintf (buf + strlen (buf), "%02x", r[i]);
  return 0;
}

/* Set *why; returns verdict. */
static int __attribute__ ((format (printf, 3, 4)))
host_why (char **why, int verdict, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (why, fmt, ap);
  va_end (ap);
  if (r == -1) {
    *why = NULL;
    error_set_errno (ENOMEM, "host: vasprintf");
    return -1;
  }
  return verdict;
}

/* An attribute of a child of n, or its text when attr is NULL, appended
 * to fp with a separating space ("-" when absent). */
static void
host_source_field (FILE *fp, xmlNodePtr n, const char *child,
                   const char *attr)
{
  xmlNodePtr c = virt_xml_child (n, child);
  xmlChar *v = c == NULL ? NULL
    : attr ? xmlGetProp (c, BAD_CAST attr) : xmlNodeGetContent (c);

  fprintf (fp, " %s", v && v[0] ? (char *) v : "-");
  xmlFree (v);
}

int
host_pool_source (const char *xml, const char *name, char **source)
{
  xmlDocPtr doc = virt_xml_read (xml, "pool.xml");
  xmlNodePtr root, src, n;
  xmlChar *type;
  size_t len;
  FILE *fp;
  bool network = false;

  *source = NULL;
  if (doc == NULL) {
    error_set ("host: storage pool %s: cannot read its XML", name);
    return -1;
  }
  root = xmlDocGetRootElement (doc);
  type = xmlGetProp (root, BAD_CAST "type");
  for (size_t i = 0; type && host_network_pool_types[i]; i++)
    network |= xmlStrEqual (type, BAD_CAST host_network_pool_types[i]);
  src = virt_xml_child (root, "source");
  if (!network || src == NULL) {
    xmlFree (type);
    xmlFreeDoc (doc);
    return 0;
  }
  fp = open_memstream (source, &len);
  if (fp == NULL) {
    error_set_errno (errno, "host: open_memstream");
    xmlFree (type);
    xmlFreeDoc (doc);
    return -1;
  }
  fprintf (fp, "%s ", (char *) type);
  for (n = src->children; n; n = n->next)
    if (virt_xml_is (n, "host")) {
      xmlChar *h = xmlGetProp (n, BAD_CAST "name");
      xmlChar *port = xmlGetProp (n, BAD_CAST "port");
      fprintf (fp, "%s%s%s,", h ? (char *) h : "", port ? ":" : "",
               port ? (char *) port : "");
      xmlFree (h);
      xmlFree (port);
    }
  host_source_field (fp, src, "dir", "path");
  host_source_field (fp, src, "device", "path");
  host_source_field (fp, src, "name", NULL);
  host_source_field (fp, src, "format", "type");
  xmlFree (type);
  xmlFreeDoc (doc);
  if (fclose (fp) != 0) {
    free (*source);
    *source = NULL;
    error_set ("host: storage pool %s: out of memory", name);
    return -1;
  }
  return 0;
}

/* The pool of conn that holds path: 0, 1 when none does, -1 with the
 * error set. */
static int
host_pool_of (virConnectPtr conn, const char *host, const char *path,
              struct host_pool_ref *out)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);
  CLEANUP_FREE char *xml = NULL;

  memset (out, 0, sizeof *out);
  if (vol == NULL)
    return 1;
  out->pool = virStoragePoolLookupByVolume (vol);
  virStorageVolFree (vol);
  if (out->pool == NULL) {
    virt_error_set ("finding the storage pool of %s on %s", path, host);
    return -1;
  }
  out->name = virStoragePoolGetName (out->pool);
  xml = virStoragePoolGetXMLDesc (out->pool, 0);
  if (xml == NULL) {
    virt_error_set ("reading storage pool %s on %s", out->name, host);
    host_pool_ref_free (out);
    return -1;
  }
  if (host_pool_source (xml, out->name, &out->source) == -1) {
    host_pool_ref_free (out);
    return -1;
  }
  return 0;
}

/* Make a marker in pool s of src, look for it on dst after refreshing
 * pool d, remove it. */
static int
host_marker_seen (const struct host_pool_ref *s, const char *src_name,
                  virConnectPtr dst, const struct host_pool_ref *d,
                  const char *dst_name, char **why)
{
  char name[HOST_MARKER_NAME_LEN];
  CLEANUP_FREE char *xml = NULL;
  CLEANUP_FREE char *path = NULL;
  virStorageVolPtr marker, seen;
  bool removed;

  if (host_marker_name (name) == -1)
    return -1;
  if (asprintf (&xml, "<volume><name>%s</name><capacity unit='bytes'>0"
                "</capacity><target><format type='raw'/></target></volume>",
                name) == -1) {
    xml = NULL;
    error_set_errno (errno, "host: asprintf");
    return -1;
  }
  marker = virStorageVolCreateXML (s->pool, xml, 0);
  if (marker == NULL)
    return host_why (why, HOST_STORAGE_UNKNOWN, "ferry cannot make a marker "
                     "volume in pool %s on %s to find out (%s)", s->name,
                     src_name, virGetLastErrorMessage ());
  path = virStorageVolGetPath (marker);
  virStoragePoolRefresh (d->pool, 0);
  seen = path ? virStorageVolLookupByPath (dst, path) : NULL;
  removed = virStorageVolDelete (marker, 0) == 0;
  virStorageVolFree (marker);
  virStoragePoolRefresh (d->pool, 0);
  if (!removed) {
    virt_error_set ("removing the marker volume %s from pool %s on %s",
                    path ? path : name, s->name, src_name);
    if (seen)
      virStorageVolFree (seen);
    return -1;
  }
  if (seen) {
    virStorageVolFree (seen);
    return host_why (why, HOST_STORAGE_SHARED, "a marker made in pool %s on "
                     "%s appeared in pool %s on %s", s->name, src_name,
                     d->name, dst_name);
  }
  return host_why (why, HOST_STORAGE_NOT_SHARED, "a marker made in pool %s "
                   "on %s (%s) did not appear in pool %s on %s: the two "
                   "hosts hold different files under the same path", s->name,
                   src_name,
                   path ? path : name, d->name, dst_name);
}

int
host_storage_shared (virConnectPtr src, const char *src_name,
                     virConnectPtr dst, const char *dst_name,
                     const char *path, char **why)
{
  struct host_pool_ref s, d = { 0 };
  int r;

  *why = NULL;
  r = host_pool_of (src, src_name, path, &s);
  if (r == 1)
    return host_why (why, HOST_STORAGE_UNKNOWN, "no storage pool on %s holds "
                     "it, so ferry cannot prove that %s opens the same file",
                     src_name, dst_name);
  if (r == -1)
    return -1;
  r = host_pool_of (dst, dst_name, path, &d);
  if (r == 1)
    r = host_why (why, HOST_STORAGE_UNKNOWN, "no storage pool on %s holds a "
                  "file at that path", dst_name);
  else if (r == 0 && s.source && d.source && strcmp (s.source, d.source) == 0)
    r = host_why (why, HOST_STORAGE_SHARED, "pool %s on %s and pool %s on "
                  "%s have the same network source (%s)", s.name, src_name,
                  d.name, dst_name, s.source);
  else if (r == 0)
    r = host_marker_seen (&s, src_name, dst, &d, dst_name, why);
  host_pool_ref_free (&s);
  host_pool_ref_free (&d);
  return r;
}
