/* plan_warm.c: warm VMs of a plan: syncs and cutover. */
