# usr/abi.mk — the Linux ABI layer's user programs, built with the host
# toolchain (`make -C usr -f abi.mk OUT=DIR`; the kernel build runs it).
# usr/Makefile is the P2M programs' fragment of the top Makefile.
#
#   tests/*.c   static -nostdlib programs on usr/lib/nolibc.h; embedded in
#               the kernel (managers/processor/embedded.S) and run by the
#               selftests and `tessera run`; the same binaries run on the
#               host for output comparison (scripts/run-tests).
#
#   tests/t_*.c also built as real libc programs, g_t_NAME against
#               static glibc and m_t_NAME with musl-gcc -static: hosted
#               mode of nolibc.h (lib/hosted.h), the libc's own startup and
#               exit run around main.  Not embedded (static glibc is about
#               800 KB a program; the 24 of them, 10.7 MB, would more
#               than double the 8.5 MB kernel image):
#               they go on the disk images scripts/abi-compare builds, which
#               runs them in its batch boot (all, and p,m,s at 1 and 4
#               CPUs).  Left out of the libc builds: tests/hello.c (the
#               libc hello is libc/hello.c, g_hello and m_hello; t_exec
#               execs the nolibc one) and the x_* tools (x_batch, x_fuzz,
#               x_oom, x_tty: Tessera-only drivers, not area tests with a
#               host run to compare against).
#
#   libc/*.c    ordinary C programs, each built twice: g_NAME statically
#               against the host's glibc, m_NAME with musl-gcc -static
#               (Debian's musl-tools); embedded and compared the same way.
#
#   disk/*.c    static -nostdlib programs too big or too odd to embed
#               (a 6 MiB one): into DISK_OUT, copied onto disk images by
#               scripts/abi-busybox.
#
# OUT is the output directory (the kernel build passes build/usr/abi).
OUT	?= ../build/usr/abi
DISK_OUT ?= $(OUT)/../../usr-disk
CC	:= gcc
CFLAGS	:= -O2 -g -static -nostdlib -fno-pie -no-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-builtin -ffreestanding \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function

GCFLAGS	:= -O2 -g -static -Wall -Wextra -Werror -pthread
# Hosted builds of tests/t_*.c: no -ffreestanding (nolibc.h picks its mode
# from __STDC_HOSTED__), no stack protector (t_basic swaps the thread
# pointer that holds the canary; raw clone children run on bare stacks).
HCFLAGS	:= -O2 -g -static -fno-pie -no-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function

TESTS	:= $(basename $(notdir $(wildcard tests/*.c)))
LIBC	:= $(basename $(notdir $(wildcard libc/*.c)))
DISK	:= $(basename $(notdir $(wildcard disk/*.c)))
HOSTED	:= $(filter t_%,$(TESTS))
MUSLCC	:= $(shell command -v musl-gcc)

.PHONY: all
all: $(addprefix $(OUT)/,$(TESTS) $(addprefix g_,$(LIBC) $(HOSTED)) \
	$(if $(MUSLCC),$(addprefix m_,$(LIBC) $(HOSTED)))) \
	$(addprefix $(DISK_OUT)/,$(DISK))

$(OUT)/g_t_%: tests/t_%.c lib/nolibc.h lib/hosted.h
	@mkdir -p $(OUT)
	@echo "  USERCC  usr/tests/t_$* (static glibc)"
	@$(CC) $(HCFLAGS) $< -o $@

$(OUT)/m_t_%: tests/t_%.c lib/nolibc.h lib/hosted.h
	@mkdir -p $(OUT)
	@echo "  MUSLCC  usr/tests/t_$* (static musl)"
	@$(MUSLCC) $(HCFLAGS) $< -o $@

$(OUT)/g_%: libc/%.c
	@mkdir -p $(OUT)
	@echo "  USERCC  usr/libc/$* (static glibc)"
	@$(CC) $(GCFLAGS) $< -o $@

$(OUT)/m_%: libc/%.c
	@mkdir -p $(OUT)
	@echo "  MUSLCC  usr/libc/$* (static musl)"
	@$(MUSLCC) $(GCFLAGS) $< -o $@

$(OUT)/%: tests/%.c lib/nolibc.h
	@mkdir -p $(OUT)
	@echo "  USERCC  usr/tests/$*"
	@$(CC) $(CFLAGS) $< -o $@

$(DISK_OUT)/%: disk/%.c lib/nolibc.h
	@mkdir -p $(DISK_OUT)
	@echo "  USERCC  usr/disk/$*"
	@$(CC) $(CFLAGS) $< -o $@
