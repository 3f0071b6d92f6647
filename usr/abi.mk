# usr/abi.mk — the Linux ABI layer's user programs, built with the host
# toolchain (`make -C usr -f abi.mk OUT=DIR`; the kernel build runs it).
# usr/Makefile is the P2M programs' fragment of the top Makefile.
#
#   tests/*.c   static -nostdlib programs on usr/lib/nolibc.h; embedded in
#               the kernel (managers/processor/embedded.S) and run by the
#               selftests and `tessera run`; the same binaries run on the
#               host for output comparison (scripts/run-tests).
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

TESTS	:= $(basename $(notdir $(wildcard tests/*.c)))
LIBC	:= $(basename $(notdir $(wildcard libc/*.c)))
DISK	:= $(basename $(notdir $(wildcard disk/*.c)))
MUSLCC	:= $(shell command -v musl-gcc)

.PHONY: all
all: $(addprefix $(OUT)/,$(TESTS) $(addprefix g_,$(LIBC)) \
	$(if $(MUSLCC),$(addprefix m_,$(LIBC)))) \
	$(addprefix $(DISK_OUT)/,$(DISK))

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
