/* include/uapi/utsname.h — struct utsname (linux/utsname.h, new_utsname)
 * and struct sysinfo (linux/sysinfo.h) of the Linux x86-64 ABI. */
#ifndef UAPI_UTSNAME_H
#define UAPI_UTSNAME_H

#include <tessera/types.h>

#define UTS_LEN 65

struct utsname {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};

struct sysinfo {
	s64 uptime;
	u64 loads[3];
	u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	u16 procs;
	u16 pad;
	u32 pad2;
	u64 totalhigh, freehigh;
	u32 mem_unit;
	char _f[4];
};
_Static_assert(sizeof(struct sysinfo) == 112, "struct sysinfo");

#endif
