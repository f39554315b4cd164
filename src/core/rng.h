/* Deterministic random numbers: xoshiro256** seeded through splitmix64. The same seed gives
 * the same sequence on every machine. A Rng belongs to one thread. */
#ifndef FB_CORE_RNG_H
#define FB_CORE_RNG_H

#include <stdint.h>

typedef struct {
	uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);
/* Uniform in [0, 1). */
double rng_uniform(Rng *r);
/* Standard normal (Box-Muller, no cached pair, so the stream stays simple to reason about). */
double rng_normal(Rng *r);
/* Student t with nu degrees of freedom scaled to unit variance (nu > 2): heavy tails. */
double rng_student(Rng *r, double nu);
/* A 64-bit hash of a string, for deriving per-name seeds. */
uint64_t rng_hash(const char *s);

#endif
