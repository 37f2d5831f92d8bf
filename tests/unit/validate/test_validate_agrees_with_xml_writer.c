/* The pre-flight rules and the domain writer agree, case by case, over one
 * table: whatever vm_xml_domain() refuses for a VM (with the options a
 * migration would give it: each disk's image in vm_xml_disk_format's
 * format, the mode and name of the context, its network mapping) is a
 * Critical finding of the named rule, and what the writer accepts blocks
 * nothing, except where the table names a rule that is stricter than the
 * writer on purpose.  Each limit is tested from both sides: the case that
 * breaks it and the one just inside it. */
#include <stdbool.h>

#include "validatetest.h"
#include "vm/vm_xml.h"

struct agree_case {
  const char *what;
  void (*setup) (struct vm *vm, struct validate_context *ctx);
  const char *rule;             /* the Critical rule expected, or NULL */
  const char *writer_error;     /* the writer's refusal, or NULL = accepts */
};

static void
add_cdroms (struct vm *vm, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    struct vm_cdrom c = { .bus = VM_BUS_IDE, .controller = 1,
                          .unit = (unsigned) vm->cdroms.len };

    if (vm_cdrom_vector_append (&vm->cdroms, c) == -1)
      FAIL ("out of memory");
  }
}

static void
set_guest (struct vm *vm, const char *guest_os, enum vm_os_family family)
{
  free (vm->guest_os);
  vm->guest_os = valt_strdup (guest_os);
  vm->os_family = family;
}

static void
add_disks (struct vm *vm, size_t n)
{
  char name[32];

  for (size_t i = 0; i < n; i++) {
    snprintf (name, sizeof name, "extra%zu.img", vm->disks.len);
    valt_add_disk (vm, name, 1 * MiB, 0);
  }
}

static void clean (struct vm *vm, struct validate_context *ctx) { }

static void
shared (struct vm *vm, struct validate_context *ctx)
{
  vm->disks.ptr[0].shared = true;
}

static void
shared_transient (struct vm *vm, struct validate_context *ctx)
{
  vm->disks.ptr[0].shared = true;
  vm->disks.ptr[0].mode = VM_DISK_INDEPENDENT_NONPERSISTENT;
}

static void
shared_raw_target (struct vm *vm, struct validate_context *ctx)
{
  vm->disks.ptr[0].shared = true;
  ctx->target_format = "raw";
}

static void
transient (struct vm *vm, struct validate_context *ctx)
{
  vm->disks.ptr[0].mode = VM_DISK_INDEPENDENT_NONPERSISTENT;
}

static void
rdm_physical (struct vm *vm, struct validate_context *ctx)
{
  vm->disks.ptr[0].rdm = VM_RDM_PHYSICAL;
}

static void
rdm_virtual (struct vm *vm, struct validate_context *ctx)
{
  vm->disks.ptr[0].rdm = VM_RDM_VIRTUAL;
}

/* Linux 2.4 needs i440fx; in compat mode its disks go on IDE. */
static void
ide_compat_4 (struct vm *vm, struct validate_context *ctx)
{
  set_guest (vm, "other24xLinux", VM_OS_LINUX);
  ctx->compat = true;
  add_disks (vm, 2);
  add_cdroms (vm, 1);
}

static void
ide_compat_5 (struct vm *vm, struct validate_context *ctx)
{
  ide_compat_4 (vm, ctx);
  add_cdroms (vm, 1);
}

/* The same five devices without compat: only the CD-ROM is on IDE. */
static void
ide_virtio_5 (struct vm *vm, struct validate_context *ctx)
{
  set_guest (vm, "other24xLinux", VM_OS_LINUX);
  add_disks (vm, 2);
  add_cdroms (vm, 2);
}

static void
ide_cdroms_5 (struct vm *vm, struct validate_context *ctx)
{
  set_guest (vm, "other24xLinux", VM_OS_LINUX);
  add_cdroms (vm, 5);
}

/* q35 has no IDE: any number of CD-ROMs go on SATA. */
static void
q35_cdroms_5 (struct vm *vm, struct validate_context *ctx)
{
  ctx->compat = true;
  add_disks (vm, 2);
  add_cdroms (vm, 5);
}

static void
secure_boot_i440fx (struct vm *vm, struct validate_context *ctx)
{
  set_guest (vm, "winNetEnterprise", VM_OS_WINDOWS);
  ctx->compat = true;
  vm->firmware = VM_FIRMWARE_UEFI;
  vm->secure_boot = true;
}

