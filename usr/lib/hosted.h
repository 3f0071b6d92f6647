/* usr/lib/hosted.h — the hosted half of usr/lib/nolibc.h, included by it
 * (only) when a test program is built against a libc: usr/abi.mk's
 * g_t_NAME (static glibc) and m_t_NAME (static musl) builds of
 * usr/tests/t_NAME.c.
 *
 * The libc's _start runs first and calls main; before main, the
 * constructor below checks that the libc's startup left a working
 * process: the thread pointer set (arch_prctl ARCH_SET_FS, %fs:0 pointing
 * at itself as the x86-64 TLS ABI has it), the initialised TLS image
 * copied (a __thread variable holds its initial value), errno (a TLS
 * variable) set by a failing libc call, malloc working.  It registers an
 * atexit handler that prints one line through stdio, so the test's output
 * only matches the host's when exit() ran the handler and flushed stdout.
 * A failed check prints FAIL with raw write(2) and exits 1, as CHECK does.
 */
#ifndef USR_HOSTED_H
#define USR_HOSTED_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef __GLIBC__
#define HOSTED_LIBC "glibc"
#else
#define HOSTED_LIBC "musl"
#endif

static __thread int hosted_tls_probe = 7;

static void hosted_at_exit(void)
{
	printf("%s: atexit handler ran, stdio flushed by exit\n", HOSTED_LIBC);
}

__attribute__((constructor)) static void hosted_startup_check(void)
{
	unsigned long fs = 0, self;
	char *buf;

	CHECK(sys2(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs) == 0);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK(fs != 0 && self == fs);
	CHECK(hosted_tls_probe == 7);
	errno = 0;
	CHECK(strtol("999999999999999999999999", 0, 10) > 0 && errno == ERANGE);
	buf = malloc(200000);
	CHECK(buf != 0);
	memset(buf, 'x', 200000);
	CHECK(buf[199999] == 'x');
	free(buf);
	CHECK(atexit(hosted_at_exit) == 0);
}

#endif
