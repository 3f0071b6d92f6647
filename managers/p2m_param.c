/* managers/p2m_param.c — the page-checksum debug option shared by both
 * ends of the P2M protocol (include/protocol/p2m.h, LESSONS 10).
 *
 * p2m.csum=1 (default: on when CONFIG_PCACHE_CHECKSUM is set) makes the
 * memory node's service and the processor's client put a CRC32C on every
 * page they send.  Receivers check every page that carries one, whatever
 * their own setting, so nodes booted with different settings still
 * interoperate.  Read-only after boot.
 */
#include <kernel/param.h>
#include <protocol/p2m.h>

#ifdef CONFIG_PCACHE_CHECKSUM
static bool csum_param = true;
#else
static bool csum_param;
#endif
param_bool("p2m.csum", csum_param,
	   "debug: CRC32C on every P2M page sent, checked on arrival");

bool p2m_csum_enabled(void)
{
	return csum_param;
}
