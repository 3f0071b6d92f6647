/* tests/host/test_uapi_abi.c — include/uapi/ against the host's Linux ABI
 * headers (linux-libc-dev's asm/ and linux/ headers, glibc's errno.h).
 *
 * Our headers use the Linux names, so both sets cannot simply be
 * included together.  The trick: every macro in UAPI_MACROS is saved with
 * push_macro while still undefined, Tessera's headers are included (their
 * struct and typedef names renamed to tess_*), each value and each layout
 * (sizeof, offsetof of every field) is captured in an enum, pop_macro makes
 * the names undefined again, and then the host headers come in and
 * _Static_assert compares.  Any mismatch fails the build, which the runner
 * reports.  Syscall numbers: every __NR_ of include/uapi/unistd.h against
 * asm/unistd_64.h, both directions through UAPI_SYSCALLS.
 */
#define DO_PRAGMA(x) _Pragma(#x)
#define PUSH(n) DO_PRAGMA(push_macro(#n))
#define POP(n) DO_PRAGMA(pop_macro(#n))
#define OURS(n) ours_##n = (long long)(n),

#define UAPI_MACROS(X) \
	X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) \
	X(EIO) X(ENXIO) X(E2BIG) X(ENOEXEC) \
	X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) \
	X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) \
	X(EXDEV) X(ENODEV) X(ENOTDIR) X(EISDIR) \
	X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTTY) \
	X(EFBIG) X(ENOSPC) X(ESPIPE) X(EROFS) \
	X(EMLINK) X(EPIPE) X(EDOM) X(ERANGE) \
	X(EDEADLK) X(ENAMETOOLONG) X(ENOLCK) X(ENOSYS) \
	X(ENOTEMPTY) X(ELOOP) X(ETXTBSY) X(ENOTSOCK) \
	X(ESTALE) X(ENODATA) X(ETIME) X(EOVERFLOW) \
	X(EBADMSG) X(EPROTO) X(EMSGSIZE) X(EOPNOTSUPP) \
	X(ENOBUFS) X(ETIMEDOUT) X(ECONNREFUSED) X(EHOSTDOWN) \
	X(EHOSTUNREACH) X(EALREADY) X(EINPROGRESS) X(EUCLEAN) \
	X(ECANCELED) X(O_ACCMODE) X(O_RDONLY) X(O_WRONLY) \
	X(O_RDWR) X(O_CREAT) X(O_EXCL) X(O_NOCTTY) \
	X(O_TRUNC) X(O_APPEND) X(O_NONBLOCK) X(O_DSYNC) \
	X(O_DIRECT) X(O_LARGEFILE) X(O_DIRECTORY) X(O_NOFOLLOW) \
	X(O_NOATIME) X(O_CLOEXEC) X(O_SYNC) X(O_PATH) \
	X(O_TMPFILE) X(F_DUPFD) X(F_GETFD) X(F_SETFD) \
	X(F_GETFL) X(F_SETFL) X(F_GETLK) X(F_SETLK) \
	X(F_SETLKW) X(F_DUPFD_CLOEXEC) X(FD_CLOEXEC) X(AT_FDCWD) \
	X(AT_SYMLINK_NOFOLLOW) X(AT_REMOVEDIR) X(AT_SYMLINK_FOLLOW) X(AT_EACCESS) \
	X(AT_NO_AUTOMOUNT) X(AT_EMPTY_PATH) X(AT_STATX_SYNC_TYPE) X(F_OK) \
	X(X_OK) X(W_OK) X(R_OK) X(SEEK_SET) \
	X(SEEK_CUR) X(SEEK_END) X(S_IFMT) X(S_IFSOCK) \
	X(S_IFLNK) X(S_IFREG) X(S_IFBLK) X(S_IFDIR) \
	X(S_IFCHR) X(S_IFIFO) X(S_ISUID) X(S_ISGID) \
	X(S_ISVTX) X(STATX_TYPE) X(STATX_MODE) X(STATX_NLINK) \
	X(STATX_UID) X(STATX_GID) X(STATX_ATIME) X(STATX_MTIME) \
	X(STATX_CTIME) X(STATX_INO) X(STATX_SIZE) X(STATX_BLOCKS) \
	X(STATX_BASIC_STATS) X(STATX_BTIME) X(CLOCK_REALTIME) X(CLOCK_MONOTONIC) \
	X(CLOCK_PROCESS_CPUTIME_ID) X(CLOCK_THREAD_CPUTIME_ID) X(CLOCK_MONOTONIC_RAW) X(CLOCK_REALTIME_COARSE) \
	X(CLOCK_MONOTONIC_COARSE) X(CLOCK_BOOTTIME) X(TIMER_ABSTIME) X(RLIMIT_CPU) \
	X(RLIMIT_FSIZE) X(RLIMIT_DATA) X(RLIMIT_STACK) X(RLIMIT_CORE) \
	X(RLIMIT_RSS) X(RLIMIT_NPROC) X(RLIMIT_NOFILE) X(RLIMIT_MEMLOCK) \
	X(RLIMIT_AS) X(RLIMIT_LOCKS) X(RLIMIT_SIGPENDING) X(RLIMIT_MSGQUEUE) \
	X(RLIMIT_NICE) X(RLIMIT_RTPRIO) X(RLIMIT_RTTIME) X(RLIM_NLIMITS) \
	X(RLIM_INFINITY) X(RUSAGE_SELF) X(RUSAGE_CHILDREN) X(RUSAGE_THREAD) \
	X(FUTEX_WAIT) X(FUTEX_WAKE) X(FUTEX_FD) X(FUTEX_REQUEUE) \
	X(FUTEX_CMP_REQUEUE) X(FUTEX_WAKE_OP) X(FUTEX_LOCK_PI) X(FUTEX_UNLOCK_PI) \
	X(FUTEX_TRYLOCK_PI) X(FUTEX_WAIT_BITSET) X(FUTEX_WAKE_BITSET) X(FUTEX_WAIT_REQUEUE_PI) \
	X(FUTEX_CMP_REQUEUE_PI) X(FUTEX_LOCK_PI2) X(FUTEX_PRIVATE_FLAG) X(FUTEX_CLOCK_REALTIME) \
	X(FUTEX_BITSET_MATCH_ANY) X(FUTEX_WAITERS) X(FUTEX_OWNER_DIED) X(FUTEX_TID_MASK) \
	X(FUTEX_OP_SET) X(FUTEX_OP_ADD) X(FUTEX_OP_OR) X(FUTEX_OP_ANDN) \
	X(FUTEX_OP_XOR) X(FUTEX_OP_OPARG_SHIFT) X(FUTEX_OP_CMP_EQ) X(FUTEX_OP_CMP_NE) \
	X(FUTEX_OP_CMP_LT) X(FUTEX_OP_CMP_LE) X(FUTEX_OP_CMP_GT) X(FUTEX_OP_CMP_GE) \
	X(ROBUST_LIST_LIMIT) X(SIGHUP) X(SIGINT) X(SIGQUIT) \
	X(SIGILL) X(SIGTRAP) X(SIGABRT) X(SIGBUS) \
	X(SIGFPE) X(SIGKILL) X(SIGUSR1) X(SIGSEGV) \
	X(SIGUSR2) X(SIGPIPE) X(SIGALRM) X(SIGTERM) \
	X(SIGSTKFLT) X(SIGCHLD) X(SIGCONT) X(SIGSTOP) \
	X(SIGTSTP) X(SIGTTIN) X(SIGTTOU) X(SIGURG) \
	X(SIGXCPU) X(SIGXFSZ) X(SIGVTALRM) X(SIGPROF) \
	X(SIGWINCH) X(SIGIO) X(SIGPWR) X(SIGSYS) \
	X(SIGRTMIN) X(SA_NOCLDSTOP) X(SA_NOCLDWAIT) \
	X(SA_SIGINFO) X(SA_RESTORER) X(SA_ONSTACK) X(SA_RESTART) \
	X(SA_NODEFER) X(SA_RESETHAND) X(SIG_BLOCK) X(SIG_UNBLOCK) \
	X(SIG_SETMASK) X(SS_ONSTACK) X(SS_DISABLE) X(MINSIGSTKSZ) \
	X(SI_USER) X(SI_KERNEL) X(SI_TKILL) X(SEGV_MAPERR) \
	X(SEGV_ACCERR) X(BUS_ADRERR) X(FPE_INTDIV) X(FPE_FLTDIV) \
	X(ILL_ILLOPN) X(TRAP_BRKPT) X(CLD_EXITED) X(CLD_KILLED) \
	X(CLD_DUMPED) X(UC_FP_XSTATE) X(UC_SIGCONTEXT_SS) X(UC_STRICT_RESTORE_SS) \
	X(FP_XSTATE_MAGIC1) X(FP_XSTATE_MAGIC2) X(CSIGNAL) X(CLONE_VM) \
	X(CLONE_FS) X(CLONE_FILES) X(CLONE_SIGHAND) X(CLONE_PIDFD) \
	X(CLONE_PTRACE) X(CLONE_VFORK) X(CLONE_PARENT) X(CLONE_THREAD) \
	X(CLONE_NEWNS) X(CLONE_SYSVSEM) X(CLONE_SETTLS) X(CLONE_PARENT_SETTID) \
	X(CLONE_CHILD_CLEARTID) X(CLONE_DETACHED) X(CLONE_UNTRACED) X(CLONE_CHILD_SETTID) \
	X(CLONE_NEWCGROUP) X(CLONE_NEWUTS) X(CLONE_NEWIPC) X(CLONE_NEWUSER) \
	X(CLONE_NEWPID) X(CLONE_NEWNET) X(CLONE_IO) X(CLONE_CLEAR_SIGHAND) \
	X(CLONE_INTO_CGROUP) X(CLONE_ARGS_SIZE_VER0) X(CLONE_ARGS_SIZE_VER1) \
	X(CLONE_ARGS_SIZE_VER2) X(WNOHANG) \
	X(WUNTRACED) X(WSTOPPED) X(WEXITED) X(WCONTINUED) \
	X(WNOWAIT) X(__WNOTHREAD) X(__WALL) X(__WCLONE) \
	\
	X(ARCH_SET_GS) X(ARCH_SET_FS) X(ARCH_GET_FS) X(ARCH_GET_GS) \
	X(ARCH_GET_CPUID) X(ARCH_SET_CPUID) X(GRND_NONBLOCK) X(GRND_RANDOM) \
	X(GRND_INSECURE) X(POLLIN) X(POLLPRI) X(POLLOUT) \
	X(POLLERR) X(POLLHUP) X(POLLNVAL) X(POLLRDNORM) \
	X(POLLRDBAND) X(POLLWRNORM) X(POLLWRBAND) \
	X(DT_UNKNOWN) X(DT_FIFO) X(DT_CHR) X(DT_DIR) \
	X(DT_BLK) X(DT_REG) X(DT_LNK) X(TCGETS) \
	X(TCSETS) X(TCSETSW) X(TCSETSF) X(TIOCGPGRP) \
	X(TIOCSPGRP) X(TIOCGWINSZ) X(TIOCSWINSZ) X(FIONREAD) \
	X(FIONBIO) X(FIOCLEX) X(NCCS) X(ICRNL) \
	X(IXON) X(OPOST) X(ONLCR) X(B38400) \
	X(CS8) X(CREAD) X(ISIG) X(ICANON) \
	X(ECHO) X(ECHOE) X(ECHOK) X(IEXTEN) \

