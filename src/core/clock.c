/* Real and accelerated clocks. */
#include "core/clock.h"

#include "core/timeutil.h"

void clock_init_real(Clock *c)
{
	clock_init_sim(c, fb_now_ms(), 1.0);
}

void clock_init_sim(Clock *c, int64_t start_ms, double speed)
{
	c->speed = speed > 0 ? speed : 1.0;
	c->start_ms = start_ms;
	c->start_mono_ms = fb_mono_ms();
}

int64_t clock_now(const Clock *c)
{
	return c->start_ms + (int64_t)((double)(fb_mono_ms() - c->start_mono_ms) * c->speed);
}

int64_t clock_real_ms_until(const Clock *c, int64_t t)
{
	int64_t d = t - clock_now(c);
	return d <= 0 ? 0 : (int64_t)((double)d / c->speed) + 1;
}
