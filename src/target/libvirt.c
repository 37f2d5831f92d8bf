/* libvirt.c: the libvirt target: disks written as volumes of a storage
 * pool, the domain defined (and optionally started) through the libvirt
 * C API.  Spec: libvirt[,storage-pool=NAME][,start]:URI (see target.h);
 * an empty URI means libvirt's default connection.
 *
 * The pool must exist, be active, and keep its volumes as files (types
 * dir, fs, netfs): the data mover then writes each image in place at
 * POOLPATH/NAME-diskN.FORMAT, and a pool refresh makes libvirt see it.
 * Pools of block devices or network storage (logical, iscsi, rbd ...)
 * would need volumes created through the API and written through another
 * path; they are refused for now.  NAME.xml (the definition as ferry wrote
 * it) and NAME.report.json go next to the disks.
 *
 * Because the disks are written here, the libvirt daemon must see this
 * machine's files.  A URI with a host part (qemu+ssh://kvm03/system) is
 * refused before connecting; for any other URI, a marker file made here in
 * each pool's directory must appear as a volume of that pool after a
 * refresh (it catches a default URI that points elsewhere, or a daemon in
 * another mount namespace).  Uploading the disks through the API
 * (virStorageVolUpload) would lift this; it is not done yet.
 *
 * State, per run (the function doing each transition):
 *
 *   open ──libvirt_prepare──> names checked ──libvirt_write_domain──>
 *   defined ──libvirt_start──> started ──libvirt_write_report──> complete
 *
 * Closing in "defined" or "started" (a later step failed) destroys and
 * undefines the domain: a failed migration leaves no domain behind.
 *
 * Must never: redefine (and so overwrite) an existing domain, write over
 * an existing volume, or print: libvirt's own error printing is switched
 * off, and its messages become ferry errors with context ("libvirt:
 * defining web01 on qemu:///system: ...").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/uri.h>

#include "host/storage.h"
#include "target/driver.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"
#include "util/vector.h"
#include "util/virt.h"
#include "vm/vm_xml.h"

/* Undefine everything libvirt keeps of a domain ferry defined. */
#define LIBVIRT_UNDEFINE_FLAGS                                          \
  (VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE          \
   | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA                              \
   | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)

struct libvirt_pool {
  char *name;
  char *path;                   /* where its volumes are, as files */
  virStoragePoolPtr pool;
};

DEFINE_VECTOR_TYPE (libvirt_pool_vector, struct libvirt_pool);

struct libvirt_target {
  char *uri;                    /* as given; NULL = libvirt's default */
  char *uri_shown;              /* the URI connected to, for messages */
  char *pool_name;              /* the target's own pool */
  bool start;
  virConnectPtr conn;
  libvirt_pool_vector pools;    /* [0] the target's own, then the pools
                                   the storage mapping names */
  virDomainPtr dom;             /* the domain this run defined */
};

/* The pool's XML: its type and where its volumes live. */
static int
libvirt_pool_parse (const char *name, const char *xml, char **type,
                    char **path)
{
  xmlDocPtr doc;
  xmlNodePtr root, n, p;

  *type = *path = NULL;
  doc = virt_xml_read (xml, "pool.xml");
  if (doc == NULL) {
    error_set ("libvirt: storage pool \"%s\": cannot parse its XML", name);
    return -1;
  }
  root = xmlDocGetRootElement (doc);
  *type = (char *) xmlGetProp (root, BAD_CAST "type");
  for (n = root->children; n; n = n->next)
    if (virt_xml_is (n, "target"))
      for (p = n->children; p; p = p->next)
        if (virt_xml_is (p, "path") && *path == NULL)
          *path = (char *) xmlNodeGetContent (p);
  xmlFreeDoc (doc);
  if (*type == NULL) {
    error_set ("libvirt: storage pool \"%s\": its XML has no type", name);
    return -1;
  }
  return 0;
}

static void
libvirt_pool_free (struct libvirt_pool *p)
{
  if (p->pool)
    virStoragePoolFree (p->pool);
  free (p->name);
  free (p->path);
  memset (p, 0, sizeof *p);
}

