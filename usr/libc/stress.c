/* usr/libc/stress.c — the mixed-load program (glibc and musl
 * builds): 16 threads, each running `rounds` rounds (argv[1], default 16) of
 *   - malloc/free of random small and medium blocks, filled and checked;
 *   - realloc of one buffer through sizes up to 2 MiB (large blocks live
 *     in their own mappings, so the libc grows them with mremap);
 *   - an anonymous mmap, filled, mremap'ed larger with MREMAP_MAYMOVE,
 *     checked at its new address, then partly munmap'ed and freed;
 *   - mutex-protected updates of shared counters (futex wait/wake under
 *     contention) and a condition-variable barrier every 16 rounds;
 *   - the libc's vectorised memcpy/memcmp/memchr/strlen over the data.
 * Every check failure is counted; the main thread prints per-thread
 * digests in thread order and a verdict, so the output is the same on
 * every run and on the host.  Exit status 1 on any failure.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define NTHREADS 16
#define SLOTS 32

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static unsigned long shared_sum, barrier_gen, barrier_in;
static int failures, rounds = 16;
static uint64_t digest[NTHREADS];

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

static void fail(int id, const char *what)
{
	pthread_mutex_lock(&lock);
	failures++;
	pthread_mutex_unlock(&lock);
	fprintf(stderr, "thread %d: %s\n", id, what);
}

static void barrier(void)
{
	pthread_mutex_lock(&lock);
	unsigned long gen = barrier_gen;

	if (++barrier_in == NTHREADS) {
		barrier_in = 0;
		barrier_gen++;
		pthread_cond_broadcast(&turn);
	} else {
		while (gen == barrier_gen)
			pthread_cond_wait(&turn, &lock);
	}
	pthread_mutex_unlock(&lock);
}

/* Small and medium blocks: allocate, fill, verify a neighbour, free. */
static uint64_t churn(int id, uint64_t *rng, char **slot, size_t *len)
{
	uint64_t h = 0;

	for (int i = 0; i < 64; i++) {
		int k = next(rng) % SLOTS;

		if (slot[k]) {
			char want = (char)(k + id);

			if (memchr(slot[k], want ^ 0x55, len[k]) ||
			    slot[k][len[k] - 1] != want)
				fail(id, "malloc block corrupted");
			h = mix(h, len[k]);
			free(slot[k]);
			slot[k] = NULL;
			continue;
		}
		len[k] = 1 + next(rng) % (next(rng) & 1 ? 200 : 70000);
		slot[k] = malloc(len[k]);
		if (!slot[k]) {
			fail(id, "malloc failed");
			continue;
		}
		memset(slot[k], (char)(k + id), len[k]);
	}
	return h;
}

/* Grow one buffer by realloc, checking the preserved prefix each time. */
static uint64_t grow(int id, int round, char **buf, size_t *size)
{
	size_t to = (size_t)(64 << 10) << (round % 6);	/* 64 KiB .. 2 MiB */
	char *n;

	if (to <= *size)
		to = *size + 4096;
	if (to > (4u << 20)) {
		free(*buf);
		*buf = NULL;
		*size = 0;
		to = 64 << 10;
	}
	n = realloc(*buf, to);
	if (!n) {
		fail(id, "realloc failed");
		return 0;
	}
	for (size_t i = 0; i < *size; i += 4093)
		if (n[i] != (char)(i / 4093 + id))
			fail(id, "realloc lost data");
	for (size_t i = *size; i < to; i++)
		n[i] = (char)(i / 4093 + id);
	*buf = n;
	*size = to;
	return mix(to, (unsigned char)n[to - 1]);
}

/* Map, fill, move larger with mremap, check, unmap the head, then all. */
static uint64_t remap(int id, uint64_t *rng)
{
	size_t pages = 4 + next(rng) % 60, ps = 4096;
	uint64_t *p, *q, h = 0;

	p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail(id, "mmap failed");
		return 0;
	}
	for (size_t i = 0; i < pages * ps / 8; i += 64)
		p[i] = i * 31 + id;
	q = mremap(p, pages * ps, 2 * pages * ps, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		fail(id, "mremap failed");
		munmap(p, pages * ps);
		return 0;
	}
	for (size_t i = 0; i < pages * ps / 8; i += 64)
		if (q[i] != i * 31 + id)
			fail(id, "mremap lost data");
	for (size_t i = pages * ps / 8; i < 2 * pages * ps / 8; i += 64)
		if (q[i])
			fail(id, "mremap tail not zero");
	h = mix(h, q[(pages - 1) * ps / 8]);
	if (munmap(q, ps) || munmap((char *)q + ps, (2 * pages - 1) * ps))
		fail(id, "munmap failed");
	return mix(h, pages);
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint64_t rng = 0x9e3779b97f4a7c15ull * (id + 1), h = id;
	char *slot[SLOTS] = { 0 }, *buf = NULL, text[256];
	size_t len[SLOTS] = { 0 }, size = 0;

	for (int r = 0; r < rounds; r++) {
		h = mix(h, churn(id, &rng, slot, len));
		h = mix(h, grow(id, r, &buf, &size));
		h = mix(h, remap(id, &rng));
		memset(text, 'a' + (id + r) % 26, sizeof(text) - 1);
		text[sizeof(text) - 1 - r] = 0;
		h = mix(h, strlen(text));
		for (int i = 0; i < 50; i++) {
			pthread_mutex_lock(&lock);
			shared_sum += id + i;
			pthread_mutex_unlock(&lock);
		}
		if (r % 16 == 15)
			barrier();
	}
	for (int k = 0; k < SLOTS; k++)
		free(slot[k]);
	free(buf);
	digest[id] = h;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	unsigned long want = 0;

	if (argc > 1 && atoi(argv[1]) > 0)
		rounds = atoi(argv[1]);

	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i)) {
			printf("pthread_create failed\n");
			return 1;
		}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (int id = 0; id < NTHREADS; id++)
		for (int r = 0; r < rounds; r++)
			for (int i = 0; i < 50; i++)
				want += id + i;
	for (int i = 0; i < NTHREADS; i++)
		printf("thread %2d digest %016llx\n", i,
		       (unsigned long long)digest[i]);
	printf("shared sum %s\n", shared_sum == want ? "ok" : "WRONG");
	printf("stress: %s\n", failures || shared_sum != want ? "FAIL" : "ok");
	return failures || shared_sum != want;
}