static void
secure_boot_q35 (struct vm *vm, struct validate_context *ctx)
{
  vm->firmware = VM_FIRMWARE_UEFI;
  vm->secure_boot = true;
}

static void
multicast_mac (struct vm *vm, struct validate_context *ctx)
{
  free (vm->nics.ptr[0].mac);
  vm->nics.ptr[0].mac = valt_strdup ("01:50:56:aa:bb:01");
}

static void
unicast_mac_upper (struct vm *vm, struct validate_context *ctx)
{
  free (vm->nics.ptr[0].mac);
  vm->nics.ptr[0].mac = valt_strdup ("02:0C:29:AB:CD:EF");
}

static void
name_slash (struct vm *vm, struct validate_context *ctx)
{
  free (vm->name);
  vm->name = valt_strdup ("web/01");
}

static void
name_slash_renamed (struct vm *vm, struct validate_context *ctx)
{
  name_slash (vm, ctx);
  ctx->name = "web01";
}

static void
name_missing (struct vm *vm, struct validate_context *ctx)
{
  free (vm->name);
  vm->name = NULL;
}

static void
name_control (struct vm *vm, struct validate_context *ctx)
{
  ctx->name = "web\n01";
}

static void
bad_uuid (struct vm *vm, struct validate_context *ctx)
{
  free (vm->uuid);
  vm->uuid = valt_strdup ("564d2f6c 6f1b 4b2e 9a2d 3c1e5f7a9b01");
}

static void
no_uuid (struct vm *vm, struct validate_context *ctx)
{
  free (vm->uuid);
  vm->uuid = NULL;
}

static void
no_memory (struct vm *vm, struct validate_context *ctx)
{
  vm->memory_mib = 0;
}

static void
no_vcpus (struct vm *vm, struct validate_context *ctx)
{
  vm->vcpus = 0;
}

static void
passthrough (struct vm *vm, struct validate_context *ctx)
{
  if (vm_string_vector_append (&vm->passthrough,
                               valt_strdup ("0000:3b:00.0")) == -1)
    FAIL ("out of memory");
}

static void
sriov (struct vm *vm, struct validate_context *ctx)
{
  vm->nics.ptr[0].sriov = true;
}

static void
unmapped_network (struct vm *vm, struct validate_context *ctx)
{
  valt_add_nic (vm, "Backup LAN");
}

/* Stricter than the writer on purpose: the domain is valid, the guest
 * would not boot. */
static void
windows_virtio (struct vm *vm, struct validate_context *ctx)
{
  set_guest (vm, "windows2019srv-64", VM_OS_WINDOWS);
}

static void
windows_compat (struct vm *vm, struct validate_context *ctx)
{
  windows_virtio (vm, ctx);
  ctx->compat = true;
}

static const struct agree_case cases[] = {
  { "clean", clean, NULL, NULL },
  { "shared disk, qcow2 target", shared, NULL, NULL },
  { "shared disk, raw target", shared_raw_target, NULL, NULL },
  { "shared and nonpersistent", shared_transient, "disk-shared-transient",
    "is both shared and nonpersistent" },
  { "nonpersistent alone", transient, NULL, NULL },
  { "physical RDM", rdm_physical, "rdm-physical",
    "is a raw device mapping (physical mode)" },
  { "virtual RDM", rdm_virtual, "rdm-virtual",
    "is a raw device mapping (virtual mode)" },
  { "i440fx compat, 4 on IDE", ide_compat_4, NULL, NULL },
  { "i440fx compat, 5 on IDE", ide_compat_5, "ide-devices-exceeded",
    "has room for 4 IDE devices, but 5 are needed" },
  { "i440fx VirtIO, 2 on IDE", ide_virtio_5, NULL, NULL },
  { "i440fx, 5 CD-ROMs", ide_cdroms_5, "ide-devices-exceeded",
    "has room for 4 IDE devices, but 5 are needed" },
  { "q35, 5 CD-ROMs", q35_cdroms_5, NULL, NULL },
  { "secure boot, i440fx guest", secure_boot_i440fx, "firmware-unsupported",
    "secure boot needs SMM" },
  { "secure boot, q35 guest", secure_boot_q35, NULL, NULL },
  { "multicast MAC", multicast_mac, "nic-mac-invalid",
    "is not a unicast MAC address" },
  { "unicast MAC in capitals", unicast_mac_upper, NULL, NULL },
  { "'/' in the name", name_slash, "name-invalid",
    "the domain name contains '/'" },
  { "'/' in the name, renamed", name_slash_renamed, NULL, NULL },
  { "no name", name_missing, "name-invalid", "the domain name is empty" },
  { "control character in the name", name_control, "name-invalid",
    "the domain name contains a control character" },
  { "malformed UUID", bad_uuid, "uuid-invalid",
    "is not in 8-4-4-4-12 form" },
  { "no UUID", no_uuid, NULL, NULL },
  { "no memory size", no_memory, "memory-invalid",
    "the memory size is unknown" },
  { "no vCPU count", no_vcpus, "vcpus-invalid",
    "the number of vCPUs is unknown" },
  { "PCI passthrough", passthrough, "passthrough-device",
    "PCI passthrough device(s)" },
  { "SR-IOV NIC", sriov, "sriov-nic", "is an SR-IOV virtual function" },
  { "unmapped network", unmapped_network, "network-unmapped",
    "source network 'Backup LAN' is not mapped" },
  { "Windows, VirtIO", windows_virtio, "windows-virtio", NULL },
  { "Windows, compat", windows_compat, NULL, NULL },
};

