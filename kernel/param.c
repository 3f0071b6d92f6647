/* kernel/param.c — kernel command-line parsing.
 *
 * Parameters are declared where they are used (include/kernel/param.h) and
 * collected by the linker between __param_start and __param_end.  The
 * command line is copied once into cmdline_buf and split on spaces;
 * double quotes group a value with spaces ("init=/bin/sh -c x").  Every
 * word that names no parameter, and every value that does not parse, is
 * reported by name.  Role-level words that later subsystems own (role=,
 * node=, ...) are parameters like any other.
 */
#include <kernel/param.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <uapi/errno.h>

extern const struct kernel_param __param_start[], __param_end[];

static char cmdline_buf[1024];

const char *param_cmdline(void)
{
	return cmdline_buf;
}

int param_parse_size(const char *s, u64 *out)
{
	u64 v = 0, base = 10;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -EINVAL;
	}
	for (; *p; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v > (~0ull - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	switch (*p) {
	case 'k': case 'K': v <<= 10; p++; break;
	case 'm': case 'M': v <<= 20; p++; break;
	case 'g': case 'G': v <<= 30; p++; break;
	default: break;
	}
	if (*p)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_value(const struct kernel_param *kp, const char *val)
{
	u64 v;

	switch (kp->type) {
	case PARAM_BOOL:
		if (!val || !strcmp(val, "1") || !strcmp(val, "y") ||
		    !strcmp(val, "on") || !strcmp(val, "true"))
			*(bool *)kp->var = true;
		else if (!strcmp(val, "0") || !strcmp(val, "n") ||
			 !strcmp(val, "off") || !strcmp(val, "false"))
			*(bool *)kp->var = false;
		else
			return -EINVAL;
		return 0;
	case PARAM_INT:
		if (!val)
			return -EINVAL;
		if (val[0] == '-') {
			if (param_parse_size(val + 1, &v) || v > 0x80000000ull)
				return -EINVAL;
			*(int *)kp->var = -(int)v;
			return 0;
		}
		if (param_parse_size(val, &v) || v > 0x7fffffff)
			return -EINVAL;
		*(int *)kp->var = (int)v;
		return 0;
	case PARAM_ULONG:
	case PARAM_SIZE:
		if (!val || param_parse_size(val, &v))
			return -EINVAL;
		if (kp->type == PARAM_ULONG)
			*(unsigned long *)kp->var = v;
		else
			*(u64 *)kp->var = v;
		return 0;
	case PARAM_STR:
		if (!val || strscpy(kp->var, val, kp->len) < 0)
			return -EINVAL;
		return 0;
	case PARAM_FUNC:
		return kp->fn(val);
	}
	return -EINVAL;
}

static const struct kernel_param *find(const char *name)
{
	for (const struct kernel_param *kp = __param_start; kp < __param_end; kp++)
		if (!strcmp(kp->name, name))
			return kp;
	return NULL;
}

/* Split off the next word; returns NULL at the end.  Modifies the buffer. */
static char *next_word(char **cursor)
{
	char *p = *cursor, *start, *w;
	bool quoted = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	start = w = p;
	for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else
			*w++ = *p;
	}
	if (*p)
		p++;
	*w = 0;
	*cursor = p;
	return start;
}

int param_parse(const char *cmdline)
{
	char work[sizeof(cmdline_buf)];
	char *cur = work, *word;
	int problems = 0;

	if (strscpy(cmdline_buf, cmdline ? cmdline : "", sizeof(cmdline_buf)) < 0) {
		pr_warn("cmdline: longer than %zu bytes, truncated\n",
			sizeof(cmdline_buf) - 1);
		problems++;
	}
	memcpy(work, cmdline_buf, sizeof(work));
	while ((word = next_word(&cur))) {
		char *eq = strchr(word, '=');
		const struct kernel_param *kp;

		if (eq)
			*eq = 0;
		kp = find(word);
		if (!kp) {
			pr_warn("cmdline: unknown parameter '%s' ignored\n", word);
			problems++;
		} else if (set_value(kp, eq ? eq + 1 : NULL)) {
			pr_warn("cmdline: bad value '%s' for parameter '%s'\n",
				eq ? eq + 1 : "", word);
			problems++;
		}
	}
	return problems;
}
