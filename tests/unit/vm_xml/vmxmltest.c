/* vmxmltest.c: see vmxmltest.h. */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "imagetest.h"
#include "vmxmltest.h"

static char *last_xml;
static xmlDocPtr last_doc;
static bool validator_missing;

static struct vm_xml_disk disks[64];
static char disk_paths[64][96];

void
vmxt_init (void)
{
  test_init (false);
  xmlInitParser ();
}

char *
vmxt_strdup (const char *s)
{
  char *r = s ? strdup (s) : NULL;

  if (s && r == NULL)
    FAIL ("out of memory");
  return r;
}

void
vmxt_add_disk (struct vm *vm, enum vm_bus bus, unsigned controller,
               unsigned unit)
{
  struct vm_disk d = {
    .bus = bus, .controller = controller, .unit = unit,
    .controller_model = vmxt_strdup (bus == VM_BUS_SCSI ? "pvscsi" : NULL),
    .path = vmxt_strdup ("[datastore1] web01/web01.vmdk"),
    .datastore = vmxt_strdup ("datastore1"),
    .capacity = 10ULL << 30,
  };
  if (vm_disk_vector_append (&vm->disks, d) == -1)
    FAIL ("out of memory");
}

void
vmxt_add_nic (struct vm *vm, const char *mac, const char *network,
              bool connected)
{
  struct vm_nic n = {
    .model = vmxt_strdup ("vmxnet3"),
    .mac = vmxt_strdup (mac),
    .network = vmxt_strdup (network),
    .connected = connected,
  };
  if (vm_nic_vector_append (&vm->nics, n) == -1)
    FAIL ("out of memory");
}

void
vmxt_add_cdrom (struct vm *vm, const char *iso)
{
  struct vm_cdrom c = {
    .bus = VM_BUS_SATA, .controller = 0, .unit = (unsigned) vm->cdroms.len,
    .path = vmxt_strdup (iso),
  };
  if (vm_cdrom_vector_append (&vm->cdroms, c) == -1)
    FAIL ("out of memory");
}

void
vmxt_base (struct vm *vm)
{
  *vm = (struct vm) VM_INIT;
  vm->name = vmxt_strdup ("web01");
  vm->uuid = vmxt_strdup (VMXT_UUID);
  vm->source = vmxt_strdup ("vmx:/vmfs/volumes/datastore1/web01/web01.vmx");
  vm->firmware = VM_FIRMWARE_BIOS;
  vm->vcpus = 2;
  vm->cores_per_socket = 2;
  vm->memory_mib = 2048;
  vm->guest_os = vmxt_strdup ("ubuntu-64");
  vm->os_family = VM_OS_LINUX;
  vmxt_add_disk (vm, VM_BUS_SCSI, 0, 0);
  vmxt_add_nic (vm, VMXT_MAC, "VM Network", true);
}

const char *
vmxt_map_network (const char *source, void *opaque)
{
  if (source && strcmp (source, "VM Network") == 0)
    return "default";
  if (source && strcmp (source, "DMZ") == 0)
    return "dmz";
  return NULL;
}

struct vm_xml_options
vmxt_options (const struct vm *vm)
{
  if (vm->disks.len > sizeof disks / sizeof *disks)
    FAIL ("vmxt_options: too many disks");
  for (size_t i = 0; i < vm->disks.len; i++) {
    snprintf (disk_paths[i], sizeof disk_paths[i],
              "/var/lib/libvirt/images/web01-disk%zu.qcow2", i);
    disks[i] = (struct vm_xml_disk) { disk_paths[i], "qcow2" };
  }
  return (struct vm_xml_options) {
    .compat = VM_XML_VIRTIO,
    .disks = disks,
    .map_network = vmxt_map_network,
  };
}

static void
validate (int line)
{
  if (test_run_status ("command -v virt-xml-validate >/dev/null") != 0) {
    validator_missing = true;
    return;
  }
  test_write_text ("domain.xml", last_xml);
  if (test_run_status ("virt-xml-validate domain.xml domain") != 0)
    FAIL ("line %d: virt-xml-validate rejects the domain XML:\n%s",
          line, last_xml);
}

xmlDocPtr
vmxt_generate_at (int line, const struct vm *vm,
                  const struct vm_xml_options *opts)
{
  free (last_xml);
  xmlFreeDoc (last_doc);
  last_doc = NULL;
  error_clear ();
  last_xml = vm_xml_domain (vm, opts);
  if (last_xml == NULL)
    FAIL ("line %d: vm_xml_domain failed: %s", line, error_message ());
  validate (line);
  last_doc = xmlReadMemory (last_xml, (int) strlen (last_xml), "domain.xml",
                            NULL, XML_PARSE_NONET);
  if (last_doc == NULL)
    FAIL ("line %d: the domain XML does not parse:\n%s", line, last_xml);
  return last_doc;
}

const char *
vmxt_xml (void)
{
  return last_xml ? last_xml : "(no XML)";
}

void
vmxt_expect_fails_at (int line, const struct vm *vm,
                      const struct vm_xml_options *opts, const char *want)
{
  error_clear ();
  char *xml = vm_xml_domain (vm, opts);
  if (xml != NULL)
    FAIL ("line %d: vm_xml_domain succeeded, expected an error "
          "containing \"%s\":\n%s", line, want, xml);
  if (error_message ()[0] == '\0')
    FAIL ("line %d: vm_xml_domain failed without setting an error", line);
  if (strstr (error_message (), want) == NULL)
    FAIL ("line %d: error \"%s\" does not contain \"%s\"",
          line, error_message (), want);
  fprintf (stderr, "expected error: %s\n", error_message ());
}

static xmlXPathObjectPtr
eval (xmlDocPtr doc, const char *expr)
{
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj;

  if (ctx == NULL)
    FAIL ("out of memory");
  obj = xmlXPathEval (BAD_CAST expr, ctx);
  xmlXPathFreeContext (ctx);
  if (obj == NULL)
    FAIL ("bad XPath expression: %s", expr);
  return obj;
}

double
vmxt_number (xmlDocPtr doc, const char *expr)
{
  xmlXPathObjectPtr obj = eval (doc, expr);
  double r = xmlXPathCastToNumber (obj);

  xmlXPathFreeObject (obj);
  return r;
}

char *
vmxt_string (xmlDocPtr doc, const char *expr)
{
  xmlXPathObjectPtr obj = eval (doc, expr);
  xmlChar *s = xmlXPathCastToString (obj);
  char *r = vmxt_strdup ((const char *) s);

  xmlFree (s);
  xmlXPathFreeObject (obj);
  return r;
}

int
vmxt_finish (void)
{
  free (last_xml);
  last_xml = NULL;
  xmlFreeDoc (last_doc);
  last_doc = NULL;
  xmlCleanupParser ();
  if (validator_missing)
    SKIP ("libvirt", "virt-xml-validate is not installed (Debian: "
          "libvirt-clients, libxml2-utils); the XPath checks passed");
  return 0;
}
