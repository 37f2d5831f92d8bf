/* path.h: file names from POSIX and Windows paths, and UTF-16 text, as
 * image formats and VM descriptions store them.  Pure string functions:
 * nothing here touches the file system. */
#ifndef FERRY_UTIL_PATH_H
#define FERRY_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The last component of a POSIX path (the whole string when it has no
 * '/'); points into path. */
const char *path_base_name (const char *path);

/* The last component of a Windows or POSIX path: after the last '\' or
 * '/', or after a drive letter's ':' ("C:parent.vhd").  Points into
 * path. */
const char *path_windows_base_name (const char *path);

/* Whether a Windows path is absolute: a drive letter ("C:...") or a UNC
 * name ("\\server\share"). */
bool path_windows_is_absolute (const char *path);

/* A relative Windows path as a POSIX one: leading ".\" dropped,
 * backslashes turned into slashes.  malloc'd, or NULL with the error
 * set. */
char *path_windows_to_posix (const char *path);

/* UTF-16 to a malloc'd UTF-8 string.  Decoding stops at the first NUL
 * unit or after bytes / 2 units; *units (may be NULL) is the number of
 * units decoded before it stopped.  NULL with the error set ("not valid
 * UTF-16 (lone surrogate 0xD800)") when a surrogate is unpaired. */
char *path_utf16_to_utf8 (const uint8_t *p, size_t bytes, bool big_endian,
                          size_t *units);

#endif
