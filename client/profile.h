/*
 * profile.h - load profiles: the shape of the rate over a run, as stages.
 */
#ifndef FP_PROFILE_H
#define FP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* "smoke" etc. to the enum; false if unknown. */
bool		fp_profile_parse(const char *name, fp_profile *out);
const char *fp_profile_name(fp_profile p);

/*
 * Fill cfg->stages (and spike_stage) from the profile, --stages, --rate and
 * --duration.  rate_given/duration_given: whether the user chose them, for
 * the profiles' own defaults.  Returns 0, or -1 with a one-line message.
 */
int			fp_profile_resolve(fp_config *cfg, bool rate_given, bool duration_given,
							   char *err, size_t errlen);

#endif
