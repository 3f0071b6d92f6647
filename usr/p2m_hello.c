/* usr/p2m_hello.c — the smallest static program: the P2M selftests load
 * it with EXECVE on the memory node and read its memory back through
 * PCACHE_MISS (they do not run it).  Built with the host gcc, -static
 * -nostdlib (usr/Makefile).  Layout it gives the loader: .text, .rodata,
 * .data with initialised words, and a .bss of several pages whose first
 * bytes share a page with .data (LESSONS 2: all of it must read zero).
 * If run, it sums its .bss and exits with status 0 only if all was zero.
 */
static volatile unsigned long data_words[4] = {
	0x1122334455667788ul, 0x99aabbccddeeff00ul, 42, 7
};
static volatile unsigned char bss_bytes[3 * 4096 + 123];

static long sys_exit(long code)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(60), "D"(code)
			 : "rcx", "r11", "memory");
	return ret;
}

void _start(void);
void _start(void)
{
	unsigned long sum = data_words[2] - 42;

	for (unsigned long i = 0; i < sizeof(bss_bytes); i++)
		sum += bss_bytes[i];
	for (;;)
		sys_exit(sum != 0);
}