#define UAPI_SYSCALLS(X) \
	X(__NR_read) \
	X(__NR_write) \
	X(__NR_open) \
	X(__NR_close) \
	X(__NR_stat) \
	X(__NR_fstat) \
	X(__NR_lstat) \
	X(__NR_poll) \
	X(__NR_lseek) \
	X(__NR_mmap) \
	X(__NR_mprotect) \
	X(__NR_munmap) \
	X(__NR_brk) \
	X(__NR_rt_sigaction) \
	X(__NR_rt_sigprocmask) \
	X(__NR_rt_sigreturn) \
	X(__NR_ioctl) \
	X(__NR_pread64) \
	X(__NR_pwrite64) \
	X(__NR_readv) \
	X(__NR_writev) \
	X(__NR_access) \
	X(__NR_pipe) \
	X(__NR_select) \
	X(__NR_sched_yield) \
	X(__NR_mremap) \
	X(__NR_msync) \
	X(__NR_mincore) \
	X(__NR_madvise) \
	X(__NR_shmget) \
	X(__NR_shmat) \
	X(__NR_shmctl) \
	X(__NR_dup) \
	X(__NR_dup2) \
	X(__NR_pause) \
	X(__NR_nanosleep) \
	X(__NR_getitimer) \
	X(__NR_alarm) \
	X(__NR_setitimer) \
	X(__NR_getpid) \
	X(__NR_sendfile) \
	X(__NR_socket) \
	X(__NR_connect) \
	X(__NR_accept) \
	X(__NR_sendto) \
	X(__NR_recvfrom) \
	X(__NR_sendmsg) \
	X(__NR_recvmsg) \
	X(__NR_shutdown) \
	X(__NR_bind) \
	X(__NR_listen) \
	X(__NR_getsockname) \
	X(__NR_getpeername) \
	X(__NR_socketpair) \
	X(__NR_setsockopt) \
	X(__NR_getsockopt) \
	X(__NR_clone) \
	X(__NR_fork) \
	X(__NR_vfork) \
	X(__NR_execve) \
	X(__NR_exit) \
	X(__NR_wait4) \
	X(__NR_kill) \
	X(__NR_uname) \
	X(__NR_semget) \
	X(__NR_semop) \
	X(__NR_semctl) \
	X(__NR_shmdt) \
	X(__NR_msgget) \
	X(__NR_msgsnd) \
	X(__NR_msgrcv) \
	X(__NR_msgctl) \
	X(__NR_fcntl) \
	X(__NR_flock) \
	X(__NR_fsync) \
	X(__NR_fdatasync) \
	X(__NR_truncate) \
	X(__NR_ftruncate) \
	X(__NR_getdents) \
	X(__NR_getcwd) \
	X(__NR_chdir) \
	X(__NR_fchdir) \
	X(__NR_rename) \
	X(__NR_mkdir) \
	X(__NR_rmdir) \
	X(__NR_creat) \
	X(__NR_link) \
	X(__NR_unlink) \
	X(__NR_symlink) \
	X(__NR_readlink) \
	X(__NR_chmod) \
	X(__NR_fchmod) \
	X(__NR_chown) \
	X(__NR_fchown) \
	X(__NR_lchown) \
	X(__NR_umask) \
	X(__NR_gettimeofday) \
	X(__NR_getrlimit) \
	X(__NR_getrusage) \
	X(__NR_sysinfo) \
	X(__NR_times) \
	X(__NR_ptrace) \
	X(__NR_getuid) \
	X(__NR_syslog) \
	X(__NR_getgid) \
	X(__NR_setuid) \
	X(__NR_setgid) \
	X(__NR_geteuid) \
	X(__NR_getegid) \
	X(__NR_setpgid) \
	X(__NR_getppid) \
	X(__NR_getpgrp) \
	X(__NR_setsid) \
	X(__NR_setreuid) \
	X(__NR_setregid) \
	X(__NR_getgroups) \
	X(__NR_setgroups) \
	X(__NR_setresuid) \
	X(__NR_getresuid) \
	X(__NR_setresgid) \
	X(__NR_getresgid) \
	X(__NR_getpgid) \
	X(__NR_setfsuid) \
	X(__NR_setfsgid) \
	X(__NR_getsid) \
	X(__NR_capget) \
	X(__NR_capset) \
	X(__NR_rt_sigpending) \
	X(__NR_rt_sigtimedwait) \
	X(__NR_rt_sigqueueinfo) \
	X(__NR_rt_sigsuspend) \
	X(__NR_sigaltstack) \
	X(__NR_utime) \
	X(__NR_mknod) \
	X(__NR_uselib) \
	X(__NR_personality) \
	X(__NR_ustat) \
	X(__NR_statfs) \
	X(__NR_fstatfs) \
	X(__NR_sysfs) \
	X(__NR_getpriority) \
	X(__NR_setpriority) \
	X(__NR_sched_setparam) \
	X(__NR_sched_getparam) \
	X(__NR_sched_setscheduler) \
	X(__NR_sched_getscheduler) \
	X(__NR_sched_get_priority_max) \
	X(__NR_sched_get_priority_min) \
	X(__NR_sched_rr_get_interval) \
	X(__NR_mlock) \
	X(__NR_munlock) \
	X(__NR_mlockall) \
	X(__NR_munlockall) \
	X(__NR_vhangup) \
	X(__NR_modify_ldt) \
	X(__NR_pivot_root) \
	X(__NR__sysctl) \
	X(__NR_prctl) \
	X(__NR_arch_prctl) \
	X(__NR_adjtimex) \
	X(__NR_setrlimit) \
	X(__NR_chroot) \
	X(__NR_sync) \
	X(__NR_acct) \
	X(__NR_settimeofday) \
	X(__NR_mount) \
	X(__NR_umount2) \
	X(__NR_swapon) \
	X(__NR_swapoff) \
	X(__NR_reboot) \
	X(__NR_sethostname) \
	X(__NR_setdomainname) \
	X(__NR_iopl) \
	X(__NR_ioperm) \
	X(__NR_create_module) \
	X(__NR_init_module) \
	X(__NR_delete_module) \
	X(__NR_get_kernel_syms) \
	X(__NR_query_module) \
	X(__NR_quotactl) \
	X(__NR_nfsservctl) \
	X(__NR_getpmsg) \
	X(__NR_putpmsg) \
	X(__NR_afs_syscall) \
	X(__NR_tuxcall) \
	X(__NR_security) \
	X(__NR_gettid) \
	X(__NR_readahead) \
	X(__NR_setxattr) \
	X(__NR_lsetxattr) \
	X(__NR_fsetxattr) \
	X(__NR_getxattr) \
	X(__NR_lgetxattr) \
	X(__NR_fgetxattr) \
	X(__NR_listxattr) \
	X(__NR_llistxattr) \
	X(__NR_flistxattr) \
	X(__NR_removexattr) \
	X(__NR_lremovexattr) \
	X(__NR_fremovexattr) \
	X(__NR_tkill) \
	X(__NR_time) \
	X(__NR_futex) \
	X(__NR_sched_setaffinity) \
	X(__NR_sched_getaffinity) \
	X(__NR_set_thread_area) \
	X(__NR_io_setup) \
	X(__NR_io_destroy) \
	X(__NR_io_getevents) \
	X(__NR_io_submit) \
	X(__NR_io_cancel) \
	X(__NR_get_thread_area) \
	X(__NR_lookup_dcookie) \
	X(__NR_epoll_create) \
	X(__NR_epoll_ctl_old) \
	X(__NR_epoll_wait_old) \
	X(__NR_remap_file_pages) \
	X(__NR_getdents64) \
	X(__NR_set_tid_address) \
	X(__NR_restart_syscall) \
	X(__NR_semtimedop) \
	X(__NR_fadvise64) \
	X(__NR_timer_create) \
	X(__NR_timer_settime) \
	X(__NR_timer_gettime) \
	X(__NR_timer_getoverrun) \
	X(__NR_timer_delete) \
	X(__NR_clock_settime) \
	X(__NR_clock_gettime) \
	X(__NR_clock_getres) \
	X(__NR_clock_nanosleep) \
	X(__NR_exit_group) \
	X(__NR_epoll_wait) \
	X(__NR_epoll_ctl) \
	X(__NR_tgkill) \
	X(__NR_utimes) \
	X(__NR_vserver) \
	X(__NR_mbind) \
	X(__NR_set_mempolicy) \
	X(__NR_get_mempolicy) \
	X(__NR_mq_open) \
	X(__NR_mq_unlink) \
	X(__NR_mq_timedsend) \
	X(__NR_mq_timedreceive) \
	X(__NR_mq_notify) \
	X(__NR_mq_getsetattr) \
	X(__NR_kexec_load) \
	X(__NR_waitid) \
	X(__NR_add_key) \
	X(__NR_request_key) \
	X(__NR_keyctl) \
	X(__NR_ioprio_set) \
	X(__NR_ioprio_get) \
	X(__NR_inotify_init) \
	X(__NR_inotify_add_watch) \
	X(__NR_inotify_rm_watch) \
	X(__NR_migrate_pages) \
	X(__NR_openat) \
	X(__NR_mkdirat) \
	X(__NR_mknodat) \
	X(__NR_fchownat) \
	X(__NR_futimesat) \
	X(__NR_newfstatat) \
	X(__NR_unlinkat) \
	X(__NR_renameat) \
	X(__NR_linkat) \
	X(__NR_symlinkat) \
	X(__NR_readlinkat) \
	X(__NR_fchmodat) \
	X(__NR_faccessat) \
	X(__NR_pselect6) \
	X(__NR_ppoll) \
	X(__NR_unshare) \
	X(__NR_set_robust_list) \
	X(__NR_get_robust_list) \
	X(__NR_splice) \
	X(__NR_tee) \
	X(__NR_sync_file_range) \
	X(__NR_vmsplice) \
	X(__NR_move_pages) \
	X(__NR_utimensat) \
	X(__NR_epoll_pwait) \
	X(__NR_signalfd) \
	X(__NR_timerfd_create) \
	X(__NR_eventfd) \
	X(__NR_fallocate) \
	X(__NR_timerfd_settime) \
	X(__NR_timerfd_gettime) \
	X(__NR_accept4) \
	X(__NR_signalfd4) \
	X(__NR_eventfd2) \
	X(__NR_epoll_create1) \
	X(__NR_dup3) \
	X(__NR_pipe2) \
	X(__NR_inotify_init1) \
	X(__NR_preadv) \
	X(__NR_pwritev) \
	X(__NR_rt_tgsigqueueinfo) \
	X(__NR_perf_event_open) \
	X(__NR_recvmmsg) \
	X(__NR_fanotify_init) \
	X(__NR_fanotify_mark) \
	X(__NR_prlimit64) \
	X(__NR_name_to_handle_at) \
	X(__NR_open_by_handle_at) \
	X(__NR_clock_adjtime) \
	X(__NR_syncfs) \
	X(__NR_sendmmsg) \
	X(__NR_setns) \
	X(__NR_getcpu) \
	X(__NR_process_vm_readv) \
	X(__NR_process_vm_writev) \
	X(__NR_kcmp) \
	X(__NR_finit_module) \
	X(__NR_sched_setattr) \
	X(__NR_sched_getattr) \
	X(__NR_renameat2) \
	X(__NR_seccomp) \
	X(__NR_getrandom) \
	X(__NR_memfd_create) \
	X(__NR_kexec_file_load) \
	X(__NR_bpf) \
	X(__NR_execveat) \
	X(__NR_userfaultfd) \
	X(__NR_membarrier) \
	X(__NR_mlock2) \
	X(__NR_copy_file_range) \
	X(__NR_preadv2) \
	X(__NR_pwritev2) \
	X(__NR_pkey_mprotect) \
	X(__NR_pkey_alloc) \
	X(__NR_pkey_free) \
	X(__NR_statx) \
	X(__NR_io_pgetevents) \
	X(__NR_rseq) \
	X(__NR_pidfd_send_signal) \
	X(__NR_io_uring_setup) \
	X(__NR_io_uring_enter) \
	X(__NR_io_uring_register) \
	X(__NR_open_tree) \
	X(__NR_move_mount) \
	X(__NR_fsopen) \
	X(__NR_fsconfig) \
	X(__NR_fsmount) \
	X(__NR_fspick) \
	X(__NR_pidfd_open) \
	X(__NR_clone3) \
	X(__NR_close_range) \
	X(__NR_openat2) \
	X(__NR_pidfd_getfd) \
	X(__NR_faccessat2) \
	X(__NR_process_madvise) \
	X(__NR_epoll_pwait2) \
	X(__NR_mount_setattr) \
	X(__NR_quotactl_fd) \
	X(__NR_landlock_create_ruleset) \
	X(__NR_landlock_add_rule) \
	X(__NR_landlock_restrict_self) \
	X(__NR_memfd_secret) \
	X(__NR_process_mrelease) \
	X(__NR_futex_waitv) \
	X(__NR_set_mempolicy_home_node) \

