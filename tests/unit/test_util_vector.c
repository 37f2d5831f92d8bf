/* A typed vector grows past its initial capacity and keeps its elements. */
#include <stdint.h>

#include "test.h"
#include "util/vector.h"

DEFINE_VECTOR_TYPE (int_vector, int);

int
main (void)
{
  int_vector v = empty_vector;

  for (int i = 0; i < 1000; i++)
    CHECK (int_vector_append (&v, i * 3) == 0);
  CHECK (v.len == 1000);
  CHECK (v.cap >= 1000);
  for (int i = 0; i < 1000; i++)
    CHECK (v.ptr[i] == i * 3);
  int_vector_reset (&v);
  CHECK (v.ptr == NULL && v.len == 0);
  /* an impossible reservation fails cleanly */
  CHECK (int_vector_reserve (&v, SIZE_MAX / 2) == -1);
  CHECK (error_message ()[0] != '\0');
  return 0;
}