/* The daemon of h must see the files ferry writes here into dir, pool
 * name's directory: a marker file made here must become a volume of the
 * pool. */
static int
libvirt_pool_check_local (struct libvirt_target *h, const char *name,
                          virStoragePoolPtr pool, const char *dir)
{
  char marker[HOST_MARKER_NAME_LEN];
  CLEANUP_FREE char *path = NULL;
  virStorageVolPtr vol;
  int fd;

  if (host_marker_name (marker) == -1)
    return -1;
  if (asprintf (&path, "%s/%s", dir, marker) == -1) {
    path = NULL;
    error_set_errno (errno, "libvirt: asprintf");
    return -1;
  }
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd == -1) {
    error_set_errno (errno, "libvirt: storage pool \"%s\" on %s: cannot "
                     "create a file in its directory %s on this machine, "
                     "where ferry writes the disks", name, h->uri_shown, dir);
    return -1;
  }
  close (fd);
  virStoragePoolRefresh (pool, 0);
  vol = virStorageVolLookupByPath (h->conn, path);
  unlink (path);
  virStoragePoolRefresh (pool, 0);
  if (vol == NULL) {
    error_set ("libvirt: storage pool \"%s\" on %s does not show a file "
               "ferry made in its directory %s on this machine: that "
               "libvirt daemon sees other files (it runs on another machine "
               "or in another mount namespace), and ferry writes the disks "
               "here; run ferry where the daemon runs", name, h->uri_shown,
               dir);
    return -1;
  }
  virStorageVolFree (vol);
  return 0;
}

/* Look up pool name: it must exist, be active and keep files.  how_chosen
 * ends the message when it does not exist. */
static int
libvirt_pool_open (struct libvirt_target *h, const char *name,
                   const char *how_chosen, struct libvirt_pool *out)
{
  virStoragePoolPtr pool;
  CLEANUP_FREE char *xml = NULL;
  xmlChar *type = NULL, *path = NULL;
  int active, r = -1;

  pool = virStoragePoolLookupByName (h->conn, name);
  if (pool == NULL) {
    if (virGetLastErrorCode () == VIR_ERR_NO_STORAGE_POOL)
      error_set ("libvirt: storage pool \"%s\" does not exist on %s (%s; "
                 "`virsh pool-list --all` lists the pools)", name,
                 h->uri_shown, how_chosen);
    else
      virt_error_set ("looking up storage pool \"%s\" on %s", name,
                         h->uri_shown);
    return -1;
  }
  xml = virStoragePoolGetXMLDesc (pool, 0);
  if (xml == NULL) {
    virt_error_set ("reading the XML of storage pool \"%s\" on %s", name,
                       h->uri_shown);
    goto out;
  }
  if (libvirt_pool_parse (name, xml, (char **) &type, (char **) &path) == -1)
    goto out;
  if (!xmlStrEqual (type, BAD_CAST "dir") && !xmlStrEqual (type, BAD_CAST "fs")
      && !xmlStrEqual (type, BAD_CAST "netfs")) {
    error_set ("libvirt: storage pool \"%s\" on %s is of type \"%s\"; ferry "
               "writes only into pools that keep volumes as files (dir, fs, "
               "netfs) for now", name, h->uri_shown, (char *) type);
    goto out;
  }
  active = virStoragePoolIsActive (pool);
  if (active != 1) {
    if (active == 0)
      error_set ("libvirt: storage pool \"%s\" on %s is not active (start "
                 "it with `virsh pool-start %s`)", name, h->uri_shown, name);
    else
      virt_error_set ("storage pool \"%s\" on %s", name, h->uri_shown);
    goto out;
  }
  if (path == NULL || path[0] != '/') {
    error_set ("libvirt: storage pool \"%s\" on %s has no absolute target "
               "path", name, h->uri_shown);
    goto out;
  }
  if (libvirt_pool_check_local (h, name, pool, (char *) path) == -1)
    goto out;
  out->name = strdup (name);
  out->path = strdup ((char *) path);
  if (out->name == NULL || out->path == NULL) {
    error_set_errno (errno, "libvirt: strdup");
    libvirt_pool_free (out);
    goto out;
  }
  out->pool = steal_pointer (&pool);
  r = 0;
out:
  xmlFree (type);
  xmlFree (path);
  if (pool)
    virStoragePoolFree (pool);
  return r;
}