/* Struct layouts: FIELD(our struct, our field, host struct, host field). */
#define UAPI_FIELDS(F) \
	F(stat, st_dev, stat, st_dev) F(stat, st_ino, stat, st_ino) \
	F(stat, st_nlink, stat, st_nlink) F(stat, st_mode, stat, st_mode) \
	F(stat, st_uid, stat, st_uid) F(stat, st_gid, stat, st_gid) \
	F(stat, st_rdev, stat, st_rdev) F(stat, st_size, stat, st_size) \
	F(stat, st_blksize, stat, st_blksize) F(stat, st_blocks, stat, st_blocks) \
	F(stat, st_atime, stat, st_atim) \
	F(stat, st_mtime, stat, st_mtim) \
	F(stat, st_ctime, stat, st_ctim) \
	F(statx, stx_mask, statx, stx_mask) F(statx, stx_blksize, statx, stx_blksize) \
	F(statx, stx_attributes, statx, stx_attributes) F(statx, stx_nlink, statx, stx_nlink) \
	F(statx, stx_uid, statx, stx_uid) F(statx, stx_gid, statx, stx_gid) \
	F(statx, stx_mode, statx, stx_mode) F(statx, stx_ino, statx, stx_ino) \
	F(statx, stx_size, statx, stx_size) F(statx, stx_blocks, statx, stx_blocks) \
	F(statx, stx_attributes_mask, statx, stx_attributes_mask) \
	F(statx, stx_atime, statx, stx_atime) F(statx, stx_btime, statx, stx_btime) \
	F(statx, stx_ctime, statx, stx_ctime) F(statx, stx_mtime, statx, stx_mtime) \
	F(statx, stx_rdev_major, statx, stx_rdev_major) \
	F(statx, stx_dev_major, statx, stx_dev_major) \
	F(statx, stx_dev_minor, statx, stx_dev_minor) \
	F(timespec, tv_sec, __kernel_timespec, tv_sec) \
	F(timespec, tv_nsec, __kernel_timespec, tv_nsec) \
	F(timeval, tv_sec, __kernel_old_timeval, tv_sec) F(timeval, tv_usec, __kernel_old_timeval, tv_usec) \
	F(rlimit, rlim_cur, rlimit, rlim_cur) F(rlimit, rlim_max, rlimit, rlim_max) \
	F(rusage, ru_utime, rusage, ru_utime) F(rusage, ru_stime, rusage, ru_stime) \
	F(rusage, ru_maxrss, rusage, ru_maxrss) F(rusage, ru_minflt, rusage, ru_minflt) \
	F(rusage, ru_nivcsw, rusage, ru_nivcsw) \
	F(utsname, sysname, new_utsname, sysname) F(utsname, nodename, new_utsname, nodename) \
	F(utsname, release, new_utsname, release) F(utsname, version, new_utsname, version) \
	F(utsname, machine, new_utsname, machine) F(utsname, domainname, new_utsname, domainname) \
	F(sysinfo, uptime, sysinfo, uptime) F(sysinfo, loads, sysinfo, loads) \
	F(sysinfo, totalram, sysinfo, totalram) F(sysinfo, freeram, sysinfo, freeram) \
	F(sysinfo, procs, sysinfo, procs) F(sysinfo, totalhigh, sysinfo, totalhigh) \
	F(sysinfo, mem_unit, sysinfo, mem_unit) \
	F(clone_args, flags, clone_args, flags) F(clone_args, pidfd, clone_args, pidfd) \
	F(clone_args, child_tid, clone_args, child_tid) \
	F(clone_args, parent_tid, clone_args, parent_tid) \
	F(clone_args, exit_signal, clone_args, exit_signal) \
	F(clone_args, stack, clone_args, stack) \
	F(clone_args, stack_size, clone_args, stack_size) F(clone_args, tls, clone_args, tls) \
	F(clone_args, set_tid, clone_args, set_tid) \
	F(clone_args, set_tid_size, clone_args, set_tid_size) \
	F(clone_args, cgroup, clone_args, cgroup) \
	F(robust_list_head, list, robust_list_head, list) \
	F(robust_list_head, futex_offset, robust_list_head, futex_offset) \
	F(robust_list_head, list_op_pending, robust_list_head, list_op_pending) \
	F(sigaction, sa_handler, sigaction, sa_handler) \
	F(sigaction, sa_flags, sigaction, sa_flags) \
	F(sigaction, sa_restorer, sigaction, sa_restorer) \
	F(sigaction, sa_mask, sigaction, sa_mask) \
	F(sigaltstack, ss_sp, sigaltstack, ss_sp) F(sigaltstack, ss_flags, sigaltstack, ss_flags) \
	F(sigaltstack, ss_size, sigaltstack, ss_size) \
	F(siginfo, si_signo, siginfo, si_signo) F(siginfo, si_errno, siginfo, si_errno) \
	F(siginfo, si_code, siginfo, si_code) F(siginfo, f.kill.pid, siginfo, si_pid) \
	F(siginfo, f.kill.uid, siginfo, si_uid) F(siginfo, f.chld.status, siginfo, si_status) \
	F(siginfo, f.chld.utime, siginfo, si_utime) F(siginfo, f.chld.stime, siginfo, si_stime) \
	F(siginfo, f.fault.addr, siginfo, si_addr) \
	F(sigcontext, r8, sigcontext, r8) F(sigcontext, r15, sigcontext, r15) \
	F(sigcontext, rdi, sigcontext, rdi) F(sigcontext, rax, sigcontext, rax) \
	F(sigcontext, rsp, sigcontext, rsp) F(sigcontext, rip, sigcontext, rip) \
	F(sigcontext, eflags, sigcontext, eflags) F(sigcontext, cs, sigcontext, cs) \
	F(sigcontext, gs, sigcontext, gs) F(sigcontext, fs, sigcontext, fs) \
	F(sigcontext, ss, sigcontext, ss) F(sigcontext, err, sigcontext, err) \
	F(sigcontext, trapno, sigcontext, trapno) F(sigcontext, oldmask, sigcontext, oldmask) \
	F(sigcontext, cr2, sigcontext, cr2) F(sigcontext, fpstate, sigcontext, fpstate) \
	F(ucontext, uc_flags, ucontext, uc_flags) F(ucontext, uc_link, ucontext, uc_link) \
	F(ucontext, uc_stack, ucontext, uc_stack) F(ucontext, uc_mcontext, ucontext, uc_mcontext) \
	F(ucontext, uc_sigmask, ucontext, uc_sigmask) \
	F(fpx_sw_bytes, magic1, _fpx_sw_bytes, magic1) \
	F(fpx_sw_bytes, extended_size, _fpx_sw_bytes, extended_size) \
	F(fpx_sw_bytes, xfeatures, _fpx_sw_bytes, xfeatures) \
	F(fpx_sw_bytes, xstate_size, _fpx_sw_bytes, xstate_size) \
	F(pollfd, fd, pollfd, fd) F(pollfd, events, pollfd, events) \
	F(pollfd, revents, pollfd, revents) \
	F(iovec, iov_base, iovec, iov_base) F(iovec, iov_len, iovec, iov_len) \
	F(linux_dirent64, d_ino, dirent, d_ino) F(linux_dirent64, d_off, dirent, d_off) \
	F(linux_dirent64, d_reclen, dirent, d_reclen) \
	F(linux_dirent64, d_type, dirent, d_type) \
	F(linux_dirent64, d_name, dirent, d_name) \
	F(termios, c_iflag, termios, c_iflag) F(termios, c_oflag, termios, c_oflag) \
	F(termios, c_cflag, termios, c_cflag) F(termios, c_lflag, termios, c_lflag) \
	F(termios, c_line, termios, c_line) F(termios, c_cc, termios, c_cc) \
	F(winsize, ws_row, winsize, ws_row) F(winsize, ws_col, winsize, ws_col) \
	F(winsize, ws_xpixel, winsize, ws_xpixel) F(winsize, ws_ypixel, winsize, ws_ypixel)

