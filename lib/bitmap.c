/* lib/bitmap.c — searching and bulk updates of bit arrays
 * (include/lib/bitmap.h).
 *
 * Searches go one word at a time: the first word is masked below @start,
 * each candidate word is tested as a whole, and the answer inside a word
 * comes from __builtin_ctzl (an inline bsf/tzcnt).  Bits past @size are ignored by
 * clamping the result, so callers may leave garbage in the tail of the
 * last word.  Nothing here locks; the atomic single-bit operations are
 * inline in the header.
 */
#include <lib/bitmap.h>

/* Shared walk: @invert is ~0UL to search for zero bits, 0 for set bits. */
static unsigned long find_next(const unsigned long *map, unsigned long size,
			       unsigned long start, unsigned long invert)
{
	unsigned long word, idx;

	if (start >= size)
		return size;
	idx = BIT_WORD(start);
	word = (READ_ONCE(map[idx]) ^ invert) & (~0UL << (start % BITS_PER_LONG));
	while (!word) {
		if (++idx >= BITS_TO_LONGS(size))
			return size;
		word = READ_ONCE(map[idx]) ^ invert;
	}
	start = idx * BITS_PER_LONG + (unsigned long)__builtin_ctzl(word);
	return start < size ? start : size;
}

unsigned long find_next_bit(const unsigned long *map, unsigned long size,
			    unsigned long start)
{
	return find_next(map, size, start, 0);
}

unsigned long find_next_zero_bit(const unsigned long *map, unsigned long size,
				 unsigned long start)
{
	return find_next(map, size, start, ~0UL);
}

void bitmap_zero(unsigned long *map, unsigned long nbits)
{
	for (unsigned long i = 0; i < BITS_TO_LONGS(nbits); i++)
		map[i] = 0;
}

void bitmap_fill(unsigned long *map, unsigned long nbits)
{
	for (unsigned long i = 0; i < BITS_TO_LONGS(nbits); i++)
		map[i] = ~0UL;
}

/* Population count without libgcc (the kernel links none): SWAR sums of
 * 2, 4 and 8 bits, then one multiply adds the bytes. */
static unsigned long popcount(unsigned long w)
{
	w = w - ((w >> 1) & 0x5555555555555555UL);
	w = (w & 0x3333333333333333UL) + ((w >> 2) & 0x3333333333333333UL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (w * 0x0101010101010101UL) >> 56;
}

/* Mask of bits [lo, hi) within one word; 0 <= lo < hi <= BITS_PER_LONG. */
static unsigned long range_mask(unsigned long lo, unsigned long hi)
{
	unsigned long upper = hi == BITS_PER_LONG ? ~0UL : (1UL << hi) - 1;

	return upper & (~0UL << lo);
}

static void update_range(unsigned long *map, unsigned long start,
			 unsigned long len, bool set)
{
	unsigned long end = start + len;

	while (start < end) {
		unsigned long lo = start % BITS_PER_LONG;
		unsigned long hi = MIN(BITS_PER_LONG, lo + (end - start));
		unsigned long mask = range_mask(lo, hi);

		if (set)
			map[BIT_WORD(start)] |= mask;
		else
			map[BIT_WORD(start)] &= ~mask;
		start += hi - lo;
	}
}

void bitmap_set(unsigned long *map, unsigned long start, unsigned long len)
{
	update_range(map, start, len, true);
}

void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len)
{
	update_range(map, start, len, false);
}

unsigned long bitmap_weight(const unsigned long *map, unsigned long nbits)
{
	unsigned long n = 0, i, full = nbits / BITS_PER_LONG;

	for (i = 0; i < full; i++)
		n += popcount(map[i]);
	if (nbits % BITS_PER_LONG)
		n += popcount(map[i] & range_mask(0, nbits % BITS_PER_LONG));
	return n;
}
