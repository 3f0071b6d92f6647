/* tests/host/test_fit_node.c — kernel/node.c (role=, node identity) and
 * the byte layout of FIT's wire headers (include/protocol/).
 *
 * Roles: every accepted spelling and combination, and the malformed lists
 * that must be refused (empty, unknown words, stray commas).  Wire: the
 * offset of every field of msg_hdr, fit_eth_hdr and fit_announce, so a
 * reordering that keeps the size (and the _Static_assert) still fails.
 */
#include "harness.h"

#include <stddef.h>
#include <string.h>

#include "../../kernel/node.c"
#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"
#include <protocol/fit.h>

#undef strcmp

static void test_roles_good(void)
{
	static const struct {
		const char *s;
		unsigned int mask;
	} cases[] = {
		{ "all", ROLE_ALL },
		{ "processor", ROLE_PROCESSOR },
		{ "m", ROLE_MEMORY },
		{ "s,p", ROLE_STORAGE | ROLE_PROCESSOR },
		{ "memory,storage", ROLE_MEMORY | ROLE_STORAGE },
		{ "p,p", ROLE_PROCESSOR },
		{ "p,all", ROLE_ALL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int mask = 0;

		CHECK_EQ(node_parse_roles(cases[i].s, &mask), 0);
		CHECK(mask == cases[i].mask, "%s -> %#x", cases[i].s, mask);
	}
}

static void test_roles_bad(void)
{
	static const char *const bad[] = {
		"", ",", "p,", ",m", "p,,m", "cpu", "processors", "P",
		"all,x", "memory storage",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned int mask = 0x55;

		CHECK(node_parse_roles(bad[i], &mask) == -EINVAL, "'%s'",
		      bad[i]);
		CHECK(mask == 0x55, "'%s' changed the mask", bad[i]);
	}
	CHECK_EQ(node_parse_roles(NULL, NULL), -EINVAL);
}

static void test_roles_str(void)
{
	char buf[32];

	CHECK(!strcmp(node_roles_str(ROLE_ALL, buf, sizeof(buf)),
		      "processor,memory,storage"), "%s", buf);
	CHECK(!strcmp(node_roles_str(ROLE_STORAGE, buf, sizeof(buf)),
		      "storage"), "%s", buf);
	CHECK(!strcmp(node_roles_str(0, buf, sizeof(buf)), "none"), "%s", buf);
	node_roles_str(ROLE_ALL, buf, 8);		/* truncates safely */
	CHECK(strlen(buf) == 7, "%s", buf);
}

static void test_defaults(void)
{
	CHECK_EQ(node_self(), 0);
	CHECK_EQ(node_count(), 1);
	CHECK_EQ(node_roles(), ROLE_ALL);
	CHECK(node_has_role(ROLE_MEMORY), "role=all has memory");
	CHECK_EQ(role_param("p"), 0);
	CHECK(!node_has_role(ROLE_MEMORY), "role=p has no memory");
	CHECK_EQ(role_param("x"), -EINVAL);
	CHECK_EQ(node_roles(), ROLE_PROCESSOR);	/* unchanged by bad value */
}

#define OFF(type, field, want) \
	CHECK_EQ(offsetof(struct type, field), want)

static void test_wire_layout(void)
{
	OFF(msg_hdr, opcode, 0);
	OFF(msg_hdr, version, 2);
	OFF(msg_hdr, flags, 3);
	OFF(msg_hdr, src_node, 4);
	OFF(msg_hdr, dst_node, 6);
	OFF(msg_hdr, length, 8);
	OFF(msg_hdr, ack_delta, 12);
	OFF(msg_hdr, request_id, 16);
	OFF(msg_error, error, 24);
	OFF(fit_eth_hdr, type, 0);
	OFF(fit_eth_hdr, version, 1);
	OFF(fit_eth_hdr, src_node, 2);
	OFF(fit_eth_hdr, dst_node, 4);
	OFF(fit_eth_hdr, frag_len, 6);
	OFF(fit_eth_hdr, seq, 8);
	OFF(fit_eth_hdr, ack, 12);
	OFF(fit_eth_hdr, msg_len, 16);
	OFF(fit_eth_hdr, frag_off, 20);
	OFF(fit_eth_hdr, boot_id, 24);
	OFF(fit_eth_hdr, dst_boot, 28);
	OFF(fit_announce, node, 0);
	OFF(fit_announce, nodes, 2);
	OFF(fit_announce, roles, 4);
	OFF(fit_announce, mac, 8);
	OFF(fit_announce, mtu, 14);
	OFF(fit_announce, heard, 16);
	OFF(fit_announce, boot_id, 24);
	CHECK_EQ(MSG_PROTO_OF(0x0123), MSG_PROTO_P2M);
	CHECK_EQ(MSG_PROTO_OF(FIT_OP_PING), MSG_PROTO_FIT);
}

int main(void)
{
	RUN(test_roles_good);
	RUN(test_roles_bad);
	RUN(test_roles_str);
	RUN(test_defaults);
	RUN(test_wire_layout);
	return harness_exit();
}
