/* ova.c: the OVF / OVA source reader; see ova.h.
 *
 * Three parsers, one reader:
 *
 *  - ova_tar_list (ova_tar.c): where each member of the archive lies;
 *  - ovf_manifest_parse (ovf_manifest.c): the digests of the .mf;
 *  - ovf_envelope_parse (ovf_envelope.c): the descriptor, as a VM.
 *
 * The reader (ova_read / ovf_read) ties them: find the descriptor, check
 * every digest of the manifest, map each disk to its file, open it through
 * the window and check that its size is the capacity the descriptor
 * states.  It never writes, never follows a reference out of the package
 * (hrefs must be plain relative names) and never opens the network.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "disk/disk.h"
#include "source/ova.h"
#include "source/ova_internal.h"
#include "util/ascii.h"
#include "util/checked.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/io.h"
#include "util/log.h"
#include "util/path.h"

#define HASH_CHUNK (1024 * 1024)

const char *
ova_printable (const char *s, char *buf, size_t size)
{
  size_t o = 0;

  for (; s && *s && o + 1 < size; s++)
    buf[o++] = (unsigned char) *s >= 0x20 && (unsigned char) *s < 0x7f
      ? *s : '?';
  buf[o] = '\0';
  return buf;
}

/* ------------------------------------------------------------------ */
/* The reader                                                         */
/* ------------------------------------------------------------------ */

struct package {
  const char *what;            /* base name of the .ova / .ovf */
  char *abs;                   /* realpath of the .ova / .ovf */
  char *dir;                   /* OVF: its directory */
  int fd;                      /* OVA: the archive */
  ova_member_vector members;   /* OVA only */
  bool is_ova;
};

static int
fd_read (void *opaque, void *buf, size_t count, uint64_t offset)
{
  struct package *pkg = opaque;
  return io_pread_full (pkg->fd, buf, count, offset, pkg->what);
}

static const struct ova_member *
find_member (const struct package *pkg, const char *name)
{
  for (size_t i = 0; i < pkg->members.len; i++)
    if (strcmp (pkg->members.ptr[i].name, name) == 0)
      return &pkg->members.ptr[i];
  return NULL;
}

/* An href must stay inside the package: a plain relative name, no URL, no
 * "..", nothing absolute. */
static int
check_href (const struct package *pkg, const char *href)
{
  char shown[128];

  if (href[0] == '/' || strstr (href, "://") || strcmp (href, "..") == 0
      || strncmp (href, "../", 3) == 0 || strstr (href, "/../")
      || ascii_suffix (href, "/..") || strchr (href, '\\')) {
    error_set ("%s: %s: file \"%s\" is outside the package (an absolute "
               "path, a URL or \"..\"); ferry reads only files of the "
               "package", pkg->is_ova ? "ova" : "ovf", pkg->what,
               ova_printable (href, shown, sizeof shown));
    return -1;
  }
  return 0;
}

/* A file of the package: for an OVA its member's window of pkg->fd, for an
 * OVF its own fd (*fd_out, to be closed) and the whole file. */
static int
package_open_file (const struct package *pkg, const char *href, int *fd_out,
                   char **path_out, uint64_t *base, uint64_t *length)
{
  char shown[128];
  struct stat st;

  *fd_out = -1;
  if (check_href (pkg, href) == -1)
    return -1;
  if (pkg->is_ova) {
    const struct ova_member *m = find_member (pkg, href);
    if (m == NULL) {
      error_set ("ova: %s: file \"%s\" is not in the archive", pkg->what,
                 ova_printable (href, shown, sizeof shown));
      return -1;
    }
    *base = m->offset;
    *length = m->size;
    if (path_out && (*path_out = strdup (pkg->abs)) == NULL) {
      error_set_errno (errno, "strdup");
      return -1;
    }
    return 0;
  }
  {
    CLEANUP_FREE char *path = NULL;
    CLEANUP_CLOSE int fd = -1;

    if (asprintf (&path, "%s/%s", pkg->dir, href) == -1) {
      path = NULL;
      error_set_errno (errno, "asprintf");
      return -1;
    }
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd == -1) {
      error_set_errno (errno, "ovf: %s: file \"%s\"", pkg->what,
                       ova_printable (href, shown, sizeof shown));
      return -1;
    }
    if (fstat (fd, &st) == -1 || !S_ISREG (st.st_mode)) {
      error_set ("ovf: %s: file \"%s\" is not a regular file", pkg->what,
                 ova_printable (href, shown, sizeof shown));
      return -1;
    }
    *base = 0;
    *length = st.st_size;
    *fd_out = steal_fd (&fd);
    if (path_out)
      *path_out = steal_pointer (&path);
    return 0;
  }
}

