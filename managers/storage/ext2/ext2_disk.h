/* managers/storage/ext2/ext2_disk.h — the ext2 on-disk format (revision 0
 * and 1), written from the format description, defined once.
 *
 * Every field is little-endian on disk; Tessera runs on x86-64 only, so the
 * structures are used in place.  Sizes are checked at compile time.  Only
 * the fields the implementation reads or writes carry names; the rest of a
 * structure is explicit padding so that its size is exact.
 *
 * Layout of a volume with block size B (1024 << s_log_block_size):
 *   byte 1024: the superblock (1024 bytes), in block 1 when B = 1024,
 *              else inside block 0;
 *   block s_first_data_block + 1: the group descriptor table;
 *   every group: block bitmap, inode bitmap, inode table (positions given
 *   by the descriptor), data blocks.  Backups of the superblock and table
 *   sit at the start of some groups; they are marked used in the bitmaps,
 *   so the allocator needs to know nothing about them.
 */
#ifndef STORAGE_EXT2_DISK_H
#define STORAGE_EXT2_DISK_H

#include <tessera/compiler.h>

#define EXT2_MAGIC		0xEF53
#define EXT2_SB_OFFSET		1024
#define EXT2_GOOD_OLD_REV	0
#define EXT2_DYNAMIC_REV	1
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GOOD_OLD_FIRST_INO	11
#define EXT2_ROOT_INO		2
#define EXT2_NAME_LEN		255
#define EXT2_LINK_MAX		32000
#define EXT2_NDIR_BLOCKS	12
#define EXT2_IND_BLOCK		12
#define EXT2_DIND_BLOCK		13
#define EXT2_TIND_BLOCK		14
#define EXT2_N_BLOCKS		15

/* s_state */
#define EXT2_VALID_FS		0x0001
#define EXT2_ERROR_FS		0x0002

/* Feature bits this implementation knows. */
#define EXT2_FEATURE_INCOMPAT_FILETYPE		0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER	0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE	0x0002
#define EXT2_INCOMPAT_SUPPORTED	EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPPORTED (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | \
				  EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* i_flags */
#define EXT2_INDEX_FL		0x00001000	/* hashed directory (dir_index) */

/* i_mode file types */
#define EXT2_S_IFMT		0xF000
#define EXT2_S_IFSOCK		0xC000
#define EXT2_S_IFLNK		0xA000
#define EXT2_S_IFREG		0x8000
#define EXT2_S_IFBLK		0x6000
#define EXT2_S_IFDIR		0x4000
#define EXT2_S_IFCHR		0x2000
#define EXT2_S_IFIFO		0x1000

/* Directory entry file_type (with the filetype feature). */
enum {
	EXT2_FT_UNKNOWN, EXT2_FT_REG_FILE, EXT2_FT_DIR, EXT2_FT_CHRDEV,
	EXT2_FT_BLKDEV, EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_SYMLINK,
};

struct ext2_super {
	u32 s_inodes_count;
	u32 s_blocks_count;
	u32 s_r_blocks_count;
	u32 s_free_blocks_count;
	u32 s_free_inodes_count;
	u32 s_first_data_block;
	u32 s_log_block_size;
	u32 s_log_frag_size;
	u32 s_blocks_per_group;
	u32 s_frags_per_group;
	u32 s_inodes_per_group;
	u32 s_mtime;
	u32 s_wtime;
	u16 s_mnt_count;
	s16 s_max_mnt_count;
	u16 s_magic;
	u16 s_state;
	u16 s_errors;
	u16 s_minor_rev_level;
	u32 s_lastcheck;
	u32 s_checkinterval;
	u32 s_creator_os;
	u32 s_rev_level;
	u16 s_def_resuid;
	u16 s_def_resgid;
	/* EXT2_DYNAMIC_REV only */
	u32 s_first_ino;
	u16 s_inode_size;
	u16 s_block_group_nr;
	u32 s_feature_compat;
	u32 s_feature_incompat;
	u32 s_feature_ro_compat;
	u8  s_uuid[16];
	u8  s_volume_name[16];
	u8  s_rest[1024 - 136];
};
_Static_assert(sizeof(struct ext2_super) == 1024, "ext2 superblock size");
_Static_assert(offsetof(struct ext2_super, s_magic) == 56, "s_magic");
_Static_assert(offsetof(struct ext2_super, s_feature_compat) == 92, "compat");

struct ext2_group_desc {
	u32 bg_block_bitmap;
	u32 bg_inode_bitmap;
	u32 bg_inode_table;
	u16 bg_free_blocks_count;
	u16 bg_free_inodes_count;
	u16 bg_used_dirs_count;
	u16 bg_flags;
	u8  bg_reserved[12];
};
_Static_assert(sizeof(struct ext2_group_desc) == 32, "ext2 group desc size");

/* The first 128 bytes of an inode (revision 1 inodes may be larger; the
 * tail is preserved untouched, and zeroed for new inodes). */
struct ext2_dinode {
	u16 i_mode;
	u16 i_uid;
	u32 i_size;
	u32 i_atime;
	u32 i_ctime;
	u32 i_mtime;
	u32 i_dtime;
	u16 i_gid;
	u16 i_links_count;
	u32 i_blocks;		/* 512-byte units, data and indirect blocks */
	u32 i_flags;
	u32 i_osd1;
	u32 i_block[EXT2_N_BLOCKS];
	u32 i_generation;
	u32 i_file_acl;		/* extended attribute block, or 0 */
	u32 i_size_high;	/* regular files with large_file */
	u32 i_faddr;
	u8  i_frag;
	u8  i_fsize;
	u16 i_pad1;
	u16 i_uid_high;
	u16 i_gid_high;
	u32 i_reserved2;
};
_Static_assert(sizeof(struct ext2_dinode) == 128, "ext2 inode size");
_Static_assert(offsetof(struct ext2_dinode, i_block) == 40, "i_block");

struct ext2_dirent {
	u32 inode;		/* 0: unused entry */
	u16 rec_len;		/* to the next entry; multiple of 4 */
	u8  name_len;
	u8  file_type;		/* EXT2_FT_*, 0 without the filetype feature */
	char name[];
};
_Static_assert(sizeof(struct ext2_dirent) == 8, "ext2 dirent header");

/* Smallest rec_len that holds a name of @len bytes. */
#define EXT2_DIR_REC_LEN(len)	(((len) + 8 + 3) & ~3u)

/* Header of an extended attribute block (only the reference count is
 * used: deleting an inode drops its reference). */
#define EXT2_XATTR_MAGIC	0xEA020000
struct ext2_xattr_header {
	u32 h_magic;
	u32 h_refcount;
	u32 h_blocks;
	u32 h_hash;
	u8  h_reserved[16];
};
_Static_assert(sizeof(struct ext2_xattr_header) == 32, "xattr header");

#endif
