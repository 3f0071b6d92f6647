/* include/lib/random.h — a seeded pseudo-random generator (xorshift64*)
 * for selftests, fault injection and benchmarks: fast, the same sequence
 * for the same seed on every run (so a failure reproduces), and not for
 * anything that must be unpredictable.  The state must start non-zero.
 * Header-only so host tests can use it as they are.
 */
#ifndef LIB_RANDOM_H
#define LIB_RANDOM_H

#include <tessera/types.h>

static inline u64 xorshift64s(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

#endif
