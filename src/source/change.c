/* change.c: what every warm source shares (see change.h). */