/* (Re)open the target's own pool, h->pool_name, as h->pools.ptr[0]; its
 * path becomes t->location. */
static int
libvirt_pool_resolve (struct target *t)
{
  struct libvirt_target *h = t->handle;
  struct libvirt_pool p = { 0 };
  char *location;

  if (libvirt_pool_open (h, h->pool_name, "pick one with --storage-pool",
                         &p) == -1)
    return -1;
  location = strdup (p.path);
  if (location == NULL) {
    error_set_errno (errno, "libvirt: strdup");
    libvirt_pool_free (&p);
    return -1;
  }
  if (h->pools.len == 0) {
    if (libvirt_pool_vector_append (&h->pools, p) == -1) {
      libvirt_pool_free (&p);
      free (location);
      return -1;
    }
  }
  else {
    libvirt_pool_free (&h->pools.ptr[0]);
    h->pools.ptr[0] = p;
  }
  free (t->location);
  t->location = location;
  return 0;
}

/* The index in h->pools of pool name (NULL: the target's own), opened
 * the first time; -1 with the error set. */
static ssize_t
libvirt_pool_find (struct target *t, const char *name)
{
  struct libvirt_target *h = t->handle;
  struct libvirt_pool p = { 0 };

  if (name == NULL)
    return 0;
  for (size_t i = 0; i < h->pools.len; i++)
    if (strcmp (h->pools.ptr[i].name, name) == 0)
      return (ssize_t) i;
  if (libvirt_pool_open (h, name, "it is named by the storage mapping",
                         &p) == -1)
    return -1;
  if (libvirt_pool_vector_append (&h->pools, p) == -1) {
    libvirt_pool_free (&p);
    return -1;
  }
  return (ssize_t) h->pools.len - 1;
}

static int
libvirt_option_store (struct target *t, const char *key, const char *value)
{
  struct libvirt_target *h = t->handle;

  if (strcmp (key, "storage-pool") == 0) {
    char *copy;

    if (value == NULL || value[0] == '\0') {
      error_set ("target libvirt: option storage-pool needs a pool name "
                 "(storage-pool=NAME)");
      return -1;
    }
    copy = strdup (value);
    if (copy == NULL) {
      error_set_errno (errno, "libvirt: strdup");
      return -1;
    }
    free (h->pool_name);
    h->pool_name = copy;
    return 0;
  }
  if (strcmp (key, "start") == 0) {
    if (value != NULL) {
      error_set ("target libvirt: option start takes no value");
      return -1;
    }
    h->start = true;
    return 0;
  }
  error_set ("target libvirt: unknown option \"%s\" (expected "
             "storage-pool=NAME or start)", key);
  return -1;
}

static void libvirt_close (struct target *t, bool complete);

/* A URI naming a host is another machine's daemon (see the top). */
static int
libvirt_uri_check_local (const char *uri)
{
  xmlURIPtr u;

  if (uri == NULL)
    return 0;
  u = xmlParseURI (uri);
  if (u == NULL) {
    error_set ("libvirt: \"%s\" is not a libvirt URI", uri);
    return -1;
  }
  if (u->server && u->server[0]) {
    error_set ("libvirt: %s names the host %s: ferry writes the disks on "
               "this machine and cannot send them to another one yet; run "
               "ferry on %s, or give the URI of this machine's libvirt "
               "daemon (such as qemu:///system)", uri, u->server, u->server);
    xmlFreeURI (u);
    return -1;
  }
  xmlFreeURI (u);
  return 0;
}