/* Whole-struct sizes: SIZE(our struct, host struct). */
#define UAPI_SIZES(S) \
	S(stat, stat) S(statx, statx) S(timespec, __kernel_timespec) \
	S(timeval, __kernel_old_timeval) S(timezone, linux_timezone) S(rlimit, rlimit) \
	S(rusage, rusage) S(utsname, new_utsname) S(sysinfo, sysinfo) \
	S(robust_list_head, robust_list_head) S(sigaction, sigaction) \
	S(clone_args, clone_args) \
	S(sigaltstack, sigaltstack) S(siginfo, siginfo) S(sigcontext, sigcontext) \
	S(ucontext, ucontext) S(fpx_sw_bytes, _fpx_sw_bytes) S(pollfd, pollfd) \
	S(iovec, iovec) S(termios, termios) S(winsize, winsize)

UAPI_MACROS(PUSH)
UAPI_SYSCALLS(PUSH)

/* Tessera's side. */
#define stat tess_stat
#define statx tess_statx
#define statx_timestamp tess_statx_timestamp
#define timespec tess_timespec
#define timeval tess_timeval
#define timezone tess_timezone
#define tms tess_tms
#define rlimit tess_rlimit
#define rusage tess_rusage
#define utsname tess_utsname
#define sysinfo tess_sysinfo
#define clone_args tess_clone_args
#define robust_list tess_robust_list
#define robust_list_head tess_robust_list_head
#define sigaction tess_sigaction
#define sigaltstack tess_sigaltstack
#define stack_t tess_stack_t
#define siginfo tess_siginfo
#define siginfo_t tess_siginfo_t
#define sigset_t tess_sigset_t
#define sigcontext tess_sigcontext
#define ucontext tess_ucontext
#define fpx_sw_bytes tess_fpx_sw_bytes
#define pollfd tess_pollfd
#define iovec tess_iovec
#define linux_dirent64 tess_linux_dirent64
#define termios tess_termios
#define winsize tess_winsize
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/futex.h>
#include <uapi/poll.h>
#include <uapi/resource.h>
#include <uapi/sched.h>
#include <uapi/signal.h>
#include <uapi/stat.h>
#include <uapi/time.h>
#include <uapi/unistd.h>
#include <uapi/utsname.h>

