/* tests/host/test_storage_service.c — the file service's handlers
 * (managers/storage/{vol,service_ops,service_dir}.c) on a real ext2 image,
 * with FIT, the mutex and the block device replaced by host stand-ins.
 *
 *  storage_handlers   valid requests through the handler tables: create,
 *                     write, read, lookup, readdir, rename, link, symlink,
 *                     truncate, unlink, rmdir, statfs; -ESTALE for a
 *                     handle that outlived unlink and inode reuse.
 *  storage_fuzz       20,000 requests: valid ones mutated (bytes, lengths,
 *                     handles, name lengths) and random ones, each sent to
 *                     its handler only if at least min_len long (as FIT's
 *                     dispatcher does).  Every one must end in exactly one
 *                     reply or a negative errno, and never crash (ASan,
 *                     UBSan).
 *  storage_fsck       after unmount the image is clean under e2fsck -fn.
 */
#include "ext2_host.h"

#undef va_start
#undef va_end
#include "../../managers/storage/cpio/cpio.c"
#include "../../managers/storage/cpio/tree.c"
#include "../../managers/storage/internal.h"

/* --- stand-ins for the kernel services the service uses ----------------- */
struct fit_msg_ctx {
	u16 src, opcode;
	int replies;
	u32 reply_len;
	u8 reply[FIT_MAX_PAYLOAD] __attribute__((aligned(8)));
};

