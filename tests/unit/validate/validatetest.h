/* validatetest.h: helpers of the validation rule tests.
 *
 * A test builds a VM by hand (valt_base: a clean BIOS Linux VM whose one
 * disk is a real sparse raw image in the test directory) or reads a VM
 * folder with vmx_read (../vmx/vmxtest.h), changes one thing, and checks
 * that exactly the expected finding appears, and that it is gone again
 * when the thing is undone.  Helpers fail the test themselves.
 */
#ifndef FERRY_TESTS_VALIDATETEST_H
#define FERRY_TESTS_VALIDATETEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imagetest.h"
#include "preflight/mapping.h"
#include "preflight/validate.h"
#include "vm/vm.h"

#ifndef MiB
#define MiB (UINT64_C (1) << 20)
#endif

static inline char * __attribute__ ((unused))
valt_strdup (const char *s)
{
  char *r = s ? strdup (s) : NULL;

  if (s && r == NULL)
    FAIL ("out of memory");
  return r;
}

/* A sparse raw image of `size` bytes whose first `data` bytes hold a
 * pattern (no zero bytes, so they count as data). */
static inline void __attribute__ ((unused))
valt_write_image (const char *name, uint64_t size, uint64_t data)
{
  uint8_t *buf = NULL;

  if (data) {
    buf = malloc (data);
    if (buf == NULL)
      FAIL ("out of memory");
    test_fill_pattern (buf, data, 1);
  }
  test_write_file (name, buf ? buf : (const void *) "", data);
  test_truncate (name, size);
  free (buf);
}

/* Add a disk on scsi0:<index> backed by a new raw image `name` (size,
 * data as above) on datastore "datastore1"; returns its index. */
static inline size_t __attribute__ ((unused))
valt_add_disk (struct vm *vm, const char *name, uint64_t size, uint64_t data)
{
  struct vm_disk d = {
    .bus = VM_BUS_SCSI, .controller = 0, .unit = (unsigned) vm->disks.len,
    .controller_model = valt_strdup ("pvscsi"),
    .path = test_path (name),
    .datastore = valt_strdup ("datastore1"),
    .capacity = size,
  };

  valt_write_image (name, size, data);
  if (vm_disk_vector_append (&vm->disks, d) == -1)
    FAIL ("out of memory");
  return vm->disks.len - 1;
}

/* Point disk i at `name` in the test directory. */
static inline void __attribute__ ((unused))
valt_set_path (struct vm *vm, size_t i, const char *name)
{
  free (vm->disks.ptr[i].path);
  vm->disks.ptr[i].path = test_path (name);
}

static inline size_t __attribute__ ((unused))
valt_add_nic (struct vm *vm, const char *network)
{
  char mac[32];
  struct vm_nic n = {
    .model = valt_strdup ("vmxnet3"),
    .network = valt_strdup (network),
    .connected = true,
  };

  snprintf (mac, sizeof mac, "00:50:56:aa:bb:%02zx", vm->nics.len + 1);
  n.mac = valt_strdup (mac);
  if (vm_nic_vector_append (&vm->nics, n) == -1)
    FAIL ("out of memory");
  return vm->nics.len - 1;
}

/* web01: BIOS, Linux (ubuntu-64), 2 vCPUs, 2048 MiB, CBT on; disk scsi0:0
 * "web01.img" of 64 MiB with 1 MiB of data; NIC on "VM Network". */
static inline void __attribute__ ((unused))
valt_base (struct vm *vm)
{
  *vm = (struct vm) VM_INIT;
  vm->name = valt_strdup ("web01");
  vm->uuid = valt_strdup ("564d2f6c-6f1b-4b2e-9a2d-3c1e5f7a9b01");
  vm->source = valt_strdup ("vmx:/vmfs/volumes/datastore1/web01/web01.vmx");
  vm->firmware = VM_FIRMWARE_BIOS;
  vm->hardware_version = valt_strdup ("vmx-19");
  vm->vcpus = 2;
  vm->cores_per_socket = 2;
  vm->memory_mib = 2048;
  vm->guest_os = valt_strdup ("ubuntu-64");
  vm->os_family = VM_OS_LINUX;
  vm->cbt = true;
  valt_add_disk (vm, "web01.img", 64 * MiB, 1 * MiB);
  valt_add_nic (vm, "VM Network");
}

/* Mappings built from specs; freed at exit. */
static struct mapping valt_mappings[4];
static size_t valt_n_mappings;

