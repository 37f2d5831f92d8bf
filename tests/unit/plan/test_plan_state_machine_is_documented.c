/* test_plan_state_machine_is_documented: docs/plan-state-machine.md names
 * every VM state and every function that makes a transition, as plan.c's
 * diagram does. */
#include "plantest.h"

int
main (int argc, char **argv)
{
  static const char *const functions[] = {
    "plan_create", "plan_vm_run", "plan_vm_validate", "plan_vm_prepare",
    "plan_vm_copy", "plan_vm_verify", "plan_vm_adapt", "plan_vm_define",
    "plan_vm_finish", "plan_vm_end", "plan_cancel", "plan_vm_checkpoint",
  };
  char path[4096];
  char *doc, *code;
  size_t len;

  if (argc < 2)
    FAIL ("usage: %s SOURCE_ROOT", argv[0]);
  snprintf (path, sizeof path, "%s/docs/plan-state-machine.md", argv[1]);
  doc = (char *) test_read_file (path, &len);
  doc = realloc (doc, len + 1);
  doc[len] = '\0';
  snprintf (path, sizeof path, "%s/src/plan/plan.c", argv[1]);
  code = (char *) test_read_file (path, &len);
  code = realloc (code, len + 1);
  code[len] = '\0';
  for (unsigned i = 0; i < PLAN_VM_NR_STATES; i++) {
    char word[64];
    snprintf (word, sizeof word, "`%s`", plan_vm_state_name (i));
    if (strstr (doc, word) == NULL)
      FAIL ("the doc does not name state %s", word);
  }
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    if (strstr (doc, functions[i]) == NULL)
      FAIL ("the doc does not name %s", functions[i]);
    if (strstr (code, functions[i]) == NULL)
      FAIL ("plan.c has no %s", functions[i]);
  }
  free (doc);
  free (code);
  return 0;
}