int fit_reply(struct fit_msg_ctx *ctx, const void *reply, u32 len)
{
	ctx->replies++;
	ctx->reply_len = len;
	if (len > FIT_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (len)
		memcpy(ctx->reply, reply, len);
	return 0;
}

u16 fit_ctx_src(const struct fit_msg_ctx *ctx) { return ctx->src; }
u16 fit_ctx_opcode(const struct fit_msg_ctx *ctx) { return ctx->opcode; }
void mutex_init(struct mutex *m, const char *name) { m->owner = NULL; }
void mutex_lock(struct mutex *m)
{
	CHECK(!m->owner, "mutex taken twice");
	m->owner = (struct task *)1;
}
void mutex_unlock(struct mutex *m)
{
	CHECK(m->owner, "mutex not held");
	m->owner = NULL;
}
u64 ktime_get_ns(void) { return 5ull * 1000000000; }

static u64 bad_total;
int storage_bad(enum storage_bad kind, u16 src, u16 opcode, int err)
{
	bad_total++;
	return err;
}
int storage_wait_ready(void) { return 0; }

static struct host_dev dev;

void storage_bdev_init(struct ext2_bdev *eb, struct block_device *bdev)
{
	eb->ops = &hdev_ops;
	eb->ctx = &dev;
	eb->nr_sectors = dev.size / 512;
	eb->read_only = false;
}

#include "../../managers/storage/timing.c"
#include "../../managers/storage/vol.c"
#include "../../managers/storage/service_ops.c"
#include "../../managers/storage/service_dir.c"
#undef memset
#undef memcpy
#undef memcmp
#undef strlen

/* --- calling handlers as FIT's dispatcher would ------------------------- */
static struct fit_msg_ctx ctx;

static const struct storage_handler *find(u8 op)
{
	for (unsigned int i = 0; i < storage_nr_file_handlers; i++)
		if (storage_file_handlers[i].op == op)
			return &storage_file_handlers[i];
	for (unsigned int i = 0; i < storage_nr_dir_handlers; i++)
		if (storage_dir_handlers[i].op == op)
			return &storage_dir_handlers[i];
	return NULL;
}

/* Returns the reply length, or the handler's negative errno. */
static int call(u8 op, const void *req, u32 len)
{
	const struct storage_handler *h = find(op);
	int r;

	if (!h)
		return -EOPNOTSUPP;
	if (len < h->min_len)
		return -EBADMSG;
	memset(&ctx, 0, offsetof(struct fit_msg_ctx, reply));
	ctx.opcode = P2S_OP(op);
	r = h->fn(&ctx, req, len);
	CHECK((r < 0 && !ctx.replies) || (r == 0 && ctx.replies == 1),
	      "op %#x: returned %d after %d replies", op, r, ctx.replies);
	return r < 0 ? r : (int)ctx.reply_len;
}

static u8 msg[FIT_MAX_PAYLOAD] __attribute__((aligned(8)));

/* Fixed struct + up to two variable parts. */
static u32 build(const void *fixed, u32 flen, const void *a, u32 alen,
		 const void *b, u32 blen)
{
	memcpy(msg, fixed, flen);
	if (alen)
		memcpy(msg + flen, a, alen);
	if (blen)
		memcpy(msg + flen + alen, b, blen);
	return flen + alen + blen;
}

static struct storage_handle root;

static int create(const struct storage_handle *dir, const char *name,
		  struct storage_handle *out)
{
	struct storage_create_req r = { .dir = *dir, .mode = 0644,
					 .name_len = (u16)strlen(name) };
	int n = call(STORAGE_OP_CREATE, msg,
		     build(&r, sizeof(r), name, r.name_len, NULL, 0));

	if (n == sizeof(struct storage_entry_rep))
		*out = ((struct storage_entry_rep *)ctx.reply)->h;
	return n < 0 ? n : 0;
}

static int unlink_name(const struct storage_handle *dir, const char *name)
{
	struct storage_unlink_req r = { .dir = *dir,
					.name_len = (u16)strlen(name) };

	return call(STORAGE_OP_UNLINK, msg,
		    build(&r, sizeof(r), name, r.name_len, NULL, 0));
}

static void mount_image(const char *img)
{
	struct storage_vol *v;
	struct stat st;

	dev.fd = open(img, O_RDWR);
	fstat(dev.fd, &st);
	dev.size = st.st_size;
	CHECK(vol_add_ext2((struct block_device *)"vda", 1700000000u, &v) == 0,
	      "mount");
	{
		struct storage_statfs_req r = { 0 };

		CHECK(call(STORAGE_OP_STATFS, &r, sizeof(r)) ==
		      sizeof(struct storage_statfs_rep), "statfs");
		root = ((struct storage_statfs_rep *)ctx.reply)->root;
	}
}

static void io_round_trip(struct storage_handle *f)
{
	struct storage_write_req w = { .h = *f, .offset = 4096, .len = 4096 };
	struct storage_read_req r = { .h = *f, .offset = 4096, .len = 4096 };
	u8 page[4096];

	for (int i = 0; i < 4096; i++)
		page[i] = (u8)(i * 13);
	CHECK(call(STORAGE_OP_WRITE, msg,
		   build(&w, sizeof(w), page, 4096, NULL, 0)) ==
	      sizeof(struct storage_write_rep), "write");
	CHECK(call(STORAGE_OP_READ, &r, sizeof(r)) ==
	      sizeof(struct storage_read_rep) + 4096, "read");
	CHECK(!memcmp(ctx.reply + sizeof(struct storage_read_rep), page, 4096),
	      "read back");
}

/* Every opcode: a message one byte longer than its struct plus the
 * lengths it states is -EBADMSG, before anything else is looked at. */
static void test_storage_lengths(void)
{
	static const u8 ops[] = {
		STORAGE_OP_LOOKUP, STORAGE_OP_OPEN, STORAGE_OP_READ,
		STORAGE_OP_WRITE, STORAGE_OP_STAT, STORAGE_OP_READDIR,
		STORAGE_OP_CREATE, STORAGE_OP_MKDIR, STORAGE_OP_UNLINK,
		STORAGE_OP_RMDIR, STORAGE_OP_RENAME, STORAGE_OP_TRUNCATE,
		STORAGE_OP_SYMLINK, STORAGE_OP_READLINK, STORAGE_OP_FSYNC,
		STORAGE_OP_STATFS, STORAGE_OP_LINK,
	};

	for (u32 i = 0; i < ARRAY_SIZE(ops); i++) {
		const struct storage_handler *h = find(ops[i]);

		CHECK(h != NULL, "op %u has a handler", ops[i]);
		if (!h)
			continue;
		memset(msg, 0, h->min_len + 1);
		CHECK(call(ops[i], msg, h->min_len + 1) == -EBADMSG,
		      "op %u: one byte too many", ops[i]);
	}
}

static void test_storage_handlers(void)
{
	struct storage_handle f, g;
	struct storage_stat_req s;
	struct storage_readdir_req rd = { .max_bytes = 4096 };

	CHECK(create(&root, "file", &f) == 0, "create");
	io_round_trip(&f);
	rd.dir = root;
	CHECK(call(STORAGE_OP_READDIR, &rd, sizeof(rd)) > 0 &&
	      ((struct storage_readdir_rep *)ctx.reply)->count >= 3, "readdir");
	{
		struct storage_rename_req r = { .odir = root, .ndir = root,
						.oname_len = 4, .nname_len = 3 };

		CHECK(call(STORAGE_OP_RENAME, msg, build(&r, sizeof(r), "file",
							 4, "new", 3)) == 0,
		      "rename");
	}
	CHECK(unlink_name(&root, "new") == 0, "unlink");
	s = (struct storage_stat_req){ .h = f };
	CHECK(call(STORAGE_OP_STAT, &s, sizeof(s)) == -ESTALE, "stale");
	CHECK(create(&root, "again", &g) == 0, "create again");
	CHECK(g.ino != f.ino || g.gen != f.gen, "reused inode, same gen");
	CHECK(call(STORAGE_OP_STAT, &s, sizeof(s)) == -ESTALE,
	      "stale after reuse");
	CHECK(unlink_name(&root, "again") == 0, "unlink again");
}

static u8 wfill[9000];

/* A valid request of a random kind, naming @h and @dir. */
static u32 valid_request(u8 *op, const struct storage_handle *h,
			 const struct storage_handle *dir)
{
	static const char *names[] = { "a", "b", "dir", "link", "x" };
	const char *n = names[host_randn(5)], *n2 = names[host_randn(5)];
	u16 nl = (u16)strlen(n);

	*op = (u8)(1 + host_randn(STORAGE_OP_COUNT - 1));
	switch (*op) {
	case STORAGE_OP_LOOKUP: {
		struct storage_lookup_req r = { .dir = *dir, .path_len = nl,
						.flags = (u32)host_randn(2) };
		return build(&r, sizeof(r), n, nl, NULL, 0);
	}
	case STORAGE_OP_CREATE: case STORAGE_OP_MKDIR: {
		struct storage_create_req r = { .dir = *dir, .mode = 0755,
						.name_len = nl };
		return build(&r, sizeof(r), n, nl, NULL, 0);
	}
	case STORAGE_OP_UNLINK: case STORAGE_OP_RMDIR: {
		struct storage_unlink_req r = { .dir = *dir, .name_len = nl };
		return build(&r, sizeof(r), n, nl, NULL, 0);
	}
	case STORAGE_OP_RENAME: {
		struct storage_rename_req r = { .odir = *dir, .ndir = *h,
			.oname_len = nl, .nname_len = (u16)strlen(n2) };
		return build(&r, sizeof(r), n, nl, n2, r.nname_len);
	}
	case STORAGE_OP_SYMLINK: {
		struct storage_symlink_req r = { .dir = *dir, .name_len = nl,
						 .target_len = 3 };
		return build(&r, sizeof(r), n, nl, "a/b", 3);
	}
	case STORAGE_OP_LINK: {
		struct storage_link_req r = { .h = *h, .dir = *dir,
					      .name_len = nl };
		return build(&r, sizeof(r), n, nl, NULL, 0);
	}
	case STORAGE_OP_WRITE: {
		struct storage_write_req r = { .h = *h,
			.offset = host_randn(1 << 20),
			.len = (u32)host_randn(9000) };
		return build(&r, sizeof(r), wfill, r.len, NULL, 0);
	}
	case STORAGE_OP_READ: case STORAGE_OP_TRUNCATE:
	case STORAGE_OP_READDIR: {
		struct storage_read_req r = { .h = *h,
			.offset = host_randn(1 << 20),
			.len = (u32)host_randn(70000) };
		return build(&r, sizeof(r), NULL, 0, NULL, 0);
	}
	default: {
		struct storage_open_req r = { .h = *h,
					      .flags = (u32)host_randn(4) };
		return build(&r, sizeof(r), NULL, 0, NULL, 0);
	}
	}
}

static void mutate(u32 *len)
{
	u32 k = (u32)host_randn(4);

	if (k == 0 && *len)
		msg[host_randn(*len)] = (u8)host_rand();
	else if (k == 1)
		*len = (u32)host_randn(*len + 64);
	else if (k == 2 && *len >= 16)
		((struct storage_handle *)msg)->ino = (u32)host_rand();
	else if (k == 3 && *len >= 20)
		((u16 *)msg)[8 + host_randn(4)] = (u16)host_rand();
}

static void test_storage_fuzz(void)
{
	struct storage_handle h = root, dir = root;
	int replies = 0, errors = 0;

	for (int i = 0; i < 20000; i++) {
		u8 op;
		u32 len = valid_request(&op, &h, &dir);
		int r;

		if (host_randn(3) == 0)
			mutate(&len);
		r = call(op, msg, len);
		if (r >= (int)sizeof(struct storage_entry_rep) &&
		    (op == STORAGE_OP_CREATE || op == STORAGE_OP_LOOKUP ||
		     op == STORAGE_OP_MKDIR)) {
			struct storage_entry_rep *e = (void *)ctx.reply;

			if ((e->st.mode & 0170000) == 0040000)
				dir = e->h;
			else
				h = e->h;
		}
		if (host_randn(50) == 0)
			dir = root;
		r < 0 ? errors++ : replies++;
	}
	CHECK(replies > 1000 && errors > 1000, "%d replies, %d errors",
	      replies, errors);
	CHECK(bad_total > 100, "bad input counted %llu times",
	      (unsigned long long)bad_total);
}

static char img[4200];

static void test_storage_fsck(void)
{
	CHECK(ext2_unmount(vol_root()->ext2) == 0, "unmount");
	close(dev.fd);
	CHECK(host_fsck(img) == 0, "e2fsck -fn after the fuzz");
}

int main(int argc, char **argv)
{
	host_workdir(argv[0], "storage_service");
	host_quiet = true;
	snprintf(img, sizeof(img), "%s/svc.img", host_work);
	if (host_mkfs(img, 1024, NULL, "8M", NULL)) {
		printf("FAIL host/test_storage_service: mke2fs\n");
		return 1;
	}
	mount_image(img);
	RUN(test_storage_handlers);
	RUN(test_storage_lengths);
	RUN(test_storage_fuzz);
	RUN(test_storage_fsck);
	return harness_exit();
}