static int
libvirt_open (struct target *t, const char *location,
              const struct target_option *options, size_t nr_options)
{
  struct libvirt_target *h;

  h = calloc (1, sizeof *h);
  if (h == NULL) {
    error_set_errno (errno, "libvirt: calloc");
    return -1;
  }
  t->handle = h;
  h->pool_name = strdup ("default");
  h->uri = location[0] ? strdup (location) : NULL;
  if (h->pool_name == NULL || (location[0] && h->uri == NULL)) {
    error_set_errno (errno, "libvirt: strdup");
    goto fail;
  }
  for (size_t i = 0; i < nr_options; i++)
    if (libvirt_option_store (t, options[i].key, options[i].value) == -1)
      goto fail;

  if (libvirt_uri_check_local (h->uri) == -1)
    goto fail;
  h->conn = virt_connect (h->uri);
  if (h->conn == NULL)
    goto fail;
  h->uri_shown = virt_uri (h->conn, h->uri);
  if (h->uri_shown == NULL)
    goto fail;
  if (libvirt_pool_resolve (t) == -1)
    goto fail;
  return 0;

fail:
  libvirt_close (t, true);
  return -1;
}

static int
libvirt_set_option (struct target *t, const char *key, const char *value)
{
  if (libvirt_option_store (t, key, value) == -1)
    return -1;
  return strcmp (key, "storage-pool") == 0 ? libvirt_pool_resolve (t) : 0;
}

/* Let libvirt see the files in every pool this run uses as volumes. */
static int
libvirt_refresh_pools (struct target *t)
{
  struct libvirt_target *h = t->handle;

  for (size_t i = 0; i < h->pools.len; i++)
    if (virStoragePoolRefresh (h->pools.ptr[i].pool, 0) == -1) {
      virt_error_set ("refreshing storage pool \"%s\" on %s",
                         h->pools.ptr[i].name, h->uri_shown);
      return -1;
    }
  return 0;
}

/* Refuse when a volume called name exists in pool p. */
static int
libvirt_refuse_volume (struct target *t, const struct libvirt_pool *p,
                       const char *name)
{
  struct libvirt_target *h = t->handle;
  virStorageVolPtr vol = virStorageVolLookupByName (p->pool, name);

  if (vol) {
    virStorageVolFree (vol);
    error_set ("libvirt: a volume \"%s\" already exists in storage pool "
               "\"%s\" on %s; ferry never overwrites a volume (delete it "
               "with `virsh vol-delete --pool %s %s`, or choose another "
               "name with --name)", name, p->name, h->uri_shown, p->name,
               name);
    return -1;
  }
  if (virGetLastErrorCode () != VIR_ERR_NO_STORAGE_VOL) {
    virt_error_set ("looking up volume \"%s\" in storage pool \"%s\" on "
                       "%s", name, p->name, h->uri_shown);
    return -1;
  }
  return 0;
}

/* Refuse when a domain has the name (or the UUID, when uuid is given). */
static int
libvirt_refuse_domain (struct target *t, const char *uuid)
{
  struct libvirt_target *h = t->handle;
  virDomainPtr dom;

  dom = virDomainLookupByName (h->conn, t->name);
  if (dom) {
    virDomainFree (dom);
    error_set ("libvirt: a domain named \"%s\" already exists on %s; ferry "
               "never overwrites a domain (undefine it, or choose another "
               "name with --name)", t->name, h->uri_shown);
    return -1;
  }
  if (virGetLastErrorCode () != VIR_ERR_NO_DOMAIN) {
    virt_error_set ("looking up domain \"%s\" on %s", t->name,
                       h->uri_shown);
    return -1;
  }
  if (uuid == NULL)
    return 0;
  dom = virDomainLookupByUUIDString (h->conn, uuid);
  if (dom) {
    const char *other = virDomainGetName (dom);
    error_set ("libvirt: domain \"%s\" on %s already has the UUID %s of the "
               "VM being migrated; ferry never overwrites a domain (was it "
               "migrated before? undefine that domain first)",
               other ? other : "?", h->uri_shown, uuid);
    virDomainFree (dom);
    return -1;
  }
  if (virGetLastErrorCode () != VIR_ERR_NO_DOMAIN) {
    virt_error_set ("looking up UUID %s on %s", uuid, h->uri_shown);
    return -1;
  }
  return 0;
}

