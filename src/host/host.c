/* host.c: a KVM host's facts and a running domain's facts, read through
 * the libvirt C API (see host.h).  Reads only: nothing here changes a
 * host or a domain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/virt.h"

void
host_names_free (host_name_vector *v)
{
  for (size_t i = 0; i < v->len; i++)
    free (v->ptr[i]);
  host_name_vector_reset (v);
}

bool
host_names_has (const host_name_vector *v, const char *name)
{
  for (size_t i = 0; i < v->len; i++)
    if (strcmp (v->ptr[i], name) == 0)
      return true;
  return false;
}

static int
host_names_add (host_name_vector *v, const char *name)
{
  char *copy = strdup (name);

  if (copy == NULL) {
    error_set_errno (errno, "host: strdup");
    return -1;
  }
  if (host_name_vector_append (v, copy) == -1) {
    free (copy);
    return -1;
  }
  return 0;
}

static int
host_strdup (char **out, const char *s)
{
  *out = s ? strdup (s) : NULL;
  if (s && *out == NULL) {
    error_set_errno (errno, "host: strdup");
    return -1;
  }
  return 0;
}

/* *out = a copy of an XML attribute (NULL when absent). */
static int
host_xml_prop (xmlNodePtr n, const char *name, char **out)
{
  xmlChar *v = n ? xmlGetProp (n, BAD_CAST name) : NULL;
  int r = host_strdup (out, (char *) v);

  xmlFree (v);
  return r;
}

