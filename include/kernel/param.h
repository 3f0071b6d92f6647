/* include/kernel/param.h — kernel command-line parameters (kernel/param.c).
 *
 * A parameter is declared next to the code that uses it and lands in the
 * .kparam linker section; there is no central list.  param_parse() walks
 * the command line once at boot: "name=value" or a bare "name" (booleans).
 * Unknown names and malformed values are reported with a warning naming
 * them.  Dotted names ("fit.timeout_ms") are fine.
 */
#ifndef KERNEL_PARAM_H
#define KERNEL_PARAM_H

#include <tessera/compiler.h>

enum param_type { PARAM_BOOL, PARAM_INT, PARAM_ULONG, PARAM_SIZE, PARAM_STR,
		  PARAM_FUNC };

struct kernel_param {
	const char *name;
	enum param_type type;
	void *var;		/* bool *, int *, unsigned long *, u64 *, char * */
	size_t len;		/* PARAM_STR: buffer size */
	/* PARAM_FUNC: returns 0 or -EINVAL (value may be NULL). */
	int (*fn)(const char *val);
	const char *help;
};

#define __KPARAM(id, n, t, v, l, f, h)                                     \
	static const struct kernel_param __kparam_##id __used               \
		__section(".kparam") __aligned(8) = { n, t, v, l, f, h }
#define param_bool(n, var, h)  __KPARAM(var, n, PARAM_BOOL, &(var), 0, NULL, h)
#define param_int(n, var, h)   __KPARAM(var, n, PARAM_INT, &(var), 0, NULL, h)
#define param_ulong(n, var, h) __KPARAM(var, n, PARAM_ULONG, &(var), 0, NULL, h)
/* SIZE accepts K/M/G suffixes; var is u64. */
#define param_size(n, var, h)  __KPARAM(var, n, PARAM_SIZE, &(var), 0, NULL, h)
#define param_string(n, var, h) \
	__KPARAM(var, n, PARAM_STR, (var), sizeof(var), NULL, h)
#define param_func(n, fn, h)   __KPARAM(fn, n, PARAM_FUNC, NULL, 0, fn, h)

/* Parse @cmdline (copied into a kernel buffer first).  Returns the number
 * of problems reported. */
int param_parse(const char *cmdline);
const char *param_cmdline(void);
/* Parse "123", "0x1f", "64M" etc.  Returns 0 or -EINVAL. */
int param_parse_size(const char *s, u64 *out);

#endif
