/*
 * drill_secret.h - the password of the drill's throwaway cluster.
 */
#ifndef FP_DRILL_SECRET_H
#define FP_DRILL_SECRET_H

#include <stddef.h>

#include "drill_state.h"

/*
 * Make a random password for the bootstrap superuser and write it twice
 * into the drill's directory, mode 0600, owned by the servers' user: as
 * initdb's --pwfile (d->pwfile) and as a libpq password file (d->passfile)
 * that every connection of the drill names.  0, or -1 with err.
 */
int			fp_secret_make(fp_drill *d, char *err, size_t errlen);

/* Remove initdb's password file once initdb is done. */
void		fp_secret_drop_pwfile(fp_drill *d);

#endif
