/* usr/libc/threads.c — pthreads over clone and futex (glibc and musl
 * builds) with SSE/AVX in every thread (LESSONS 9): 16 threads each run
 * string functions (the libc's vectorised strlen/memcpy/memcmp/strchr)
 * and double-precision math on
 * their own data, take a shared mutex and a condition variable, and check
 * their results; the main thread joins them all and prints a digest that
 * must equal the host's. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 16
#define ROUNDS 300

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long total, arrived;
static int errors;

static unsigned long work(int id)
{
	char *a = malloc(4096), *b = malloc(4096);
	unsigned long sum = 0;
	double x = id + 1.0;

	for (int r = 0; r < ROUNDS; r++) {
		int n = 100 + (id * 37 + r * 11) % 3000;

		memset(a, 'a' + (id + r) % 26, n);
		a[n] = '\0';
		memcpy(b, a, n + 1);
		if (strlen(b) != (size_t)n || memcmp(a, b, n) ||
		    strchr(b, 'A') != NULL)
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
		for (int k = 0; k < 20; k++)
			x = x * 1.0000001 + 0.5 / (k + 1);
		sum += n + (unsigned long)(x * 1000) % 7;
	}
	free(a);
	free(b);
	return sum;
}

static void *thread_main(void *arg)
{
	int id = (int)(long)arg;
	unsigned long s = work(id);

	pthread_mutex_lock(&lock);
	total += s;
	arrived++;
	pthread_cond_broadcast(&cond);
	while (arrived < NTHREADS)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return (void *)s;
}

int main(void)
{
	pthread_t t[NTHREADS];
	unsigned long check = 0;

	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, thread_main, (void *)i)) {
			printf("pthread_create failed\n");
			return 1;
		}
	for (int i = 0; i < NTHREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		check += (unsigned long)r;
	}
	printf("threads %d rounds %d total %ld check %lu errors %d\n",
	       NTHREADS, ROUNDS, total, check, errors);
	return errors || check != (unsigned long)total;
}
