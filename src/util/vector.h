/* vector.h: typed growable arrays.
 *
 *   DEFINE_VECTOR_TYPE (extent_vector, struct extent);
 *   extent_vector v = empty_vector;
 *   if (extent_vector_append (&v, e) == -1) ...   // error set
 *   for (size_t i = 0; i < v.len; i++) ... v.ptr[i] ...
 *   free (v.ptr);
 */
#ifndef FERRY_UTIL_VECTOR_H
#define FERRY_UTIL_VECTOR_H

#include <stddef.h>
#include <stdlib.h>

int vector_reserve_generic (void **ptr, size_t *cap, size_t len, size_t n,
                            size_t item_size);

#define empty_vector { .ptr = NULL, .len = 0, .cap = 0 }

#define DEFINE_VECTOR_TYPE(name, type)                                       \
  typedef struct {                                                           \
    type *ptr;                                                               \
    size_t len;                                                              \
    size_t cap;                                                              \
  } name;                                                                    \
  static inline int __attribute__ ((unused))                                 \
  name##_reserve (name *v, size_t n)                                         \
  {                                                                          \
    return vector_reserve_generic ((void **) &v->ptr, &v->cap, v->len, n,    \
                                   sizeof (type));                           \
  }                                                                          \
  static inline int __attribute__ ((unused))                                 \
  name##_append (name *v, type elem)                                         \
  {                                                                          \
    if (v->len >= v->cap && name##_reserve (v, 1) == -1)                     \
      return -1;                                                             \
    v->ptr[v->len++] = elem;                                                 \
    return 0;                                                                \
  }                                                                          \
  static inline void __attribute__ ((unused))                                \
  name##_reset (name *v)                                                     \
  {                                                                          \
    free (v->ptr);                                                           \
    v->ptr = NULL;                                                           \
    v->len = v->cap = 0;                                                     \
  }

#endif
