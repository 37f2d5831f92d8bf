/* validate_warm.c: the rules a warm source must pass. */
