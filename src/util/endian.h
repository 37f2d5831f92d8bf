/* endian.h: reading and writing little- and big-endian integers at any
 * (unaligned) address of an on-disk structure.  Every format driver
 * converts through these, never by casting a pointer into a buffer. */
#ifndef FERRY_UTIL_ENDIAN_H
#define FERRY_UTIL_ENDIAN_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#define ENDIAN_DEFINE(bits)                                             \
  static inline uint##bits##_t                                          \
  get_le##bits (const uint8_t *p)                                       \
  {                                                                     \
    uint##bits##_t v;                                                   \
    memcpy (&v, p, sizeof v);                                           \
    return le##bits##toh (v);                                           \
  }                                                                     \
  static inline uint##bits##_t                                          \
  get_be##bits (const uint8_t *p)                                       \
  {                                                                     \
    uint##bits##_t v;                                                   \
    memcpy (&v, p, sizeof v);                                           \
    return be##bits##toh (v);                                           \
  }                                                                     \
  static inline void                                                    \
  put_le##bits (uint8_t *p, uint##bits##_t v)                           \
  {                                                                     \
    v = htole##bits (v);                                                \
    memcpy (p, &v, sizeof v);                                           \
  }                                                                     \
  static inline void                                                    \
  put_be##bits (uint8_t *p, uint##bits##_t v)                           \
  {                                                                     \
    v = htobe##bits (v);                                                \
    memcpy (p, &v, sizeof v);                                           \
  }

ENDIAN_DEFINE (16)
ENDIAN_DEFINE (32)
ENDIAN_DEFINE (64)

#undef ENDIAN_DEFINE

#endif