/* Read a whole (small) file of the package into memory. */
static int
package_read_small (const struct package *pkg, const char *href,
                    size_t max, char **text, size_t *len)
{
  CLEANUP_CLOSE int fd = -1;
  uint64_t base, length;
  char shown[128];

  if (package_open_file (pkg, href, &fd, NULL, &base, &length) == -1)
    return -1;
  if (length > max) {
    error_set ("%s: %s: \"%s\" is %" PRIu64 " bytes (at most %zu)",
               pkg->is_ova ? "ova" : "ovf", pkg->what,
               ova_printable (href, shown, sizeof shown), length, max);
    return -1;
  }
  *text = malloc (length + 1);
  if (*text == NULL) {
    error_set_errno (errno, "malloc");
    return -1;
  }
  if (io_pread_full (fd >= 0 ? fd : pkg->fd, *text, length, base,
                     pkg->what) == -1) {
    free (*text);
    *text = NULL;
    return -1;
  }
  (*text)[length] = '\0';
  *len = length;
  return 0;
}

static int
package_check_digest (const struct package *pkg, const struct ovf_digest *d,
                      const char *mf)
{
  CLEANUP_CLOSE int fd = -1;
  CLEANUP_FREE uint8_t *buf = NULL;
  uint64_t base, length, done = 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned md_len = 0;
  char hex[2 * EVP_MAX_MD_SIZE + 1], shown[128];
  const EVP_MD *type = strcmp (d->algorithm, "SHA1") == 0 ? EVP_sha1 ()
    : strcmp (d->algorithm, "SHA256") == 0 ? EVP_sha256 () : EVP_sha512 ();
  EVP_MD_CTX *ctx;
  int r = -1;

  if (package_open_file (pkg, d->file, &fd, NULL, &base, &length) == -1) {
    error_prefix ("%s lists it", mf);
    return -1;
  }
  buf = malloc (HASH_CHUNK);
  ctx = EVP_MD_CTX_new ();
  if (buf == NULL || ctx == NULL || EVP_DigestInit_ex (ctx, type, NULL) != 1) {
    error_set ("%s: cannot start a %s digest", pkg->what, d->algorithm);
    goto out;
  }
  while (done < length) {
    size_t n = min_u64 (HASH_CHUNK, length - done);
    if (io_pread_full (fd >= 0 ? fd : pkg->fd, buf, n, base + done,
                       pkg->what) == -1)
      goto out;
    if (EVP_DigestUpdate (ctx, buf, n) != 1) {
      error_set ("%s: %s digest failed", pkg->what, d->algorithm);
      goto out;
    }
    done += n;
  }
  if (EVP_DigestFinal_ex (ctx, md, &md_len) != 1) {
    error_set ("%s: %s digest failed", pkg->what, d->algorithm);
    goto out;
  }
  for (unsigned i = 0; i < md_len; i++)
    snprintf (hex + 2 * i, 3, "%02x", md[i]);
  if (strcmp (hex, d->hex) != 0) {
    error_set ("%s: %s: %s digest mismatch for \"%s\": the manifest says %s, "
               "the file's is %s (corrupt or altered package)",
               pkg->is_ova ? "ova" : "ovf", pkg->what, d->algorithm,
               ova_printable (d->file, shown, sizeof shown), d->hex, hex);
    goto out;
  }
  log_debug ("%s: %s of %s verified", pkg->what, d->algorithm, d->file);
  r = 0;
out:
  EVP_MD_CTX_free (ctx);
  return r;
}

static bool
package_has_file (const struct package *pkg, const char *name)
{
  CLEANUP_FREE char *path = NULL;
  struct stat st;

  if (pkg->is_ova)
    return find_member (pkg, name) != NULL;
  if (asprintf (&path, "%s/%s", pkg->dir, name) == -1) {
    path = NULL;
    return false;
  }
  return lstat (path, &st) == 0;
}

