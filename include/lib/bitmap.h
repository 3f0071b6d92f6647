/* include/lib/bitmap.h — bit arrays of unsigned long words (lib/bitmap.c).
 *
 * Bit nr lives in word nr / BITS_PER_LONG at position nr % BITS_PER_LONG.
 * set_bit/clear_bit/test_and_set_bit/test_and_clear_bit are atomic (locked
 * read-modify-write, full barrier) and may race with each other on the same
 * word; the __-prefixed variants are plain stores for bitmaps the caller
 * owns or locks.  The find_* functions read without locking; against
 * concurrent writers their answer is a snapshot per word.  They return
 * @size when nothing is found.  Bits past @size in the last word are never
 * reported, whatever they hold.
 */
#ifndef LIB_BITMAP_H
#define LIB_BITMAP_H

#include <tessera/compiler.h>

#define BITS_PER_LONG		64
#define BITS_TO_LONGS(n)	DIV_ROUND_UP((n), BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return (READ_ONCE(map[BIT_WORD(nr)]) & BIT_MASK(nr)) != 0;
}

static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, unsigned long *map)
{
	map[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline void set_bit(unsigned long nr, unsigned long *map)
{
	__atomic_fetch_or(&map[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST);
}

static inline void clear_bit(unsigned long nr, unsigned long *map)
{
	__atomic_fetch_and(&map[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_SEQ_CST);
}

/* Atomically set bit @nr; returns its previous value. */
static inline bool test_and_set_bit(unsigned long nr, unsigned long *map)
{
	return (__atomic_fetch_or(&map[BIT_WORD(nr)], BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) & BIT_MASK(nr)) != 0;
}

/* Atomically clear bit @nr; returns its previous value. */
static inline bool test_and_clear_bit(unsigned long nr, unsigned long *map)
{
	return (__atomic_fetch_and(&map[BIT_WORD(nr)], ~BIT_MASK(nr),
				   __ATOMIC_SEQ_CST) & BIT_MASK(nr)) != 0;
}

/* Index of the first set (zero) bit at or after @start, or @size. */
unsigned long find_next_bit(const unsigned long *map, unsigned long size,
			    unsigned long start);
unsigned long find_next_zero_bit(const unsigned long *map, unsigned long size,
				 unsigned long start);

static inline unsigned long find_first_bit(const unsigned long *map,
					   unsigned long size)
{
	return find_next_bit(map, size, 0);
}

static inline unsigned long find_first_zero_bit(const unsigned long *map,
						unsigned long size)
{
	return find_next_zero_bit(map, size, 0);
}

#define for_each_set_bit(bit, map, size)                                   \
	for ((bit) = find_first_bit(map, size); (bit) < (size);           \
	     (bit) = find_next_bit(map, size, (bit) + 1))

/* Whole-bitmap helpers (not atomic). */
void bitmap_zero(unsigned long *map, unsigned long nbits);
void bitmap_fill(unsigned long *map, unsigned long nbits);
/* Set / clear the @len bits starting at @start. */
void bitmap_set(unsigned long *map, unsigned long start, unsigned long len);
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long len);
/* Number of set bits among the first @nbits. */
unsigned long bitmap_weight(const unsigned long *map, unsigned long nbits);

#endif
