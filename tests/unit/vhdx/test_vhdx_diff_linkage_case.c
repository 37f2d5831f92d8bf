/* test_vhdx_diff_linkage_case: parent_linkage is compared as a GUID, so
 * upper case (as Hyper-V writes it), lower case and no braces all link
 * the same parent.  (libvhdi 20210425 reads an upper-case linkage as the
 * zero GUID and refuses the parent: GUID text is case-insensitive, so
 * that is libvhdi's bug.) */
#include "vhdxtest.h"

int
main (void)
{
  static const char *const forms[] = {
    "{6B1E3F0A-2C4D-4E5F-8A9B-0C1D2E3F4A5B}",
    "{6b1e3f0a-2c4d-4e5f-8a9b-0c1d2e3f4a5b}",
    "6B1E3F0A-2C4D-4e5f-8a9b-0C1D2E3F4A5B",
  };

  test_init (false);
  vx_make_parent ("parent.vhdx", 8 << 20, 512);
  for (size_t i = 0; i < 3; i++) {
    struct vhdxgen_options o = vx_child_options (8 << 20, 512,
                                                 "parent.vhdx");
    struct vhdxgen *g;
    struct disk *d;

    o.parent_linkage = forms[i];
    g = vhdxgen_new (&o);
    vhdxgen_save (g, "child.avhdx");
    vhdxgen_free (g);
    d = test_open ("child.avhdx");
    CHECK (d->backing != NULL);
    disk_close (d);
  }
  return 0;
}