/* Open the pool of every disk given its own storage; disk_pool[i] (when
 * not NULL) gets the index of disk i's pool. */
static int
libvirt_disk_pools (struct target *t, const struct vm *vm,
                    const char *const *disk_storage, ssize_t *disk_pool)
{
  for (size_t i = 0; i < vm->disks.len; i++) {
    ssize_t k = libvirt_pool_find (t, disk_storage ? disk_storage[i] : NULL);

    if (k == -1)
      return -1;
    if (disk_pool)
      disk_pool[i] = k;
  }
  return 0;
}

static int
libvirt_prepare (struct target *t, const struct vm *vm,
                 const char *const *disk_storage)
{
  struct libvirt_target *h = t->handle;
  CLEANUP_FREE ssize_t *disk_pool = NULL;
  CLEANUP_FREE const char **disk_dirs = NULL;
  char volume[256];

  disk_pool = calloc (vm->disks.len + 1, sizeof *disk_pool);
  disk_dirs = calloc (vm->disks.len + 1, sizeof *disk_dirs);
  if (disk_pool == NULL || disk_dirs == NULL) {
    error_set_errno (errno, "libvirt: calloc");
    return -1;
  }
  if (libvirt_refuse_domain (t, vm->uuid) == -1
      || libvirt_disk_pools (t, vm, disk_storage, disk_pool) == -1)
    return -1;
  /* Files put in the pools' directories outside libvirt count too. */
  if (libvirt_refresh_pools (t) == -1)
    return -1;
  for (size_t i = 0; i < vm->disks.len; i++) {
    const struct libvirt_pool *p = &h->pools.ptr[disk_pool[i]];

    snprintf (volume, sizeof volume, "%s-disk%zu.%s", t->name, i,
              vm_xml_disk_format (&vm->disks.ptr[i], t->format));
    if (libvirt_refuse_volume (t, p, volume) == -1)
      return -1;
    disk_dirs[i] = p->path;
  }
  snprintf (volume, sizeof volume, "%s.xml", t->name);
  if (libvirt_refuse_volume (t, &h->pools.ptr[0], volume) == -1)
    return -1;
  snprintf (volume, sizeof volume, "%s.report.json", t->name);
  if (libvirt_refuse_volume (t, &h->pools.ptr[0], volume) == -1)
    return -1;
  /* The same names as files, and checked again with lstat. */
  return target_name_files (t, vm, disk_dirs);
}

/* The pools are needed again: they are refreshed once the disks are done. */
static int
libvirt_resume (struct target *t, const struct vm *vm,
                const char *const *disk_storage)
{
  return libvirt_disk_pools (t, vm, disk_storage, NULL);
}

/* Whether the domain's definition uses exactly the disk files of t (each
 * once, and no other disk file): the domain an interrupted run of this
 * migration defined. */
static bool
libvirt_domain_has_our_disks (struct target *t, const char *xml)
{
  xmlDocPtr doc = virt_xml_read (xml, "domain.xml");
  xmlNodePtr n, d, src;
  CLEANUP_FREE bool *seen = calloc (t->nr_disks + 1, sizeof (bool));
  size_t found = 0;
  bool ours = doc != NULL && seen != NULL;

  for (n = doc ? xmlDocGetRootElement (doc)->children : NULL; n && ours;
       n = n->next) {
    if (!virt_xml_is (n, "devices"))
      continue;
    for (d = n->children; d && ours; d = d->next) {
      xmlChar *device;

      if (!virt_xml_is (d, "disk"))
        continue;
      device = xmlGetProp (d, BAD_CAST "device");
      if (device == NULL || xmlStrEqual (device, BAD_CAST "disk"))
        for (src = d->children; src; src = src->next) {
          xmlChar *file;
          size_t i;

          if (!virt_xml_is (src, "source"))
            continue;
          file = xmlGetProp (src, BAD_CAST "file");
          for (i = 0; file && i < t->nr_disks; i++)
            if (strcmp ((char *) file, t->disk_paths[i]) == 0)
              break;
          if (file == NULL || i == t->nr_disks || seen[i])
            ours = false;
          else {
            seen[i] = true;
            found++;
          }
          xmlFree (file);
        }
      xmlFree (device);
    }
  }
  xmlFreeDoc (doc);
  return ours && found == t->nr_disks;
}