static const struct mapping *networks;

static const char *
map_network (const char *source, void *opaque)
{
  return mapping_lookup (networks, source);
}

/* What vm_xml_domain() says with the options a migration gives it: NULL
 * when it accepts, else its error (static). */
static const char *
writer_refusal (const struct vm *vm, const struct validate_context *ctx)
{
  static char error[ERROR_MESSAGE_MAX];
  struct vm_xml_disk disks[16];
  char paths[16][64];
  const char *cdroms[16] = { NULL };
  const char *format = ctx->target_format ? ctx->target_format : "qcow2";
  struct vm_xml_options o = {
    .name = ctx->name,
    .compat = ctx->compat ? VM_XML_COMPAT : VM_XML_VIRTIO,
    .disks = disks, .cdroms = cdroms,
    .map_network = map_network,
  };
  char *xml;

  CHECK (vm->disks.len <= 16 && vm->cdroms.len <= 16);
  for (size_t i = 0; i < vm->disks.len; i++) {
    const char *f = vm_xml_disk_format (&vm->disks.ptr[i], format);

    snprintf (paths[i], sizeof paths[i], "/images/web01-disk%zu.%s", i, f);
    disks[i] = (struct vm_xml_disk) { paths[i], f };
  }
  error_clear ();
  xml = vm_xml_domain (vm, &o);
  if (xml) {
    free (xml);
    return NULL;
  }
  snprintf (error, sizeof error, "%s", error_message ());
  error_clear ();
  return error;
}

int
main (void)
{
  finding_vector f = empty_vector;
  size_t n = sizeof cases / sizeof *cases;
  struct validate_context base;

  test_init (false);
  base = valt_context ();
  for (size_t k = 0; k < n; k++) {
    const struct agree_case *c = &cases[k];
    struct validate_context ctx = base;
    struct vm vm;
    const char *refusal;

    fprintf (stderr, "--- %s\n", c->what);
    valt_base (&vm);
    networks = ctx.networks;
    c->setup (&vm, &ctx);

    refusal = writer_refusal (&vm, &ctx);
    if (c->writer_error == NULL && refusal)
      FAIL ("%s: the writer refuses: %s", c->what, refusal);
    if (c->writer_error && refusal == NULL)
      FAIL ("%s: the writer accepts, expected \"%s\"", c->what,
            c->writer_error);
    if (c->writer_error && strstr (refusal, c->writer_error) == NULL)
      FAIL ("%s: the writer says \"%s\", expected \"%s\"", c->what, refusal,
            c->writer_error);

    valt_run (&vm, &ctx, &f);
    for (size_t i = 0; i < f.len; i++)
      if (f.ptr[i].severity == FINDING_CRITICAL
          && (c->rule == NULL || strcmp (f.ptr[i].rule, c->rule) != 0))
        FAIL ("%s: unexpected Critical %s: %s", c->what, f.ptr[i].rule,
              f.ptr[i].message);
    if (c->rule) {
      if (valt_count (&f, c->rule) == 0)
        FAIL ("%s: no %s finding", c->what, c->rule);
      CHECK (validate_blocks (&f));
    }
    /* The agreement itself: refused by the writer => blocked by the rules;
     * blocked with the writer accepting only where the table says so. */
    CHECK (!refusal || validate_blocks (&f));
    vm_free (&vm);
  }
  fprintf (stderr, "%zu cases\n", n);
  validate_findings_free (&f);
  return 0;
}
