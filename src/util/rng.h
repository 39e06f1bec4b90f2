/* rng.h: a small, seeded, reproducible random generator (xoshiro256**); not for secrets. */
#ifndef PHEEDSYNC_RNG_H
#define PHEEDSYNC_RNG_H

#include "util/common.h"

typedef struct rng {
    uint64_t s[4];
} rng;

/* The same seed gives the same sequence on every machine. */
void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t rng_below(rng *r, uint64_t n);
/* Uniform in [0, 1). */
double rng_double(rng *r);
/* True with probability p (p <= 0 never, p >= 1 always). */
bool rng_chance(rng *r, double p);
/* Fills out with n characters drawn from alphabet, then a NUL (out holds n + 1 bytes). */
void rng_string(rng *r, char *out, size_t n, const char *alphabet);

#endif
