/*
 * drill_cleanup.h - undoing everything the drill made.
 */
#ifndef FP_DRILL_CLEANUP_H
#define FP_DRILL_CLEANUP_H

#include "drill_state.h"

/*
 * End the load child and the proxy, stop every server the drill started
 * and remove its directory; with --keep, leave directory and servers and
 * say where they are.  Safe after a failure at any point, and after
 * SIGINT/SIGTERM (it waits even though the drill was interrupted).
 */
void		fp_cleanup(fp_drill *d);

#endif
