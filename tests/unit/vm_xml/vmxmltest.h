/* vmxmltest.h: shared scaffolding of the domain XML writer's tests.
 *
 * A test builds a struct vm by hand (vmxt_base() gives a small BIOS Linux
 * VM with one disk and one NIC), writes it with vm_xml_domain(), and asks
 * questions of the result with XPath.  Every XML produced through
 * vmxt_generate() is also checked with `virt-xml-validate FILE domain`;
 * when that tool is missing the XPath checks still run and vmxt_finish()
 * then SKIPs (test.h), since half of the test could not be done.
 *
 * Helpers fail the test themselves (exit 1) with the caller's line.
 */
#ifndef FERRY_TESTS_VMXMLTEST_H
#define FERRY_TESTS_VMXMLTEST_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "test.h"
#include "vm/vm.h"
#include "vm/vm_xml.h"

#define VMXT_UUID "564d2f6c-6f1b-4b2e-9a2d-3c1e5f7a9b01"
#define VMXT_MAC "00:50:56:aa:bb:01"

void vmxt_init (void);

/* Name "web01", UUID VMXT_UUID, BIOS, Linux ("ubuntu-64"), 2 vCPUs in one
 * socket, 2048 MiB, disk scsi0:0, NIC (VMXT_MAC) on "VM Network". */
void vmxt_base (struct vm *vm);
void vmxt_add_disk (struct vm *vm, enum vm_bus bus, unsigned controller,
                    unsigned unit);
void vmxt_add_nic (struct vm *vm, const char *mac, const char *network,
                   bool connected);
void vmxt_add_cdrom (struct vm *vm, const char *iso);
/* strdup that fails the test on ENOMEM. */
char *vmxt_strdup (const char *s);

/* Options for vm: disk i at /var/lib/libvirt/images/web01-sdaI.qcow2
 * (qcow2), networks mapped by vmxt_map_network. */
struct vm_xml_options vmxt_options (const struct vm *vm);
/* "VM Network" -> "default", "DMZ" -> "dmz", anything else unmapped. */
const char *vmxt_map_network (const char *source, void *opaque);

/* Write, validate and parse; fails the test when the writer fails.  The
 * XML text is kept for vmxt_xml(). */
#define vmxt_generate(vm, opts) vmxt_generate_at (__LINE__, (vm), (opts))
xmlDocPtr vmxt_generate_at (int line, const struct vm *vm,
                            const struct vm_xml_options *opts);
const char *vmxt_xml (void);

/* The writer must fail, with an error containing want. */
#define vmxt_expect_fails(vm, opts, want) \
  vmxt_expect_fails_at (__LINE__, (vm), (opts), (want))
void vmxt_expect_fails_at (int line, const struct vm *vm,
                           const struct vm_xml_options *opts,
                           const char *want);

/* XPath: the number of nodes, and the string value of an expression. */
double vmxt_number (xmlDocPtr doc, const char *expr);
char *vmxt_string (xmlDocPtr doc, const char *expr);   /* malloc'd */

#define EXPECT_COUNT(doc, n, expr)                                          \
  do {                                                                      \
    double got_ = vmxt_number ((doc), "count(" expr ")");                   \
    if (got_ != (double) (n))                                               \
      FAIL ("count(%s) = %g, expected %d\n%s", expr, got_, (int) (n),       \
            vmxt_xml ());                                                   \
  } while (0)

#define EXPECT_STRING(doc, want, expr)                                      \
  do {                                                                      \
    char *got_ = vmxt_string ((doc), "string(" expr ")");                   \
    if (strcmp (got_, (want)) != 0)                                         \
      FAIL ("%s = \"%s\", expected \"%s\"\n%s", expr, got_, (want),         \
            vmxt_xml ());                                                   \
    free (got_);                                                            \
  } while (0)

/* 0, or SKIP (test.h) when virt-xml-validate was missing. */
int vmxt_finish (void);

#endif