/* Resuming: a domain of ours left by an interrupted run (defined, then
 * killed before the report) is undefined so that it can be defined again
 * from this run's XML.  Any other domain of that name is refused later. */
static int
libvirt_adopt_domain (struct target *t)
{
  struct libvirt_target *h = t->handle;
  virDomainPtr dom = virDomainLookupByName (h->conn, t->name);
  CLEANUP_FREE char *xml = NULL;
  int r = -1;

  if (dom == NULL)
    return 0;
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL) {
    virt_error_set ("reading the definition of %s on %s", t->name,
                       h->uri_shown);
    goto out;
  }
  if (!libvirt_domain_has_our_disks (t, xml)) {
    r = 0;                      /* not ours: libvirt_refuse_domain says so */
    goto out;
  }
  if (virDomainIsActive (dom) != 0) {
    error_set ("libvirt: domain \"%s\" on %s, defined by the interrupted "
               "run of this migration, is running; shut it down (`virsh "
               "destroy %s`) and run again", t->name, h->uri_shown, t->name);
    goto out;
  }
  if (virDomainUndefineFlags (dom, LIBVIRT_UNDEFINE_FLAGS)
      == -1) {
    virt_error_set ("undefining %s, left by the interrupted run, on %s",
                       t->name, h->uri_shown);
    goto out;
  }
  log_info ("libvirt: %s on %s: the domain left by the interrupted run "
            "is defined again", t->name, h->uri_shown);
  r = 0;
out:
  virDomainFree (dom);
  return r;
}

/* Undo what this run did to the domain; say so in the log if it cannot
 * (the error that led here matters more). */
static void
libvirt_undo (struct target *t)
{
  struct libvirt_target *h = t->handle;

  if (h->dom == NULL)
    return;
  if (t->domain_started && virDomainIsActive (h->dom) == 1
      && virDomainDestroy (h->dom) == -1)
    log_warn ("libvirt: destroying %s on %s: %s", t->name, h->uri_shown,
              virGetLastErrorMessage ());
  if (t->domain_defined
      && virDomainUndefineFlags (h->dom, LIBVIRT_UNDEFINE_FLAGS)
         == -1)
    log_warn ("libvirt: undefining %s on %s: %s", t->name, h->uri_shown,
              virGetLastErrorMessage ());
  t->domain_started = t->domain_defined = false;
  virDomainFree (h->dom);
  h->dom = NULL;
}

static int
libvirt_running (struct target *t, bool *running)
{
  struct libvirt_target *h = t->handle;
  int r;

  if (h->dom == NULL) {
    error_set ("libvirt: %s: the domain is not defined yet", t->name);
    return -1;
  }
  r = virDomainIsActive (h->dom);
  if (r == -1) {
    virt_error_set ("asking whether %s runs on %s", t->name, h->uri_shown);
    return -1;
  }
  *running = r == 1;
  return 0;
}

static int
libvirt_withdraw (struct target *t)
{
  struct libvirt_target *h = t->handle;
  CLEANUP_FREE char *xml = NULL;

  if (h->dom == NULL) {
    /* defined by an earlier process of this migration, if at all */
    h->dom = virDomainLookupByName (h->conn, t->name);
    if (h->dom == NULL)
      return 0;
    xml = virDomainGetXMLDesc (h->dom, VIR_DOMAIN_XML_INACTIVE);
    if (xml == NULL || !libvirt_domain_has_our_disks (t, xml)) {
      virDomainFree (h->dom);
      h->dom = NULL;
      return 0;                 /* not ours: never touched */
    }
    t->domain_defined = true;
    t->domain_started = virDomainIsActive (h->dom) == 1;
  }
  if (virDomainIsActive (h->dom) == 1 && virDomainDestroy (h->dom) == -1) {
    virt_error_set ("stopping %s on %s", t->name, h->uri_shown);
    return -1;
  }
  t->domain_started = false;
  if (virDomainUndefineFlags (h->dom, LIBVIRT_UNDEFINE_FLAGS) == -1) {
    virt_error_set ("undefining %s on %s", t->name, h->uri_shown);
    return -1;
  }
  t->domain_defined = false;
  virDomainFree (h->dom);
  h->dom = NULL;
  if (unlink (t->xml_path) == -1 && errno != ENOENT) {
    error_set_errno (errno, "libvirt: removing %s", t->xml_path);
    return -1;
  }
  return 0;
}

