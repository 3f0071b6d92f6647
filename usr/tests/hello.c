/* usr/tests/hello.c — the first program: prints its arguments and an
 * environment count, exits with the status given as first argument
 * (default 0). */
#include "../lib/nolibc.h"

int main(int argc, char **argv, char **envp)
{
	int status = 0;

	say("hello from user mode\n");
	for (int i = 0; i < argc; i++) {
		say("argv: ");
		say(argv[i]);
		say("\n");
	}
	if (argc > 1)
		for (const char *s = argv[1]; *s >= '0' && *s <= '9'; s++)
			status = status * 10 + (*s - '0');
	return status;
}
