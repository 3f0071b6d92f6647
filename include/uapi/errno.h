/* include/uapi/errno.h — Linux errno values (asm-generic/errno-base.h and
 * errno.h).  Kernel functions return 0 or a negative one of these. */
#ifndef UAPI_ERRNO_H
#define UAPI_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define ESRCH		3
#define EINTR		4
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define ENOEXEC		8
#define EBADF		9
#define ECHILD		10
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define EXDEV		18
#define ENODEV		19
#define ENOTDIR		20
#define EISDIR		21
#define EINVAL		22
#define ENFILE		23
#define EMFILE		24
#define ENOTTY		25
#define EFBIG		27
#define ENOSPC		28
#define ESPIPE		29
#define EROFS		30
#define EMLINK		31
#define EPIPE		32
#define EDOM		33
#define ERANGE		34
#define EDEADLK		35
#define ENAMETOOLONG	36
#define ENOLCK		37
#define ENOSYS		38
#define ENOTEMPTY	39
#define ELOOP		40
#define ETXTBSY		26
#define ENOTSOCK	88
#define ENOTSUP		EOPNOTSUPP
#define ESTALE		116
/* Kernel-internal, never seen by user space: a syscall interrupted by a
 * signal restarts when the handler has SA_RESTART, else returns -EINTR. */
#define ERESTARTSYS	512
#define ERESTART_RESTARTBLOCK	516
#define ENODATA		61
#define ETIME		62
#define EREMOTE		66
#define EOVERFLOW	75
#define EBADMSG		74
#define EPROTO		71
#define EMSGSIZE	90
#define EOPNOTSUPP	95
#define ENOBUFS		105
#define ETIMEDOUT	110
#define ECONNREFUSED	111
#define EHOSTDOWN	112
#define EHOSTUNREACH	113
#define EALREADY	114
#define EINPROGRESS	115
#define ESTALE		116
#define EUCLEAN		117
#define ECANCELED	125

#endif
