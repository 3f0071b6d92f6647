# Tessera top-level Makefile.
#
# Kbuild-style: every directory in DIRS has a Makefile fragment that adds to
# obj-y (obj-$(CONFIG_X) += x.o).  Configuration comes from Kconfig through
# kconfiglib into .config (Make syntax) and build/include/generated/autoconf.h.
# The kernel links twice: once with an empty symbol table, once with the
# table generated from the first link (it sits last, so nothing moves).
#
# Targets: all (default), defconfig, <name>_defconfig, menuconfig,
# olddefconfig, iso, test, check-host, run, bench, clean, distclean.

BUILD	?= build
PY	:= /usr/bin/python3
CC	:= gcc
LD	:= ld
NM	:= nm
KCONFIG_CONFIG ?= .config
export KCONFIG_CONFIG

# Directory fragments may carry rules (generated sources): keep `all` the
# default goal whatever they define first.
.DEFAULT_GOAL := all

# Top-level directories; each one's Makefile lists its objects (obj-y) and
# its subdirectories (subdir-y), so a new directory touches only its parent.
DIRS := arch/x86 kernel mm lib drivers net managers

# --- dependencies and configuration ---------------------------------------
DEPS_OK := $(shell scripts/setup-deps --check >/dev/null 2>&1 && echo y)
ifneq ($(DEPS_OK),y)
  $(info Installing missing packages (scripts/setup-deps)...)
  $(shell scripts/setup-deps >&2)
endif

CONFIG_TARGETS := defconfig %_defconfig menuconfig olddefconfig clean distclean
ifeq ($(filter $(CONFIG_TARGETS),$(MAKECMDGOALS)),)
  ifeq ($(wildcard $(KCONFIG_CONFIG)),)
    $(info No $(KCONFIG_CONFIG): using configs/all_defconfig)
    $(shell $(PY) /usr/lib/python3/dist-packages/defconfig.py --kconfig Kconfig configs/all_defconfig >&2)
  endif
  include $(KCONFIG_CONFIG)
endif

AUTOCONF := $(BUILD)/include/generated/autoconf.h

# --- flags ----------------------------------------------------------------
CPPFLAGS := -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Iinclude -Iarch/x86/include -I$(BUILD)/include \
	-include $(AUTOCONF) -include tessera/compiler.h -MMD -MP
CFLAGS	:= -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 -fno-stack-protector \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-strict-aliasing \
	-fno-common -fno-asynchronous-unwind-tables -fno-builtin \
	-fno-tree-loop-distribute-patterns \
	-Wframe-larger-than=2048 -Wvla -Wmissing-prototypes -Wstrict-prototypes
ASFLAGS	:= -D__ASSEMBLER__ -g
LDFLAGS	:= -nostdlib -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

# --- object collection ----------------------------------------------------
OBJS :=
define collect
obj-y :=
subdir-y :=
include $(1)/Makefile
OBJS += $$(addprefix $(BUILD)/$(1)/,$$(obj-y))
SUBDIRS_$(1) := $$(addprefix $(1)/,$$(subdir-y))
$$(foreach d,$$(SUBDIRS_$(1)),$$(eval $$(call collect,$$(d))))
endef
$(foreach d,$(DIRS),$(eval $(call collect,$(d))))

KERNEL := $(BUILD)/tessera.elf

.PHONY: all
all: $(KERNEL)

# User programs (host gcc) embedded in the image: usr/Makefile.
include usr/Makefile
OBJS += $(USR_OBJ)

KCONFIG_FILES := $(shell find . -name Kconfig -not -path './build/*')

# A .config older than a Kconfig file gets the new symbols' defaults (make
# re-reads the included .config after this rule ran).
$(KCONFIG_CONFIG): $(KCONFIG_FILES)
	$(PY) /usr/lib/python3/dist-packages/olddefconfig.py Kconfig

$(AUTOCONF): $(KCONFIG_CONFIG) $(KCONFIG_FILES)
	@mkdir -p $(dir $@)
	$(PY) /usr/lib/python3/dist-packages/genconfig.py --header-path $@ Kconfig

$(BUILD)/%.o: %.c $(AUTOCONF)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S $(AUTOCONF)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(CPPFLAGS) $(ASFLAGS) -c $< -o $@

$(BUILD)/kernel.lds: arch/x86/kernel.lds.S $(AUTOCONF)
	@$(CC) $(CPPFLAGS) -D__ASSEMBLER__ -E -P -x c $< -o $@

# Pass 1: empty symbol table.  Pass 2: real table.  Check nothing moved.
$(KERNEL): $(OBJS) $(BUILD)/kernel.lds scripts/gen-kallsyms
	@echo "  LD      $@"
	@$(PY) scripts/gen-kallsyms --empty > $(BUILD)/kallsyms0.S
	@$(CC) $(ASFLAGS) -c $(BUILD)/kallsyms0.S -o $(BUILD)/kallsyms0.o
	@$(LD) $(LDFLAGS) -T $(BUILD)/kernel.lds -o $@.0 $(OBJS) $(BUILD)/kallsyms0.o
	@$(NM) -n $@.0 | $(PY) scripts/gen-kallsyms > $(BUILD)/kallsyms.S
	@$(CC) $(ASFLAGS) -c $(BUILD)/kallsyms.S -o $(BUILD)/kallsyms.o
	@$(LD) $(LDFLAGS) -T $(BUILD)/kernel.lds -o $@ $(OBJS) $(BUILD)/kallsyms.o
	@$(NM) -n $@.0 | grep -v -e kallsyms -e __kernel_end > $(BUILD)/syms.0
	@$(NM) -n $@ | grep -v -e kallsyms -e __kernel_end > $(BUILD)/syms.1
	@cmp -s $(BUILD)/syms.0 $(BUILD)/syms.1 || (echo "kallsyms: symbols moved between passes" >&2; exit 1)

# --- configuration targets ------------------------------------------------
.PHONY: defconfig menuconfig olddefconfig
defconfig: all_defconfig
%_defconfig: configs/%_defconfig
	$(PY) /usr/lib/python3/dist-packages/defconfig.py --kconfig Kconfig $<
menuconfig:
	$(PY) /usr/lib/python3/dist-packages/menuconfig.py Kconfig
olddefconfig:
	$(PY) /usr/lib/python3/dist-packages/olddefconfig.py Kconfig

# --- images, tests --------------------------------------------------------
.PHONY: iso test check-host run bench checkstyle
iso: $(BUILD)/tessera.iso
$(BUILD)/tessera.iso: $(KERNEL) scripts/mkiso scripts/tesslib/iso.py
	scripts/mkiso $(KERNEL) $@

check-host:
	$(MAKE) -C tests/host BUILD=$(abspath $(BUILD))/host

checkstyle:
	scripts/checkstyle

test: all iso
	scripts/run-tests

run: all
	scripts/tessera selftest --smp 4

bench: all
	scripts/run-bench

.PHONY: clean distclean
clean:
	rm -rf $(BUILD)
distclean: clean
	rm -f .config .config.old

-include $(OBJS:.o=.d)
