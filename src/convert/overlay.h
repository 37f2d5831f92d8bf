/* overlay.h: a transactional qcow2 overlay over a copied disk.
 *
 * Guest adaptation changes a disk that took hours to copy; it must either
 * change it completely or not at all.  So the changes go into a qcow2 v3
 * overlay whose backing file is the disk (the base), and reach the base
 * only when the whole adaptation succeeded:
 *
 *   overlay_create ──► changes written into the overlay ──► overlay_commit
 *                                         │
 *                                         └──► overlay_discard (base as it was)
 *
 * Until overlay_commit nothing writes to the base.  overlay_commit copies
 * every extent the overlay itself holds (data, and zero clusters: ranges
 * the overlay says read as zeros) to the same offsets of the base, flushes
 * the base, and only then removes the overlay.  The overlay is only read
 * while committing, so a commit that was killed or failed half-way is
 * finished by committing again from the same overlay: it writes the same
 * bytes to the same places, and every range of the base that the overlay
 * does not hold is never touched (docs/test-boot.md).
 *
 * Must never: write to the base outside overlay_commit, remove an overlay
 * whose contents have not been flushed into the base, or overwrite an
 * existing overlay (it may hold a commit still to be finished).
 */
#ifndef FERRY_CONVERT_OVERLAY_H
#define FERRY_CONVERT_OVERLAY_H

/* Create overlay_path, a qcow2 v3 image as large as the base whose backing
 * file is base_path (recorded as an absolute path) in base_format (NULL =
 * probed now, and recorded).  Fails when overlay_path exists, and when
 * ferry cannot write the base's format (only raw and qcow2 are).  0, or
 * -1 with the error set. */
int overlay_create (const char *base_path, const char *base_format,
                    const char *overlay_path);

/* Write what the overlay holds into its base, flush the base, remove the
 * overlay.  Safe to repeat after a failure or a kill.  0, or -1 with the
 * error set (the overlay is then kept). */
int overlay_commit (const char *overlay_path);

/* Remove the overlay; the base stays as it was.  An overlay that does not
 * exist is not an error.  0, or -1 with the error set. */
int overlay_discard (const char *overlay_path);

#endif
