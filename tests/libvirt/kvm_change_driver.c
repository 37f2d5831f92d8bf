/* kvm_change_driver.c: drives the KVM warm source (src/source/kvm.c)
 * for test_kvm_change_source.sh, one action per run:
 *
 *   kvm_change_driver URI DOMAIN TAG JOURNAL facts
 *       (the warm facts, the VM model, the generic and warm rules'
 *       findings, and whether the domain writer takes the model)
 *   kvm_change_driver URI DOMAIN TAG JOURNAL view BASE|- MARK|- [hold]
 *                     [check:DISK:OFFSET:LENGTH:BYTE ...]
 *   kvm_change_driver URI DOMAIN TAG JOURNAL recover [KEEP...]
 *   kvm_change_driver URI DOMAIN TAG JOURNAL mark-delete MARK
 *   kvm_change_driver URI DOMAIN TAG JOURNAL shutdown TIMEOUT
 *   kvm_change_driver URI DOMAIN TAG JOURNAL power-on
 *
 * view prints "view adopted=A epoch=E epoch_changed=C", then per disk
 * "disk I data OFFSET LENGTH" and "disk I zero OFFSET LENGTH" lines (the
 * changes), then "check ... ok" or "check ... BAD" per check (every byte
 * of the range must be BYTE, in hex); with hold it prints "holding" and
 * waits to be killed, else it closes the view.
 *
 * The journal appends to the file JOURNAL one line per intent and per
 * done, and checks through its own libvirt connection that the action
 * had not happened at the intent and had happened at the done ("pre=ok"
 * / "pre=BAD", "post=ok" / "post=BAD"): the order the source promises.
 * Exit 0, or 1 with the error on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preflight/validate.h"
#include "source/kvm.h"
#include "util/error.h"
#include "util/virt.h"
#include "vm/vm_xml.h"

struct watcher {
  FILE *log;
  virDomainPtr dom;
};

static bool
has_checkpoint (virDomainPtr dom, const char *name)
{
  virDomainCheckpointPtr cp = virDomainCheckpointLookupByName (dom, name, 0);

  if (cp)
    virDomainCheckpointFree (cp);
  return cp != NULL;
}

static bool
has_backup (virDomainPtr dom)
{
  char *xml = virDomainIsActive (dom) == 1
    ? virDomainBackupGetXMLDesc (dom, 0) : NULL;

  free (xml);
  return xml != NULL;
}

static bool
is_active (virDomainPtr dom)
{
  return virDomainIsActive (dom) == 1;
}

/* Whether the action has happened, as libvirt shows it now. */
static bool
happened (virDomainPtr dom, const char *action, const char *object)
{
  if (strcmp (action, "checkpoint-create") == 0
      || strcmp (action, "checkpoint-adopt") == 0)
    return has_checkpoint (dom, object);
  if (strcmp (action, "checkpoint-delete") == 0)
    return !has_checkpoint (dom, object);
  if (strcmp (action, "backup-begin") == 0)
    return has_backup (dom);
  if (strcmp (action, "backup-end") == 0)
    return !has_backup (dom);
  if (strcmp (action, "start") == 0 || strcmp (action, "start-paused") == 0)
    return is_active (dom);
  if (strcmp (action, "destroy") == 0)
    return !is_active (dom);
  /* shutdown: the guest may ignore it; it cannot have happened before. */
  if (strcmp (action, "shutdown") == 0)
    return !is_active (dom);
  return false;
}

static int
journal_intent (void *opaque, const char *action, const char *object)
{
  struct watcher *w = opaque;

  fprintf (w->log, "intent %s %s pre=%s\n", action, object,
           happened (w->dom, action, object) ? "BAD" : "ok");
  fflush (w->log);
  return 0;
}

static void
journal_done (void *opaque, const char *action, const char *object, bool ok)
{
  struct watcher *w = opaque;
  bool post = happened (w->dom, action, object);

  /* A shutdown the guest ignores is not an error of the source. */
  fprintf (w->log, "done %s %s ok=%d post=%s\n", action, object, ok,
           !ok || post || strcmp (action, "shutdown") == 0 ? "ok" : "BAD");
  fflush (w->log);
}