#define OFFNAME(s, f) ours_off_##s##__##f
#define OURS_OFF(s, f, hs, hf) \
	ours_off_##s##_##hf = offsetof(struct tess_##s, f),
#define OURS_SIZE(s, hs) ours_size_##s = sizeof(struct tess_##s),
enum { UAPI_MACROS(OURS) UAPI_SYSCALLS(OURS) UAPI_FIELDS(OURS_OFF)
       UAPI_SIZES(OURS_SIZE) };

#undef stat
#undef statx
#undef statx_timestamp
#undef timespec
#undef timeval
#undef timezone
#undef tms
#undef rlimit
#undef rusage
#undef utsname
#undef sysinfo
#undef clone_args
#undef robust_list
#undef robust_list_head
#undef sigaction
#undef sigaltstack
#undef stack_t
#undef siginfo
#undef siginfo_t
#undef sigset_t
#undef sigcontext
#undef ucontext
#undef fpx_sw_bytes
#undef pollfd
#undef iovec
#undef linux_dirent64
#undef termios
#undef winsize
UAPI_MACROS(POP)
UAPI_SYSCALLS(POP)

/* The host's side: glibc where its names and layouts are the kernel's,
 * linux-libc-dev's asm/ and linux/ headers for the kernel-only structs
 * (its sigset_t renamed: glibc already has one). */
