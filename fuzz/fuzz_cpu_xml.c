/* fuzz_cpu_xml.c: libFuzzer harness for the CPU XML reader (cpu_from_xml),
 * which reads files the user names as well as what libvirt returns.  A CPU
 * that reads must be compatible with itself, and its baseline with itself
 * must read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/cpu.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cpu cpu = { 0 }, again = { 0 };
  struct cpu_verdict v = { 0 };
  struct cpu *both[2] = { &cpu, &cpu };
  char *xml, *baseline = NULL;

  xml = malloc (size + 1);
  if (xml == NULL)
    return 0;
  memcpy (xml, data, size);
  xml[size] = '\0';
  if (cpu_from_xml (xml, "fuzz.xml", &cpu) == -1)
    goto out;
  if (cpu.mode == CPU_CUSTOM) {
    if (cpu_compare (&cpu, &cpu, &v) == 0 && !v.compatible)
      __builtin_trap ();
    baseline = cpu_baseline (both, 2);
    if (baseline && cpu_from_xml (baseline, "baseline", &again) == -1)
      __builtin_trap ();
  }
out:
  cpu_verdict_free (&v);
  cpu_free (&again);
  free (baseline);
  cpu_free (&cpu);
  free (xml);
  return 0;
}
