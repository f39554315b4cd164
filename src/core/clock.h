/* Clocks: real time, or simulated time that runs at a multiple of real time from a chosen
 * start. Modules that model time ask a Clock instead of calling time(); that is what lets a
 * test run an hour of market in a minute. A Clock is set up once and then read-only, so any
 * thread may read it. */
#ifndef FB_CORE_CLOCK_H
#define FB_CORE_CLOCK_H

#include <stdint.h>

typedef struct {
	double speed;          /* simulated ms per real ms; 1 = real time */
	int64_t start_ms;      /* simulated epoch ms at start */
	int64_t start_mono_ms; /* monotonic ms at start */
} Clock;

/* A clock at real time (speed 1, now = the wall clock). */
void clock_init_real(Clock *c);
/* A clock that starts at start_ms and runs speed times faster than real time. */
void clock_init_sim(Clock *c, int64_t start_ms, double speed);
/* The clock's current epoch ms. */
int64_t clock_now(const Clock *c);
/* Real milliseconds until the clock reaches t (0 if it has). */
int64_t clock_real_ms_until(const Clock *c, int64_t t);

#endif
