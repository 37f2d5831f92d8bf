/* The JSON report, as docs/validation.md gives it: {"vm", "blocked",
 * "critical", "warning", "info", "findings": [{"rule", "severity",
 * "message", "disk", "nic"}]} with device indexes as integers or null, in
 * the order found (machine, disks, NICs, devices, for findings of
 * validate_vm); a message or VM name that is not UTF-8 does not lose the
 * report.  Messages are compared with text of the test's own, never with
 * what the code under test produced. */
#include "validatetest.h"

int
main (void)
{
  struct vm vm;
  finding_vector f = empty_vector;
  struct validate_context ctx;
  json_t *j, *list, *item;

  test_init (false);
  valt_base (&vm);
  ctx = valt_context ();
  vm.usb = true;
  vm.disks.ptr[0].shared = true;
  valt_add_nic (&vm, "DMZ");
  valt_run (&vm, &ctx, &f);
  CHECK (f.len == 3);

  j = validate_findings_json ("web01", &f);
  CHECK (j != NULL && json_is_object (j));
  CHECK (json_object_size (j) == 6);
  CHECK (strcmp (json_string_value (json_object_get (j, "vm")), "web01") == 0);
  CHECK (json_is_true (json_object_get (j, "blocked")));
  CHECK (json_integer_value (json_object_get (j, "critical")) == 1);
  CHECK (json_integer_value (json_object_get (j, "warning")) == 1);
  CHECK (json_integer_value (json_object_get (j, "info")) == 1);
  list = json_object_get (j, "findings");
  CHECK (json_is_array (list) && json_array_size (list) == 3);

  /* Disk rules, then NICs, then devices. */
  item = json_array_get (list, 0);
  CHECK (json_object_size (item) == 5);
  CHECK (strcmp (json_string_value (json_object_get (item, "rule")),
                 "disk-shared") == 0);
  CHECK (strcmp (json_string_value (json_object_get (item, "severity")),
                 "warning") == 0);
  CHECK (strncmp (json_string_value (json_object_get (item, "message")),
                  "disk 0 (scsi0:0): ", 18) == 0);
  CHECK (json_integer_value (json_object_get (item, "disk")) == 0);
  CHECK (json_is_null (json_object_get (item, "nic")));

  item = json_array_get (list, 1);
  CHECK (strcmp (json_string_value (json_object_get (item, "rule")),
                 "network-unmapped") == 0);
  CHECK (strcmp (json_string_value (json_object_get (item, "severity")),
                 "critical") == 0);
  CHECK (json_is_null (json_object_get (item, "disk")));
  CHECK (json_integer_value (json_object_get (item, "nic")) == 1);

  item = json_array_get (list, 2);
  CHECK (strcmp (json_string_value (json_object_get (item, "severity")),
                 "info") == 0);
  json_decref (j);

  /* No name, no findings. */
  validate_findings_free (&f);
  j = validate_findings_json (NULL, &f);
  CHECK (j != NULL);
  CHECK (json_is_null (json_object_get (j, "vm")));
  CHECK (json_is_false (json_object_get (j, "blocked")));
  CHECK (json_array_size (json_object_get (j, "findings")) == 0);
  json_decref (j);

  /* Latin-1 bytes in a name: replaced, not fatal. */
  j = validate_findings_json ("caf\xe9", &f);
  CHECK (j != NULL);
  CHECK (strcmp (json_string_value (json_object_get (j, "vm")), "caf?") == 0);
  json_decref (j);

  /* A finding built here: every field exactly as given, a Latin-1 byte
   * in the message replaced. */
  struct finding x = { .rule = "nic-mac-invalid",
                       .severity = FINDING_CRITICAL,
                       .message = strdup ("NIC 2 on network 'caf\xe9': bad"),
                       .disk = -1, .nic = 2 };
  CHECK (x.message != NULL && finding_vector_append (&f, x) == 0);
  j = validate_findings_json ("web01", &f);
  CHECK (j != NULL);
  CHECK (json_is_true (json_object_get (j, "blocked")));
  CHECK (json_integer_value (json_object_get (j, "critical")) == 1);
  CHECK (json_integer_value (json_object_get (j, "warning")) == 0);
  item = json_array_get (json_object_get (j, "findings"), 0);
  CHECK (strcmp (json_string_value (json_object_get (item, "rule")),
                 "nic-mac-invalid") == 0);
  CHECK (strcmp (json_string_value (json_object_get (item, "severity")),
                 "critical") == 0);
  CHECK (strcmp (json_string_value (json_object_get (item, "message")),
                 "NIC 2 on network 'caf?': bad") == 0);
  CHECK (json_is_null (json_object_get (item, "disk")));
  CHECK (json_integer_value (json_object_get (item, "nic")) == 2);
  json_decref (j);
  validate_findings_free (&f);

  vm_free (&vm);
  return 0;
}
