/*
 * profile.c - what each load profile means, in stages.
 *
 * The tiers teams test in, with defaults that fit a first try:
 *   smoke   10 s at 100/s (or --rate): does it work at all
 *   load    a 10 s ramp from a tenth of the target to the target (--rate,
 *           default 8000), then the target for --duration (default 60 s)
 *   stress  steps of --stage-seconds (10 s), from --rate (default 1000) up
 *           by half each step to --max-rate; the run stops after the first
 *           step that misses an objective (stages.c decides)
 *   spike   20 s at --rate (default 1000), 10 s at four times it, 30 s back
 *           at --rate: how long until latency recovers
 * --stages replaces the shape; with --profile stress it is the ladder.
 */
#include "profile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *names[] = {"", "smoke", "load", "stress", "spike"};

bool
fp_profile_parse(const char *name, fp_profile *out)
{
	for (int i = 1; i < (int) (sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(name, names[i]) == 0)
		{
			*out = (fp_profile) i;
			return true;
		}
	return false;
}

const char *
fp_profile_name(fp_profile p)
{
	return p == FP_PROFILE_NONE ? "custom" : names[p];
}

static void
add(fp_config *cfg, double seconds, double from, double to)
{
	fp_stage   *st = &cfg->stages[cfg->nstages++];

	st->duration_s = seconds;
	st->from = from;
	st->to = to;
}

static int
stress_ladder(fp_config *cfg, double start, char *err, size_t errlen)
{
	if (cfg->max_rate < start)
	{
		snprintf(err, errlen, "--max-rate %g is below the starting rate %g", cfg->max_rate, start);
		return -1;
	}
	for (double r = start; r <= cfg->max_rate * 1.0001 && cfg->nstages < FP_MAX_STAGES; r *= 1.5)
		add(cfg, cfg->stage_s, round(r), round(r));
	return 0;
}

/*
 * The run's target rate, for the summary, the ledger header and the check
 * of writes per connection: the highest the stages ask for (a load profile's
 * hold rate, a spike's burst), not the first stage's start.
 */
static double
peak_rate(const fp_config *cfg)
{
	double		peak = 0;

	for (int i = 0; i < cfg->nstages; i++)
		peak = fmax(peak, fmax(cfg->stages[i].from, cfg->stages[i].to));
	return peak;
}

int
fp_profile_resolve(fp_config *cfg, bool rate_given, bool duration_given,
				   char *err, size_t errlen)
{
	double		r = cfg->rate;

	cfg->nstages = 0;
	cfg->spike_stage = -1;
	if (cfg->stages_text)
	{
		int			n;

		if (duration_given || (rate_given && cfg->profile != FP_PROFILE_STRESS))
		{
			snprintf(err, errlen, "--stages gives the rates and durations; leave out --rate and --duration");
			return -1;
		}
		n = fp_stages_parse(cfg->stages_text, cfg->stages, FP_MAX_STAGES, err, errlen);
		if (n < 0)
			return -1;
		cfg->nstages = n;
		if (cfg->profile == FP_PROFILE_SPIKE)
			for (int i = 1; i < n; i++)
				if (cfg->spike_stage < 0 || cfg->stages[i].to > cfg->stages[cfg->spike_stage].to)
					cfg->spike_stage = i;
		cfg->rate = peak_rate(cfg);
		return 0;
	}
	if (cfg->profile != FP_PROFILE_NONE && rate_given && r <= 0)
	{
		snprintf(err, errlen, "--profile %s needs a --rate above 0", fp_profile_name(cfg->profile));
		return -1;
	}
	switch (cfg->profile)
	{
		case FP_PROFILE_NONE:
			if (r > 0)
				add(cfg, cfg->duration_s, r, r);
			return 0;
		case FP_PROFILE_SMOKE:
			add(cfg, duration_given ? cfg->duration_s : 10, rate_given ? r : 100, rate_given ? r : 100);
			break;
		case FP_PROFILE_LOAD:
			r = rate_given ? r : 8000;
			add(cfg, 10, r / 10, r);
			add(cfg, duration_given ? cfg->duration_s : 60, r, r);
			break;
		case FP_PROFILE_STRESS:
			if (duration_given)
			{
				snprintf(err, errlen, "a stress run ends at its breaking point: use --stage-seconds and --max-rate, not --duration");
				return -1;
			}
			if (stress_ladder(cfg, rate_given ? r : 1000, err, errlen) != 0)
				return -1;
			break;
		case FP_PROFILE_SPIKE:
			r = rate_given ? r : 1000;
			add(cfg, 20, r, r);
			add(cfg, 10, 4 * r, 4 * r);
			add(cfg, duration_given ? cfg->duration_s : 30, r, r);
			cfg->spike_stage = 1;
			break;
	}
	cfg->rate = peak_rate(cfg);
	return 0;
}