static int
libvirt_start (struct target *t)
{
  struct libvirt_target *h = t->handle;

  if (h->dom == NULL) {
    error_set ("libvirt: %s: the domain is not defined yet", t->name);
    return -1;
  }
  if (t->domain_started)
    return 0;
  if (virDomainCreate (h->dom) == -1) {
    virt_error_set ("starting %s on %s", t->name, h->uri_shown);
    return -1;
  }
  t->domain_started = true;
  return 0;
}

static int
libvirt_write_domain (struct target *t, const char *xml)
{
  struct libvirt_target *h = t->handle;
  const char *msg;

  if (h->dom) {
    error_set ("libvirt: %s: the domain is already defined", t->name);
    return -1;
  }
  /* The disks are complete: let libvirt see them as volumes. */
  if (libvirt_refresh_pools (t) == -1)
    return -1;
  if (t->resumed && libvirt_adopt_domain (t) == -1)
    return -1;
  /* Defining over an existing domain of the same name and UUID would
   * replace its configuration: look once more, right before. */
  if (libvirt_refuse_domain (t, NULL) == -1)
    return -1;
  h->dom = virDomainDefineXMLFlags (h->conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
  if (h->dom == NULL) {
    msg = virGetLastErrorMessage ();
    error_set ("libvirt: defining %s on %s: %s%s", t->name, h->uri_shown,
               msg, strstr (msg, "kvm") && strstr (xml, "type=\"kvm\"")
               ? " (is KVM available on this host? --tcg defines a "
                 "domain that runs without it)" : "");
    return -1;
  }
  t->domain_defined = true;
  if (target_write_file (t->xml_path, xml) == -1
      || (h->start && libvirt_start (t) == -1)) {
    libvirt_undo (t);
    return -1;
  }
  return 0;
}

static int
libvirt_write_report (struct target *t, const char *json)
{
  if (target_write_report_file (t, json) == -1)
    return -1;
  /* The domain stays even if the pool cannot be refreshed now: libvirt
   * will see the files at its next refresh. */
  if (libvirt_refresh_pools (t) == -1)
    log_warn ("%s", error_message ());
  return 0;
}

static void
libvirt_close (struct target *t, bool complete)
{
  struct libvirt_target *h = t->handle;

  if (h == NULL)
    return;
  if (!complete && t->disk_paths) {
    libvirt_undo (t);
    /* The engine removed the disk files it made: drop them from the
     * pools' lists too. */
    if (libvirt_refresh_pools (t) == -1)
      log_warn ("%s", error_message ());
  }
  if (h->dom)
    virDomainFree (h->dom);
  for (size_t i = 0; i < h->pools.len; i++)
    libvirt_pool_free (&h->pools.ptr[i]);
  libvirt_pool_vector_reset (&h->pools);
  if (h->conn)
    virConnectClose (h->conn);
  free (h->uri);
  free (h->uri_shown);
  free (h->pool_name);
  free (h);
  t->handle = NULL;
}

const struct target_driver target_libvirt_driver = {
  .kind = "libvirt",
  .open = libvirt_open,
  .set_option = libvirt_set_option,
  .prepare = libvirt_prepare,
  .resume = libvirt_resume,
  .write_domain = libvirt_write_domain,
  .start = libvirt_start,
  .running = libvirt_running,
  .withdraw = libvirt_withdraw,
  .write_report = libvirt_write_report,
  .close = libvirt_close,
};
