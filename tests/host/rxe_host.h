/* tests/host/rxe_host.h — build the rxe core into a host test program.
 *
 * Supplies the kernel services the core uses (kmalloc and friends from the
 * host's calloc/free, so ASan sees every object), then #includes the core's
 * sources, lib/string.c and lib/crc32.c.  Also a tiny frame sink used by
 * the wire and fuzz tests.  Used by test_rxe_wire.c, test_rxe_rc.c and
 * test_rxe_fuzz.c.
 */
#ifndef TESTS_HOST_RXE_HOST_H
#define TESTS_HOST_RXE_HOST_H

#include <stdlib.h>
#include <mm/mm.h>

void *kmalloc(size_t size)
{
	return malloc(size ? size : 1);
}
void *kzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}
void *kcalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}
void kfree(const void *p)
{
	free((void *)p);
}

#include "../../lib/string.c"
#include "../../lib/crc32.c"
#include "../../drivers/infiniband/sw/rxe/wire.c"
#include "../../drivers/infiniband/sw/rxe/icrc.c"
#include "../../drivers/infiniband/sw/rxe/fault.c"
#include "../../drivers/infiniband/sw/rxe/dev.c"
#include "../../drivers/infiniband/sw/rxe/mr.c"
#include "../../drivers/infiniband/sw/rxe/cq.c"
#include "../../drivers/infiniband/sw/rxe/qp.c"
#include "../../drivers/infiniband/sw/rxe/req.c"
#include "../../drivers/infiniband/sw/rxe/comp.c"
#include "../../drivers/infiniband/sw/rxe/resp.c"
#include "../../drivers/infiniband/sw/rxe/trace.c"

#endif