#include "harness.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>
#define timeval linux_timeval
#define itimerspec linux_itimerspec
#define itimerval linux_itimerval
#define timezone linux_timezone
#include <linux/time.h>
#undef timeval
#undef itimerspec
#undef itimerval
#undef timezone
#define sigset_t kernel_sigset_t
#include <linux/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#undef sigset_t
#include <asm/prctl.h>
#include <asm/termios.h>
#include <asm/ioctls.h>
#include <asm/unistd_64.h>
#include <linux/fcntl.h>
#include <linux/futex.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/stat.h>
#include <linux/time_types.h>
#include <linux/uio.h>
#include <linux/utsname.h>

#define CHECK_MACRO(n) _Static_assert(ours_##n == (long long)(n), #n);
#define CHECK_OFF(s, f, hs, hf) \
	_Static_assert(ours_off_##s##_##hf == offsetof(struct hs, hf), \
		       #s "." #f);
#define CHECK_SIZE(s, hs) \
	_Static_assert(ours_size_##s == sizeof(struct hs), "sizeof " #s);
UAPI_MACROS(CHECK_MACRO)
UAPI_SYSCALLS(CHECK_MACRO)
UAPI_FIELDS(CHECK_OFF)
UAPI_SIZES(CHECK_SIZE)

/* The host knows no syscall beyond our table's last one. */
static void test_table_complete(void)
{
	CHECK_EQ(ours___NR_set_mempolicy_home_node, __NR_set_mempolicy_home_node);
#ifdef __NR_cachestat
	CHECK(0, "host has __NR_cachestat (%d): extend syscalls.tbl",
	      __NR_cachestat);
#endif
}

int main(void)
{
	RUN(test_table_complete);
	return harness_exit();
}
