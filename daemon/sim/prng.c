// SPDX-License-Identifier: GPL-2.0
/*
 * xoshiro256** and splitmix64: see prng.h. Both are short enough to state
 * in full; their constants are the published ones.
 */
#include "prng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void prng_seed(struct prng *g, uint64_t seed, uint64_t stream)
{
	/* Mixing the stream in first keeps nearby streams unrelated. */
	uint64_t x = seed ^ splitmix64(&stream);

	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
}

uint64_t prng_next(struct prng *g)
{
	uint64_t *s = g->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double prng_unit(struct prng *g)
{
	return (double)(prng_next(g) >> 11) * 0x1.0p-53;
}

/* Lemire's multiply-and-reject: unbiased, one draw almost always. */
uint64_t prng_below(struct prng *g, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)prng_next(g) * n;
	uint64_t low = (uint64_t)m;

	if (low < n) {
		uint64_t floor = -n % n;

		while (low < floor) {
			m = (unsigned __int128)prng_next(g) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}
