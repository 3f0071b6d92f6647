/* managers/processor/pcache/init.c — the processor role's pcache instance
 * and its command-line parameters.
 *
 *   pcache=SIZE[,WAYS]   cache size (K/M/G suffixes) and associativity;
 *                        default CONFIG_PCACHE_DEFAULT_MB, _WAYS
 *   victim=N             victim-cache entries (1..4096); default
 *                        CONFIG_PCACHE_VICTIM_ENTRIES
 *
 * The processor manager calls pcache_init() once at role start with the
 * FIT/page-table hooks; later code reaches the instance by pcache_get().
 * Tests create private instances with pcache_create() instead.  Kernel
 * only (host tests do not include this file).
 */
#include <kernel/param.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <uapi/errno.h>
#include "internal.h"

static u64 param_bytes = (u64)CONFIG_PCACHE_DEFAULT_MB << 20;
static unsigned int param_ways = CONFIG_PCACHE_DEFAULT_WAYS;
static unsigned int param_victims = CONFIG_PCACHE_VICTIM_ENTRIES;
static struct pcache *the_pcache;

static int parse_pcache(const char *val)
{
	char buf[32];
	const char *comma;
	u64 bytes, ways = param_ways;
	size_t n;

	if (!val)
		return -EINVAL;
	comma = strchr(val, ',');
	n = comma ? (size_t)(comma - val) : strlen(val);
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, val, n);
	buf[n] = 0;
	if (param_parse_size(buf, &bytes) || bytes < PCACHE_LINE_SIZE)
		return -EINVAL;
	if (comma && (param_parse_size(comma + 1, &ways) || !ways ||
		      ways > 64))
		return -EINVAL;
	param_bytes = bytes;
	param_ways = (unsigned int)ways;
	return 0;
}
param_func("pcache", parse_pcache, "pcache size and ways: SIZE[,WAYS]");

static int parse_victim(const char *val)
{
	u64 n;

	if (!val || param_parse_size(val, &n) || !n || n > 4096)
		return -EINVAL;
	param_victims = (unsigned int)n;
	return 0;
}
param_func("victim", parse_victim, "pcache victim-cache entries (1..4096)");

void pcache_default_config(struct pcache_config *cfg)
{
	cfg->bytes = param_bytes;
	cfg->ways = param_ways;
	cfg->victims = param_victims;
	cfg->fault_around = CONFIG_PCACHE_FAULT_AROUND;
#ifdef CONFIG_PCACHE_POLICY_LRU
	cfg->policy = PCACHE_POLICY_LRU;
#else
	cfg->policy = PCACHE_POLICY_FIFO;
#endif
#ifdef CONFIG_PCACHE_CHECKSUM
	cfg->checksum = true;
#else
	cfg->checksum = false;
#endif
}

int pcache_init(u64 bytes, unsigned int ways, const struct pcache_ops *ops)
{
	struct pcache_config cfg;
	int err;

	if (the_pcache)
		return -EBUSY;
	pcache_default_config(&cfg);
	if (bytes)
		cfg.bytes = bytes;
	if (ways)
		cfg.ways = ways;
	the_pcache = pcache_create(&cfg, ops, &err);
	if (!the_pcache) {
		pr_err("pcache: cannot create %llu bytes, %u ways: %d\n",
		       cfg.bytes, cfg.ways, err);
		return err;
	}
	pcache_dump_stats(the_pcache);
	return 0;
}

struct pcache *pcache_get(void)
{
	return the_pcache;
}