static inline void
valt_free_mappings (void)
{
  for (size_t i = 0; i < valt_n_mappings; i++)
    mapping_free (&valt_mappings[i]);
}

/* A mapping of the NULL-terminated specs, which must all be accepted. */
static inline const struct mapping * __attribute__ ((unused, sentinel))
valt_mapping (const char *spec, ...)
{
  struct mapping *m;
  va_list ap;

  if (valt_n_mappings == sizeof valt_mappings / sizeof *valt_mappings)
    FAIL ("valt_mapping: too many mappings");
  if (valt_n_mappings == 0)
    atexit (valt_free_mappings);
  m = &valt_mappings[valt_n_mappings++];
  *m = (struct mapping) MAPPING_INIT;
  va_start (ap, spec);
  for (; spec; spec = va_arg (ap, const char *))
    if (mapping_add (m, spec) == -1)
      FAIL ("mapping_add \"%s\": %s", spec, error_message ());
  va_end (ap);
  return m;
}

/* Cold, qcow2, free space unknown, "VM Network" mapped to "default". */
static inline struct validate_context __attribute__ ((unused))
valt_context (void)
{
  struct validate_context ctx = VALIDATE_CONTEXT_INIT;

  ctx.networks = valt_mapping ("VM Network=default", NULL);
  return ctx;
}

static inline void __attribute__ ((unused))
valt_dump (const finding_vector *f)
{
  fprintf (stderr, "%zu finding(s):\n", f->len);
  validate_print (stderr, NULL, f);
}

/* Run the rules on vm into *f (emptied first); validate_vm must not fail
 * and must leave no error behind. */
#define valt_run(vm, ctx, f) valt_run_at (__LINE__, (vm), (ctx), (f))
static inline void __attribute__ ((unused))
valt_run_at (int line, const struct vm *vm,
             const struct validate_context *ctx, finding_vector *f)
{
  validate_findings_free (f);
  error_clear ();
  if (validate_vm (vm, ctx, f) == -1)
    FAIL ("line %d: validate_vm: %s", line, error_message ());
  if (strcmp (error_message (), "") != 0)
    FAIL ("line %d: validate_vm left an error behind: %s", line,
          error_message ());
  valt_dump (f);
}

static inline size_t __attribute__ ((unused))
valt_count (const finding_vector *f, const char *rule)
{
  size_t n = 0;

  for (size_t i = 0; i < f->len; i++)
    n += strcmp (f->ptr[i].rule, rule) == 0;
  return n;
}

/* No finding at all. */
#define valt_expect_clean(f) valt_expect_clean_at (__LINE__, (f))
static inline void __attribute__ ((unused))
valt_expect_clean_at (int line, const finding_vector *f)
{
  if (f->len != 0)
    FAIL ("line %d: expected no findings, got %zu (first: %s: %s)", line,
          f->len, f->ptr[0].rule, f->ptr[0].message);
}

/* Exactly one finding, of rule, with that severity, device indexes and a
 * message containing want (NULL = any); returns it. */
#define valt_expect_only(f, rule, sev, disk, nic, want) \
  valt_expect_only_at (__LINE__, (f), (rule), (sev), (disk), (nic), (want))
static inline const struct finding * __attribute__ ((unused))
valt_expect_only_at (int line, const finding_vector *f, const char *rule,
                     enum finding_severity sev, int disk, int nic,
                     const char *want)
{
  const struct finding *x;

  if (f->len != 1)
    FAIL ("line %d: expected exactly one finding (%s), got %zu", line, rule,
          f->len);
  x = &f->ptr[0];
  if (strcmp (x->rule, rule) != 0)
    FAIL ("line %d: expected rule %s, got %s", line, rule, x->rule);
  if (x->severity != sev)
    FAIL ("line %d: %s: severity %s, expected %s", line, rule,
          validate_severity_name (x->severity), validate_severity_name (sev));
  if (x->disk != disk || x->nic != nic)
    FAIL ("line %d: %s: disk %d nic %d, expected disk %d nic %d", line, rule,
          x->disk, x->nic, disk, nic);
  if (want && strstr (x->message, want) == NULL)
    FAIL ("line %d: %s: message \"%s\" does not contain \"%s\"", line, rule,
          x->message, want);
  if (validate_rule_find (rule) == NULL)
    FAIL ("line %d: %s is not in validate_rules", line, rule);
  if (strchr (x->message, '\n') != NULL)
    FAIL ("line %d: %s: the message is not one line", line, rule);
  return x;
}

#endif