static int
check_bytes (struct change_view *view, const char *spec)
{
  unsigned disk, byte;
  uint64_t offset, length;
  uint8_t *buf;
  int bad = 0;

  if (sscanf (spec, "check:%u:%" SCNu64 ":%" SCNu64 ":%x", &disk, &offset,
              &length, &byte) != 4 || disk >= view->nr_disks) {
    fprintf (stderr, "bad check %s\n", spec);
    return -1;
  }
  buf = malloc (length);
  if (buf == NULL || disk_pread (view->disks[disk], buf, length, offset)
      == -1) {
    fprintf (stderr, "%s: %s\n", spec, error_message ());
    free (buf);
    return -1;
  }
  for (uint64_t i = 0; i < length && !bad; i++)
    bad = buf[i] != byte;
  printf ("%s %s\n", spec, bad ? "BAD" : "ok");
  free (buf);
  return 0;
}

static int
print_changes (struct change_source *src, struct change_view *view)
{
  printf ("view adopted=%d epoch=%s epoch_changed=%d\n", view->adopted,
          view->epoch, view->epoch_changed);
  for (size_t i = 0; i < view->nr_disks; i++) {
    range_vector data = empty_vector, zero = empty_vector;

    if (src->ops->view_changes (src, view, i, &data, &zero) == -1)
      return -1;
    for (size_t j = 0; j < data.len; j++)
      printf ("disk %zu data %" PRIu64 " %" PRIu64 "\n", i,
              data.ptr[j].offset, data.ptr[j].length);
    for (size_t j = 0; j < zero.len; j++)
      printf ("disk %zu zero %" PRIu64 " %" PRIu64 "\n", i,
              zero.ptr[j].offset, zero.ptr[j].length);
    range_vector_reset (&data);
    range_vector_reset (&zero);
  }
  return 0;
}

static const char *
arg_or_null (const char *a)
{
  return strcmp (a, "-") == 0 ? NULL : a;
}

static int
run (struct change_source *src, int argc, char **argv)
{
  const char *cmd = argv[0];

  if (strcmp (cmd, "view") == 0 && argc >= 3) {
    struct change_view view;
    bool hold = argc >= 4 && strcmp (argv[3], "hold") == 0;

    if (src->ops->view_open (src, arg_or_null (argv[1]),
                             arg_or_null (argv[2]), &view) == -1)
      return -1;
    if (print_changes (src, &view) == -1)
      return -1;
    for (int i = hold ? 4 : 3; i < argc; i++)
      if (check_bytes (&view, argv[i]) == -1)
        return -1;
    if (hold) {
      printf ("holding\n");
      fflush (stdout);
      for (;;)
        pause ();
    }
    if (src->ops->view_close (src, &view) == -1)
      return -1;
    change_view_free (&view);
    printf ("closed\n");
    return 0;
  }
  if (strcmp (cmd, "recover") == 0)
    return src->ops->recover (src, (const char *const *) argv + 1,
                              (size_t) argc - 1);
  if (strcmp (cmd, "mark-delete") == 0 && argc == 2)
    return src->ops->mark_delete (src, argv[1]);
  if (strcmp (cmd, "shutdown") == 0 && argc == 2) {
    bool forced;
    if (src->ops->shutdown (src, atof (argv[1]), &forced) == -1)
      return -1;
    printf ("forced=%d\n", forced);
    return 0;
  }
  if (strcmp (cmd, "power-on") == 0)
    return src->ops->power_on (src);
  fprintf (stderr, "unknown command %s\n", cmd);
  return -1;
}

static const char *
map_network (const char *source, void *opaque)
{
  return "default";
}

/* The generic rules and the warm ones, as "finding SEVERITY RULE" lines,
 * and whether vm_xml writes the model as a domain. */
