/* include/memory/service.h — the memory node's P2M service
 * (managers/memory/service*.c): the FIT handlers that serve processor
 * nodes' page faults and memory system calls from the address spaces of
 * include/memory/mm_space.h.  Protocol: include/protocol/p2m.h and
 * Documentation/p2m.md.
 *
 * The service starts at boot on nodes with the memory role (ROLE_INIT).
 * Executables come from a file source: first a table of in-memory files
 * registered here (tests, built-in programs), then the storage node
 * through the storage client (include/storage/client.h).  File handles
 * in VMAs name entries of those tables, which are never removed (spaces
 * may map them).
 */
#ifndef MEMORY_SERVICE_H
#define MEMORY_SERVICE_H

#include <tessera/compiler.h>

#define P2M_FILES_MAX		32
#define P2M_FILE_PATH_MAX	128
/* Files found on the storage node: handles from P2M_FILE_STORAGE on. */
#define P2M_SFILES_MAX		256
#define P2M_FILE_STORAGE	(1ull << 32)

/* Make @data (@size bytes, which must stay valid and unchanged forever)
 * the file @path for EXECVE and file mappings.  0, -EEXIST, -ENOSPC,
 * -ENAMETOOLONG or -EINVAL.  Any context that may sleep. */
int p2m_file_register(const char *path, const void *data, u64 size);

struct p2m_service_stats {
	u64 esrch;		/* for processes not held here */
	u64 bad_len;		/* variable parts that did not add up */
	u64 csum_errors;	/* pages whose CRC32C did not match */
	u64 misses, flushes, piggybacks, zerofills, upgrades, pages_sent;
	u64 procs;		/* processes held now */
};
void p2m_service_get_stats(struct p2m_service_stats *out);
/* True once the handlers are registered on this node. */
bool p2m_service_running(void);

#endif