const char *
host_version_text (unsigned long v, char *buf)
{
  snprintf (buf, 32, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
  return buf;
}

void
host_facts_free (struct host_facts *h)
{
  free (h->name);
  free (h->uri);
  free (h->hostname);
  free (h->host_uuid);
  cpu_free (&h->cpu);
  host_names_free (&h->domains);
  host_names_free (&h->networks);
  host_names_free (&h->machines);
  memset (h, 0, sizeof *h);
}

/* The parts of the capabilities XML: the host's UUID and whether x86_64
 * guests can use KVM. */
static int
host_read_capabilities (const char *xml, struct host_facts *h)
{
  xmlDocPtr doc = virt_xml_read (xml, "capabilities.xml");
  xmlNodePtr root, g, a, d;
  char *uuid;

  if (doc == NULL) {
    error_set ("host %s: cannot read libvirt's capabilities", h->name);
    return -1;
  }
  root = xmlDocGetRootElement (doc);
  uuid = virt_xml_child_text (virt_xml_child (root, "host"), "uuid");
  if (host_strdup (&h->host_uuid, uuid) == -1) {
    xmlFree (uuid);
    xmlFreeDoc (doc);
    return -1;
  }
  xmlFree (uuid);
  for (g = root->children; g; g = g->next) {
    if (!virt_xml_is (g, "guest"))
      continue;
    for (a = g->children; a; a = a->next) {
      xmlChar *arch;
      if (!virt_xml_is (a, "arch"))
        continue;
      arch = xmlGetProp (a, BAD_CAST "name");
      if (arch && xmlStrEqual (arch, BAD_CAST "x86_64"))
        for (d = a->children; d; d = d->next) {
          xmlChar *type = virt_xml_is (d, "domain")
            ? xmlGetProp (d, BAD_CAST "type") : NULL;
          if (type && xmlStrEqual (type, BAD_CAST "kvm"))
            h->kvm = true;
          xmlFree (type);
          if (virt_xml_is (d, "machine")) {
            xmlChar *m = xmlNodeGetContent (d), *canon;
            int r = m ? host_names_add (&h->machines, (char *) m) : 0;
            canon = xmlGetProp (d, BAD_CAST "canonical");
            if (r == 0 && canon)
              r = host_names_add (&h->machines, (char *) canon);
            xmlFree (m);
            xmlFree (canon);
            if (r == -1) {
              xmlFree (arch);
              xmlFreeDoc (doc);
              return -1;
            }
          }
        }
      xmlFree (arch);
    }
  }
  xmlFreeDoc (doc);
  return 0;
}

static int
host_read_domains (virConnectPtr conn, struct host_facts *h)
{
  virDomainPtr *doms = NULL;
  int n, r = 0;

  n = virConnectListAllDomains (conn, &doms,
                                VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  if (n < 0) {
    virt_error_set ("listing the running domains of %s", h->name);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    virDomainInfo info;

    if (r == 0 && virDomainGetInfo (doms[i], &info) == 0) {
      h->running++;
      h->running_vcpus += info.nrVirtCpu;
      h->memory_guests += (uint64_t) info.memory * 1024;
      r = host_names_add (&h->domains, virDomainGetName (doms[i]));
    }
    virDomainFree (doms[i]);
  }
  free (doms);
  return r;
}

static int
host_read_networks (virConnectPtr conn, struct host_facts *h)
{
  virNetworkPtr *nets = NULL;
  int n, r = 0;

  n = virConnectListAllNetworks (conn, &nets,
                                 VIR_CONNECT_LIST_NETWORKS_ACTIVE);
  if (n < 0) {
    virt_error_set ("listing the networks of %s", h->name);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    if (r == 0)
      r = host_names_add (&h->networks, virNetworkGetName (nets[i]));
    virNetworkFree (nets[i]);
  }
  free (nets);
  return r;
}

int
host_read (virConnectPtr conn, const char *name, const char *uri,
           uint64_t memory_limit, struct host_facts *out)
{
  CLEANUP_FREE char *caps = NULL;
  CLEANUP_FREE char *label = NULL;
  virNodeInfo node;
  unsigned long long free_bytes;
  char *hostname;

  memset (out, 0, sizeof *out);
  out->memory_limit = memory_limit;
  if (host_strdup (&out->name, name) == -1
      || host_strdup (&out->uri, uri) == -1)
    goto fail;
  hostname = virConnectGetHostname (conn);
  out->hostname = hostname;
  caps = virConnectGetCapabilities (conn);
  if (caps == NULL) {
    virt_error_set ("reading the capabilities of host %s", name);
    goto fail;
  }
  if (asprintf (&label, "host %s", name) == -1) {
    label = NULL;
    error_set_errno (errno, "host: asprintf");
    goto fail;
  }
  if (host_read_capabilities (caps, out) == -1
      || cpu_from_xml (caps, label, &out->cpu) == -1)
    goto fail;
  if (virNodeGetInfo (conn, &node) == -1) {
    virt_error_set ("reading the node information of host %s", name);
    goto fail;
  }
  out->cpus = node.cpus;
  out->memory_total = (uint64_t) node.memory * 1024;
  free_bytes = virNodeGetFreeMemory (conn);
  if (free_bytes == 0) {
    virt_error_set ("reading the free memory of host %s", name);
    goto fail;
  }
  out->memory_free = free_bytes;
  if (virConnectGetLibVersion (conn, &out->libvirt_version) == -1
      || virConnectGetVersion (conn, &out->qemu_version) == -1) {
    virt_error_set ("reading the versions on host %s", name);
    goto fail;
  }
  if (host_read_domains (conn, out) == -1
      || host_read_networks (conn, out) == -1)
    goto fail;
  /* What another guest may get: the kernel's free memory, and within the
   * registered limit what the running guests leave of it. */
  out->memory_available = out->memory_free;
  if (memory_limit) {
    uint64_t left = memory_limit > out->memory_guests
      ? memory_limit - out->memory_guests : 0;
    if (left < out->memory_available)
      out->memory_available = left;
  }
  return 0;
fail:
  host_facts_free (out);
  return -1;
}

void
host_domain_free (struct host_domain *d)
{
  free (d->name);
  free (d->uuid);
  free (d->xml);
  free (d->arch);
  free (d->machine);
  free (d->type);
  cpu_free (&d->cpu);
  for (size_t i = 0; i < d->disks.len; i++) {
    free (d->disks.ptr[i].path);
    free (d->disks.ptr[i].target);
    free (d->disks.ptr[i].format);
  }
  host_disk_vector_reset (&d->disks);
  host_names_free (&d->networks);
  memset (d, 0, sizeof *d);
}

/* One <disk> of the live XML. */
static int
host_domain_disk (virDomainPtr dom, xmlNodePtr n, struct host_domain *d)
{
  struct host_disk disk = { 0 };
  xmlNodePtr src = virt_xml_child (n, "source");
  CLEANUP_FREE char *device = NULL;
  virDomainBlockInfo info;

  if (host_xml_prop (n, "device", &device) == -1)
    return -1;
  if (device && strcmp (device, "disk") != 0 && strcmp (device, "lun") != 0)
    return 0;                   /* CD-ROMs and floppies do not move */
  if (host_xml_prop (src, "file", &disk.path) == -1
      || (disk.path == NULL && host_xml_prop (src, "dev", &disk.path) == -1)
      || host_xml_prop (virt_xml_child (n, "target"), "dev", &disk.target)
         == -1
      || host_xml_prop (virt_xml_child (n, "driver"), "type", &disk.format)
         == -1)
    goto fail;
  if (disk.path == NULL) {
    free (disk.target);
    free (disk.format);
    return 0;                   /* network disks: nothing local to copy */
  }
  disk.shareable = virt_xml_child (n, "shareable") != NULL;
  disk.readonly = virt_xml_child (n, "readonly") != NULL;
  if (virDomainGetBlockInfo (dom, disk.path, &info, 0) == 0) {
    disk.capacity = info.capacity;
    disk.allocation = info.allocation;
  }
  if (host_disk_vector_append (&d->disks, disk) == -1)
    goto fail;
  return 0;
fail:
  free (disk.path);
  free (disk.target);
  free (disk.format);
  return -1;
}

static int
host_domain_parse (virDomainPtr dom, struct host_domain *d)
{
  xmlDocPtr doc = virt_xml_read (d->xml, "domain.xml");
  xmlNodePtr root, os_type, devices, n;
  int r = -1;

  if (doc == NULL) {
    error_set ("domain %s: cannot read its XML", d->name);
    return -1;
  }
  root = xmlDocGetRootElement (doc);
  os_type = virt_xml_child (virt_xml_child (root, "os"), "type");
  if (host_xml_prop (root, "type", &d->type) == -1
      || host_xml_prop (os_type, "arch", &d->arch) == -1
      || host_xml_prop (os_type, "machine", &d->machine) == -1)
    goto out;
  devices = virt_xml_child (root, "devices");
  for (n = devices ? devices->children : NULL; n; n = n->next) {
    if (virt_xml_is (n, "disk")) {
      if (host_domain_disk (dom, n, d) == -1)
        goto out;
    }
    else if (virt_xml_is (n, "interface")) {
      CLEANUP_FREE char *network = NULL;
      if (host_xml_prop (virt_xml_child (n, "source"), "network", &network)
          == -1
          || (network && !host_names_has (&d->networks, network)
              && host_names_add (&d->networks, network) == -1))
        goto out;
    }
    else if (virt_xml_is (n, "hostdev"))
      d->hostdevs++;
  }
  r = 0;
out:
  xmlFreeDoc (doc);
  return r;
}

int
host_domain_read (virConnectPtr conn, const char *name,
                  struct host_domain *out)
{
  virDomainPtr dom;
  virDomainInfo info;
  char uuid[VIR_UUID_STRING_BUFLEN];
  CLEANUP_FREE char *label = NULL;
  int r = -1;

  memset (out, 0, sizeof *out);
  dom = virDomainLookupByName (conn, name);
  if (dom == NULL) {
    if (virGetLastErrorCode () == VIR_ERR_NO_DOMAIN)
      return 1;
    virt_error_set ("looking up domain %s", name);
    return -1;
  }
  if (host_strdup (&out->name, name) == -1)
    goto out;
  if (virDomainGetUUIDString (dom, uuid) == -1
      || virDomainGetInfo (dom, &info) == -1) {
    virt_error_set ("reading domain %s", name);
    goto out;
  }
  if (host_strdup (&out->uuid, uuid) == -1)
    goto out;
  out->running = info.state == VIR_DOMAIN_RUNNING
    || info.state == VIR_DOMAIN_PAUSED || info.state == VIR_DOMAIN_BLOCKED;
  out->persistent = virDomainIsPersistent (dom) == 1;
  out->memory = (uint64_t) info.memory * 1024;
  out->max_memory = (uint64_t) info.maxMem * 1024;
  out->vcpus = info.nrVirtCpu;
  out->xml = virDomainGetXMLDesc (dom, 0);
  if (out->xml == NULL) {
    virt_error_set ("reading the definition of domain %s", name);
    goto out;
  }
  if (asprintf (&label, "domain %s", name) == -1) {
    label = NULL;
    error_set_errno (errno, "host: asprintf");
    goto out;
  }
  if (host_domain_parse (dom, out) == -1
      || cpu_from_xml (out->xml, label, &out->cpu) == -1)
    goto out;
  r = 0;
out:
  virDomainFree (dom);
  if (r == -1)
    host_domain_free (out);
  return r;
}

/* The directory of a pool (xmlFree), or NULL. */
static char *
host_pool_dir (virStoragePoolPtr pool)
{
  char *xml = virStoragePoolGetXMLDesc (pool, 0);
  xmlDocPtr doc = xml ? virt_xml_read (xml, "pool.xml") : NULL;
  char *dir = doc ? virt_xml_child_text (virt_xml_child (
                      xmlDocGetRootElement (doc), "target"), "path") : NULL;

  xmlFreeDoc (doc);
  free (xml);
  return dir;
}

int
host_pool_for_dir (virConnectPtr conn, const char *dir, char **name,
                   uint64_t *available)
{
  virStoragePoolPtr *pools = NULL;
  int n, r = 1;

  *name = NULL;
  *available = 0;
  n = virConnectListAllStoragePools (conn, &pools,
                                     VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
  if (n < 0) {
    virt_error_set ("%s", "listing storage pools");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    char *path = r == 1 ? host_pool_dir (pools[i]) : NULL;
    virStoragePoolInfo info;

    if (path && strcmp (path, dir) == 0
        && virStoragePoolGetInfo (pools[i], &info) == 0) {
      r = host_strdup (name, virStoragePoolGetName (pools[i]));
      *available = info.available;
    }
    xmlFree (path);
    virStoragePoolFree (pools[i]);
  }
  free (pools);
  return r;
}

int
host_refresh_pools (virConnectPtr conn)
{
  virStoragePoolPtr *pools = NULL;
  int n = virConnectListAllStoragePools (conn, &pools,
                                         VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);

  if (n < 0) {
    virt_error_set ("%s", "listing storage pools");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    virStoragePoolRefresh (pools[i], 0);   /* a pool that fails stays stale */
    virStoragePoolFree (pools[i]);
  }
  free (pools);
  return 0;
}

bool
host_has_volume (virConnectPtr conn, const char *path)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);

  if (vol == NULL)
    return false;
  virStorageVolFree (vol);
  return true;
}

int
host_pool_by_name (virConnectPtr conn, const char *name, char **path,
                   uint64_t *available)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, name);
  virStoragePoolInfo info;
  char *dir = NULL;
  int r = -1;

  *path = NULL;
  if (pool == NULL) {
    if (virGetLastErrorCode () == VIR_ERR_NO_STORAGE_POOL)
      return 1;
    virt_error_set ("looking up storage pool %s", name);
    return -1;
  }
  if (virStoragePoolIsActive (pool) != 1) {
    r = 1;
    goto out;
  }
  dir = host_pool_dir (pool);
  if (dir == NULL || virStoragePoolGetInfo (pool, &info) == -1) {
    virt_error_set ("reading storage pool %s", name);
    goto out;
  }
  *available = info.available;
  r = host_strdup (path, dir);
out:
  xmlFree (dir);
  virStoragePoolFree (pool);
  return r;
}