static int
package_check_manifest (const struct package *pkg, const char *ovf_name)
{
  CLEANUP_FREE char *mf = NULL, *text = NULL;
  ovf_digest_vector digests = empty_vector;
  size_t len, n = strlen (ovf_name);
  int r = -1;

  if (asprintf (&mf, "%.*s.mf", (int) (n - 4), ovf_name) == -1) {
    mf = NULL;
    error_set_errno (errno, "asprintf");
    return -1;
  }
  if (!package_has_file (pkg, mf)) {
    log_debug ("%s: no manifest %s: digests not checked", pkg->what, mf);
    return 0;
  }
  if (package_read_small (pkg, mf, OVF_MANIFEST_MAX, &text, &len) == -1
      || ovf_manifest_parse (text, len, mf, &digests) == -1)
    return -1;
  for (size_t i = 0; i < digests.len; i++)
    if (package_check_digest (pkg, &digests.ptr[i], mf) == -1)
      goto out;
  r = 0;
out:
  ovf_digests_free (&digests);
  return r;
}

/* Open each disk as the image layer will, check it against the
 * descriptor, and point the model at it. */
static int
package_open_disks (struct package *pkg, struct ovf_envelope *env,
                    struct vm *vm)
{
  for (size_t i = 0; i < env->vm.disks.len; i++) {
    struct vm_disk *d = &env->vm.disks.ptr[i];
    CLEANUP_CLOSE int fd = -1;
    CLEANUP_FREE char *href = NULL;
    char *path = NULL;
    uint64_t base, length;
    const struct ovf_file *file = NULL;
    struct disk *disk;
    char shown[128];

    for (size_t k = 0; k < env->files.len; k++)
      if (strcmp (env->files.ptr[k].href, d->path) == 0)
        file = &env->files.ptr[k];
    if (package_open_file (pkg, d->path, &fd, &path, &base, &length) == -1)
      return -1;
    href = d->path;
    d->path = path;
    ova_printable (href, shown, sizeof shown);
    if (file && file->has_size && file->size != length) {
      error_set ("%s: %s: file \"%s\" is %" PRIu64 " bytes, but References "
                 "says %" PRIu64 " (truncated or altered package)",
                 pkg->is_ova ? "ova" : "ovf", pkg->what, shown, length,
                 file->size);
      return -1;
    }
    if (pkg->is_ova)
      disk = length == 0 ? NULL
        : disk_open_window (path, base, length, NULL, 0);
    else
      disk = disk_open_window (path, 0, 0, NULL, 0);
    if (disk == NULL) {
      if (length == 0)
        error_set ("ova: %s: disk file \"%s\" is empty", pkg->what, shown);
      else
        error_prefix ("%s: %s: disk file \"%s\"",
                      pkg->is_ova ? "ova" : "ovf", pkg->what, shown);
      return -1;
    }
    if (d->capacity != 0 && d->capacity != disk->size) {
      error_set ("%s: %s: disk file \"%s\" holds a %s image of %" PRIu64
                 " bytes, but the descriptor gives a capacity of %" PRIu64
                 " bytes", pkg->is_ova ? "ova" : "ovf", pkg->what, shown,
                 disk->driver->name, disk->size, d->capacity);
      disk_close (disk);
      return -1;
    }
    d->capacity = disk->size;
    disk_close (disk);
    if (pkg->is_ova) {
      d->file_base = base;
      d->file_length = length;
    }
  }
  /* Hand the model over. */
  *vm = env->vm;
  env->vm = (struct vm) VM_INIT;
  return 0;
}

static int
package_read (struct package *pkg, const char *ovf_name, const char *kind,
              struct vm *vm)
{
  struct ovf_envelope env;
  CLEANUP_FREE char *xml = NULL;
  size_t len;
  int r = -1;

