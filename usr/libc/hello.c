/* usr/libc/hello.c — a static libc program (glibc and musl builds):
 * stdio, malloc, sysconf and a file under /proc, as an ordinary program
 * uses them before and after main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	(void)argv;
	char *buf = malloc(100000);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	int have_name = 0;

	memset(buf, 'x', 100000);
	printf("hello from libc, argc %d, malloc %s\n", argc,
	       buf[99999] == 'x' ? "ok" : "bad");
	printf("cpus online %s\n", cpus >= 1 ? "ok" : "bad");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Name:", 5))
			have_name = 1;
	printf("/proc/self/status %s\n", have_name ? "ok" : "bad");
	free(buf);
	for (int i = 0; i < 3; i++) {
		char *p = malloc(1 << 20);

		p[0] = p[(1 << 20) - 1] = 1;
		free(p);
	}
	printf("big mallocs ok\n");
	return 0;
}
