/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's random numbers: xoshiro256** seeded through splitmix64,
 * written here from their published definitions (Blackman and Vigna), so
 * that a seed gives the same stream on every libc and every machine.
 * Every random stream of a run is its own generator, derived from the run's
 * seed and a stream number, so that adding draws to one part of the model
 * (say, a new workload class) does not reshuffle the others.
 */
#ifndef GHOST_SIM_PRNG_H
#define GHOST_SIM_PRNG_H

#include <stdint.h>

struct prng {
	uint64_t s[4];
};

/* The generator for stream @stream of a run seeded with @seed. */
void prng_seed(struct prng *g, uint64_t seed, uint64_t stream);
uint64_t prng_next(struct prng *g);
/* Uniform in [0, 1), 53 bits. */
double prng_unit(struct prng *g);
/* Uniform in [0, n); @n > 0. */
uint64_t prng_below(struct prng *g, uint64_t n);

#endif /* GHOST_SIM_PRNG_H */