  if (package_read_small (pkg, ovf_name, OVF_DESCRIPTOR_MAX, &xml, &len) == -1
      || ovf_envelope_parse (xml, len, ovf_name, &env) == -1)
    return -1;
  if (package_check_manifest (pkg, ovf_name) == -1
      || package_open_disks (pkg, &env, vm) == -1)
    goto out;
  if (asprintf (&vm->source, "%s:%s", kind, pkg->abs) == -1) {
    vm->source = NULL;
    error_set_errno (errno, "asprintf");
    vm_free (vm);
    goto out;
  }
  r = 0;
out:
  ovf_envelope_free (&env);
  return r;
}

int
ova_read (const char *path, struct vm *vm)
{
  struct package pkg = { .what = path_base_name (path), .fd = -1, .is_ova = true };
  uint8_t magic[6] = { 0 };
  struct stat st;
  const struct ova_member *ovf = NULL;
  int r = -1;

  pkg.abs = realpath (path, NULL);
  if (pkg.abs == NULL) {
    error_set_errno (errno, "ova: %s", path);
    return -1;
  }
  pkg.fd = open (pkg.abs, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (pkg.fd == -1 || fstat (pkg.fd, &st) == -1) {
    error_set_errno (errno, "ova: %s", path);
    goto out;
  }
  if (!S_ISREG (st.st_mode)) {
    error_set ("ova: %s: not a regular file", path);
    goto out;
  }
  if (st.st_size >= 6 && io_pread_full (pkg.fd, magic, 6, 0, path) == -1)
    goto out;
  if ((magic[0] == 0x1f && magic[1] == 0x8b)
      || memcmp (magic, "\xfd" "7zXZ", 5) == 0
      || memcmp (magic, "BZh", 3) == 0
      || memcmp (magic, "\x28\xb5\x2f\xfd", 4) == 0) {
    error_set ("ova: %s: the OVA is compressed (%s); an OVA is a plain tar "
               "archive: decompress it first", pkg.what,
               magic[0] == 0x1f ? "gzip" : magic[0] == 0xfd ? "xz"
               : magic[0] == 'B' ? "bzip2" : "zstd");
    goto out;
  }
  if (ova_tar_list (fd_read, &pkg, st.st_size, pkg.what, &pkg.members) == -1)
    goto out;
  for (size_t i = 0; i < pkg.members.len; i++) {
    const struct ova_member *m = &pkg.members.ptr[i];
    if (!ascii_suffix (m->name, ".ovf") || strchr (m->name, '/'))
      continue;
    if (ovf) {
      error_set ("ova: %s: two descriptors (\"%s\" and \"%s\"); an OVA holds "
                 "one VM", pkg.what, ovf->name, m->name);
      goto out;
    }
    ovf = m;
    if (i != 0)
      log_debug ("ova: %s: the descriptor %s is member %zu, not the first "
                 "as OVF requires", pkg.what, m->name, i + 1);
  }
  if (ovf == NULL) {
    error_set ("ova: %s: no .ovf descriptor in the archive (%zu members)",
               pkg.what, pkg.members.len);
    goto out;
  }
  for (size_t i = 0; i < pkg.members.len; i++)
    if (ascii_suffix (pkg.members.ptr[i].name, ".cert"))
      log_debug ("ova: %s: certificate %s not checked", pkg.what,
                 pkg.members.ptr[i].name);
  r = package_read (&pkg, ovf->name, "ova", vm);

out:
  if (pkg.fd >= 0)
    close (pkg.fd);
  ova_members_free (&pkg.members);
  free (pkg.abs);
  return r;
}

int
ovf_read (const char *path, struct vm *vm)
{
  struct package pkg = { .what = path_base_name (path), .fd = -1 };
  char *slash;
  int r = -1;

  pkg.abs = realpath (path, NULL);
  if (pkg.abs == NULL) {
    error_set_errno (errno, "ovf: %s", path);
    return -1;
  }
  slash = strrchr (pkg.abs, '/');
  pkg.dir = slash == pkg.abs ? strdup ("/")
    : strndup (pkg.abs, slash - pkg.abs);
  if (pkg.dir == NULL) {
    error_set_errno (errno, "strdup");
    goto out;
  }
  if (!ascii_suffix (pkg.abs, ".ovf")) {
    error_set ("ovf: %s: expected a .ovf descriptor", path);
    goto out;
  }
  r = package_read (&pkg, path_base_name (pkg.abs), "ovf", vm);

out:
  free (pkg.dir);
  free (pkg.abs);
  return r;
}
