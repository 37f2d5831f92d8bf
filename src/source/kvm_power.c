/* kvm_power.c: the KVM warm source's actions on the domain's process
 * (see kvm_internal.h): the paused start of a last view and its destroy,
 * a process for deleting the marks of a guest that is off, and power
 * (is_running, shutdown, power_on).
 *
 * A paused process started here is marked with live-only metadata
 * (KVM_META_URI): it goes with the process and never reaches the
 * domain's definition, and tells recovery which paused domain is ours.
 *
 * Must never: destroy a domain other than one it started paused, except
 * when a shutdown times out; act without telling the journal first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "source/kvm_internal.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

#define KVM_META_URI "urn:x-ferry:warm"
#define KVM_META_PREFIX "ferry"

/* Whether the domain runs as the paused process a final view started
 * (live metadata of this migration). */
bool
kvm_started_by_us (struct change_source *src)
{
  struct kvm_priv *k = kvm_of (src);
  CLEANUP_FREE char *meta = NULL;
  CLEANUP_FREE char *want = NULL;

  if (virDomainIsActive (k->dom) != 1)
    return false;
  meta = virDomainGetMetadata (k->dom, VIR_DOMAIN_METADATA_ELEMENT,
                               KVM_META_URI, VIR_DOMAIN_AFFECT_LIVE);
  if (meta == NULL)
    return false;
  if (asprintf (&want, "prefix=\"%s\"", src->mark_prefix) == -1) {
    want = NULL;
    return false;
  }
  return strstr (meta, want) != NULL;
}

int
kvm_start_paused (struct change_source *src)
{
  struct kvm_priv *k = kvm_of (src);
  CLEANUP_FREE char *meta = NULL;
  int r;

  if (change_intent (src, "start-paused", k->name) == -1)
    return -1;
  r = virDomainCreateWithFlags (k->dom, VIR_DOMAIN_START_PAUSED);
  if (r == -1)
    virt_error_set ("starting domain %s paused", k->name);
  change_done (src, "start-paused", k->name, r == 0);
  if (r == -1)
    return -1;
  if (asprintf (&meta, "<paused-start prefix=\"%s\"/>", src->mark_prefix)
      == -1) {
    meta = NULL;
    error_set_errno (errno, "kvm: asprintf");
    return -1;
  }
  if (virDomainSetMetadata (k->dom, VIR_DOMAIN_METADATA_ELEMENT, meta,
                            KVM_META_PREFIX, KVM_META_URI,
                            VIR_DOMAIN_AFFECT_LIVE) == -1) {
    virt_error_set ("marking the paused domain %s", k->name);
    return -1;
  }
  return 0;
}

int
kvm_destroy (struct change_source *src)
{
  struct kvm_priv *k = kvm_of (src);
  int r;

  if (change_intent (src, "destroy", k->name) == -1)
    return -1;
  r = virDomainDestroy (k->dom);
  if (r == -1 && virDomainIsActive (k->dom) == 0)
    r = 0;                      /* gone already */
  else if (r == -1)
    virt_error_set ("destroying domain %s", k->name);
  change_done (src, "destroy", k->name, r == 0);
  return r;
}


/* libvirt deletes a checkpoint's bitmaps only from a running QEMU (for a
 * domain that is off it refuses: "cannot delete checkpoint for inactive
 * domain"), and its metadata alone would leave the bitmaps in the images.
 * So a domain that is off is started paused for the deletions, as for
 * the last view, and destroyed again after them. */
int
kvm_process_need (struct change_source *src, bool *started)
{
  struct kvm_priv *k = kvm_of (src);
  int active = virDomainIsActive (k->dom);

  *started = false;
  if (active == -1) {
    virt_error_set ("reading the state of domain %s", k->name);
    return -1;
  }
  if (active == 1)
    return 0;
  if (kvm_start_paused (src) == -1)
    return -1;
  *started = true;
  return 0;
}

int
kvm_process_release (struct change_source *src, bool started, int r)
{
  struct error_saved e;

  if (!started)
    return r;
  error_save (&e);
  if (kvm_destroy (src) == -1)
    return -1;
  if (r == -1)
    error_restore (&e);
  return r;
}

/* ---- power ---- */

int
kvm_is_running (struct change_source *src, bool *running)
{
  struct kvm_priv *k = kvm_of (src);
  int r = virDomainIsActive (k->dom);

  if (r == -1) {
    virt_error_set ("reading the state of domain %s", k->name);
    return -1;
  }
  *running = r == 1;
  return 0;
}

int
kvm_shutdown (struct change_source *src, double timeout, bool *forced)
{
  struct kvm_priv *k = kvm_of (src);
  unsigned flags = VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN;
  struct timespec start, now;
  bool running;
  int r;

  *forced = false;
  if (kvm_is_running (src, &running) == -1)
    return -1;
  if (!running)
    return 0;
  if (k->agent)
    flags |= VIR_DOMAIN_SHUTDOWN_GUEST_AGENT;
  if (change_intent (src, "shutdown", k->name) == -1)
    return -1;
  r = virDomainShutdownFlags (k->dom, flags);
  if (r == -1)
    log_debug ("kvm: %s: asking the guest to shut down: %s", k->name,
               virGetLastErrorMessage ());
  change_done (src, "shutdown", k->name, r == 0);

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;) {
    if (kvm_is_running (src, &running) == -1)
      return -1;
    if (!running)
      return 0;
    clock_gettime (CLOCK_MONOTONIC, &now);
    if (r == -1 || (now.tv_sec - start.tv_sec)
        + (now.tv_nsec - start.tv_nsec) / 1e9 >= timeout)
      break;
    nanosleep (&(struct timespec) { 0, KVM_POLL_NS }, NULL);
  }
  *forced = true;
  if (kvm_destroy (src) == -1)
    return -1;
  if (kvm_is_running (src, &running) == -1)
    return -1;
  if (running) {
    error_set ("kvm: %s: still running after being destroyed", k->name);
    return -1;
  }
  return 0;
}

int
kvm_power_on (struct change_source *src)
{
  struct kvm_priv *k = kvm_of (src);
  int r;

  if (change_intent (src, "start", k->name) == -1)
    return -1;
  r = virDomainCreate (k->dom);
  if (r == -1)
    virt_error_set ("starting domain %s", k->name);
  change_done (src, "start", k->name, r == 0);
  return r;
}
