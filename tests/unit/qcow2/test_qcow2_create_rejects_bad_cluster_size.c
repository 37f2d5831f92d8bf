/* test_qcow2_create_rejects_bad_cluster_size: create refuses cluster sizes that are not a power of two in 512..2M. */
#include "qcow2test.h"

int
main (void)
{
  static const uint32_t bad[] = { 256, 1000, 4u << 20, 65535 };

  test_init (true);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct disk_create_options o = { .size = 1 << 20, .cluster_size = bad[i] };
    error_clear ();
    CHECK (qt_create_with ("bad.qcow2", &o) == -1);
    CHECK (error_message ()[0] != '\0');
  }
  return 0;
}
