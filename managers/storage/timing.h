/* managers/storage/timing.h — where a file-service operation's time goes
 * (timing.c): counters the client, the handlers and the block-device
 * adapter add to, printed by storage_timing_dump()
 * (include/storage/client.h).
 *
 * Client: one sample per fit_call (its whole round trip, retries apart).
 * Server: per handled READ or WRITE, the stages handler start -> volume
 * locked and handle checked -> backend (ext2, block cache, any device
 * I/O) done -> reply handed to FIT.  Device: each block-layer call of the
 * adapter, its bytes and time.  The difference between the client's
 * round trip and the server's handler time is FIT: both transports'
 * queues, the wire and the wake-ups on both nodes.
 * Any context that may call ktime_get_ns(); lock-free (relaxed atomics),
 * so a dump taken while operations run may be off by one sample.
 */
#ifndef STORAGE_TIMING_H
#define STORAGE_TIMING_H

#include <tessera/types.h>

enum storage_dev_kind { STORAGE_DEV_READ, STORAGE_DEV_WRITE,
			STORAGE_DEV_FLUSH, STORAGE_DEV_KINDS };

void storage_time_client(u8 op, u64 ns);
/* Stage timestamps of one READ or WRITE handler (ktime_get_ns()). */
void storage_time_server(u8 op, u64 start, u64 locked, u64 backend,
			 u64 end);
void storage_time_dev(enum storage_dev_kind kind, u64 bytes, u64 ns);

#endif
