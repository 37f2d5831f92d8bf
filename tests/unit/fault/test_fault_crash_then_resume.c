/* test_fault_crash_then_resume FORMAT [--long]: a copy killed at any
 * write or flush resumes to a verified target.
 *
 * For every N from 1 until a copy finishes before its Nth write-side
 * call: copy the source into a fresh FORMAT target in a child that loses
 * power at call N, once losing every unsynced write and once with a
 * random part of them (seeded by N) reaching the disk; then every range
 * its checkpoints recorded must read as the source (recorded means
 * durable), a qcow2 target must pass `qemu-img check` (leaks allowed,
 * corruption not), and a second copy of only the unrecorded ranges
 * (target_is_zero false, as a resumed plan runs it) must make the target
 * equal to the source.
 *
 * --long: four times the work ranges, two workers (so the calls
 * interleave differently), four seeds per N, qemu-img check and compare
 * after the resumed copy as well, and for every 16th N the resumed copy is
 * itself crashed at call M (every M up to 8, then ever more sparsely) and
 * resumed again.
 */
#include <string.h>

#include "faulttest.h"

struct ft_case {
  const char *format;
  bool is_long;
  uint64_t size;
  unsigned workers;
};

/* Resume: copy what `recorded` lacks; crash that copy at resume_crash
 * (0 = none).  Returns whether it finished. */
static bool
resume (const struct ft_case *c, range_vector *recorded,
        unsigned long resume_crash, uint64_t seed)
{
  range_vector todo = empty_vector;
  struct ft_run run = {
    .format = c->format, .src = "src.raw", .dst = "dst", .workers = c->workers,
    .target_is_zero = false, .todo = &todo, .crash_at = resume_crash,
    .crash_seed = seed,
  };
  bool finished = true;

  CHECK (range_remaining (recorded, c->size, &todo) == 0);
  if (todo.len > 0)
    finished = ft_run_copy (&run, recorded);
  range_vector_reset (&todo);
  return finished;
}

/* Crash the first copy at call n (see fault_crash_keeps_some for seed),
 * check, resume (crashing the resume at resume_crash, then resuming
 * again).  Returns false when the first copy
 * finished without reaching call n. */
static bool
crash_and_resume (const struct ft_case *c, unsigned long n, uint64_t seed,
                  unsigned long resume_crash, bool *resume_finished)
{
  range_vector recorded = empty_vector;
  struct ft_run run = {
    .format = c->format, .src = "src.raw", .dst = "dst", .workers = c->workers,
    .target_is_zero = true, .crash_at = n, .crash_seed = seed,
  };
  bool crashed;

  unlink (test_printf ("%s/dst", test_dir ()));
  ft_make_target (c->format, "dst", c->size);
  crashed = !ft_run_copy (&run, &recorded);
  if (crashed) {
    ft_check_recorded (c->format, "src.raw", "dst", &recorded, n);
    if (strcmp (c->format, "qcow2") == 0)
      ft_qemu_check ("dst", n);
    *resume_finished = resume (c, &recorded, resume_crash, seed);
    if (!*resume_finished) {
      ft_check_recorded (c->format, "src.raw", "dst", &recorded, n);
      if (strcmp (c->format, "qcow2") == 0)
        ft_qemu_check ("dst", n);
      CHECK (resume (c, &recorded, 0, 0));
    }
  }
  if (c->is_long && strcmp (c->format, "qcow2") == 0)
    ft_qemu_check ("dst", n);
  ft_check_equal (c->format, "src.raw", "dst", c->is_long, n);
  range_vector_reset (&recorded);
  return crashed;
}

int
main (int argc, char **argv)
{
  struct ft_case c = { .workers = 1 };
  unsigned ranges, chunks;
  unsigned long n, points = 0, nested = 0;
  bool resume_finished;

  if (argc < 2 || (strcmp (argv[1], "raw") != 0
                   && strcmp (argv[1], "qcow2") != 0))
    FAIL ("usage: %s raw|qcow2 [--long]", argv[0]);
  c.format = argv[1];
  c.is_long = argc > 2 && strcmp (argv[2], "--long") == 0;
  test_init (strcmp (c.format, "qcow2") == 0 || c.is_long);
  ranges = c.is_long ? 16 : 4;
  chunks = c.is_long ? 6 : 3;
  if (c.is_long)
    c.workers = 2;
  c.size = ranges * FT_WORK;
  ft_make_source ("src.raw", ranges, chunks);

  for (n = 1; crash_and_resume (&c, n, 0, 0, &resume_finished); n++) {
    points++;
    if (c.is_long && n % 50 == 0)
      fprintf (stderr, "%s: crash point %lu\n", c.format, n);
    /* Two workers (long form): a copy may now stop short of call n. */
    for (unsigned s = 0; s < (c.is_long ? 4 : 1); s++)
      crash_and_resume (&c, n, n + 1000 * s, 0, &resume_finished);
    if (c.is_long && n % 16 == 0) {
      for (unsigned long m = 1;; m += 1 + m / 8) {
        if (!crash_and_resume (&c, n, n + m, m, &resume_finished)
            || resume_finished)
          break;
        nested++;
      }
    }
  }
  /* The copy makes writes and flushes: some N must have crashed it. */
  CHECK (points >= 8);
  fprintf (stderr, "%s: %lu crash points, %lu crashed resumes\n", c.format,
           points, nested);
  return 0;
}
