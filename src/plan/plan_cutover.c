/* plan_cutover.c: cutover requests of warm plans. */