static int
print_checks (const struct change_source *src, const struct kvm_facts *f)
{
  const struct vm *vm = &src->vm;
  finding_vector out = empty_vector;
  struct vm_xml_disk *disks = calloc (vm->disks.len + 1, sizeof *disks);
  struct vm_xml_options opts = {
    .disks = disks, .map_network = map_network, .domain_type = "qemu",
  };
  char *xml;

  if (disks == NULL || validate_vm (vm, NULL, &out) == -1
      || validate_warm_kvm (f, &out) == -1)
    return -1;
  for (size_t i = 0; i < out.len; i++)
    printf ("finding %s %s\n", validate_severity_name (out.ptr[i].severity),
            out.ptr[i].rule);
  validate_findings_free (&out);
  for (size_t i = 0; i < vm->disks.len; i++)
    disks[i] = (struct vm_xml_disk) { vm->disks.ptr[i].path, "qcow2" };
  xml = vm_xml_domain (vm, &opts);
  printf ("vm_xml %s\n", xml ? "ok" : error_message ());
  free (xml);
  free (disks);
  return 0;
}

static void
print_facts (const struct change_source *src, const struct kvm_facts *f)
{
  const struct vm *vm = &src->vm;

  printf ("facts running=%d persistent=%d libvirt=%lu qemu=%lu job=%d "
          "own=%zu foreign=%zu\n", f->running, f->persistent,
          f->libvirt_version, f->qemu_version, f->block_job,
          f->nr_own_checkpoints, f->nr_foreign_checkpoints);
  for (size_t i = 0; i < f->nr_disks; i++)
    printf ("fact-disk %zu %s %s v3=%d known=%d size=%" PRIu64 "\n", i,
            f->disks[i].target, f->disks[i].format, f->disks[i].qcow2_v3,
            f->disks[i].qcow2_v3_known, f->disks[i].size);
  printf ("vm name=%s uuid=%s vcpus=%u memory_mib=%" PRIu64 " firmware=%s "
          "machine=%s\n", vm->name, vm->uuid, vm->vcpus, vm->memory_mib,
          vm_firmware_name (vm->firmware), vm->hardware_version);
  for (size_t i = 0; i < vm->disks.len; i++)
    printf ("vm-disk %zu %s%u:%u %s capacity=%" PRIu64 "\n", i,
            vm_bus_name (vm->disks.ptr[i].bus), vm->disks.ptr[i].controller,
            vm->disks.ptr[i].unit, vm->disks.ptr[i].path,
            vm->disks.ptr[i].capacity);
  for (size_t i = 0; i < vm->nics.len; i++)
    printf ("vm-nic %zu %s %s %s\n", i, vm->nics.ptr[i].mac,
            vm->nics.ptr[i].network, vm->nics.ptr[i].model);
}

int
main (int argc, char **argv)
{
  struct watcher w;
  struct change_journal journal = {
    .intent = journal_intent, .done = journal_done, .opaque = &w,
  };
  struct change_source *src;
  struct kvm_facts facts;
  virConnectPtr conn;
  int r;

  if (argc < 6) {
    fprintf (stderr, "usage: %s URI DOMAIN TAG JOURNAL COMMAND [ARGS]\n",
             argv[0]);
    return 2;
  }
  w.log = fopen (argv[4], "a");
  conn = virt_connect (argv[1]);
  w.dom = conn ? virDomainLookupByName (conn, argv[2]) : NULL;
  if (w.log == NULL || w.dom == NULL) {
    fprintf (stderr, "%s: %s\n", argv[4],
             w.log ? error_message () : strerror (errno));
    return 1;
  }
  src = kvm_source_open (argv[1], argv[2], argv[3], &journal, &facts);
  if (src == NULL) {
    fprintf (stderr, "%s\n", error_message ());
    return 1;
  }
  if (strcmp (argv[5], "facts") == 0) {
    print_facts (src, &facts);
    r = print_checks (src, &facts);
  }
  else
    r = run (src, argc - 5, argv + 5);
  if (r == -1)
    fprintf (stderr, "%s\n", error_message ());
  kvm_facts_free (&facts);
  src->ops->close (src);
  virDomainFree (w.dom);
  virConnectClose (conn);
  fclose (w.log);
  fflush (stdout);
  return r == -1;
}
