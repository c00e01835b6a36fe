# hwnas: one Makefile. make | make test | make bench | make clean | make deps
# BUILD=dir puts outputs elsewhere; V=1 shows command lines; SAN=1 builds with ASan+UBSan;
# WERROR=1 turns warnings into errors (CI).

BUILD ?= build
CC ?= cc
PKGS := libcjson sqlite3
DEBIAN_PKGS := build-essential pkg-config libcjson-dev libglpk-dev libsqlite3-dev verilator yosys

ifeq ($(V),1)
Q :=
else
Q := @
endif

OPT ?= -O2
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wshadow -Wpointer-arith \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-sign-conversion -MMD -MP
# sim/ finds rtl/ and sim/harness/ here (override at run time with $HWNAS_SRCDIR).
CFLAGS_BASE += -DHWNAS_SRCDIR=\"$(CURDIR)\"
ifeq ($(WERROR),1)
CFLAGS_BASE += -Werror
endif
ifeq ($(SAN),1)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Debian's libglpk-dev ships no .pc file.
LIBS := $(PKG_LIBS) -lglpk -lm -lpthread
CFLAGS := $(CFLAGS_BASE) $(PKG_CFLAGS) $(EXTRA_CFLAGS)

LIB_SRC := $(wildcard common/*.c arch/*.c hw/*.c models/*.c search/*.c sim/*.c)
CLI_SRC := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC := $(wildcard bench/bench_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:%.c=$(BUILD)/%)
BENCH_BIN := $(BENCH_SRC:%.c=$(BUILD)/%)

.PHONY: all deps run test test-unit test-cli test-long bench clean
.DEFAULT_GOAL := all

all: $(BUILD)/hwnas

# Installs what a fresh Debian 12 lacks (as root), or names exactly what to install.
$(BUILD)/.deps-ok:
	$(Q)missing=""; \
	for p in $(DEBIAN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "deps: installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "deps: missing Debian packages:$$missing" >&2; \
			echo "deps: run as root: apt-get install$$missing" >&2; exit 1; \
		fi; \
	fi
	$(Q)mkdir -p $(BUILD) && touch $@

deps: $(BUILD)/.deps-ok

$(BUILD)/libhwnas.a: $(LIB_OBJ)
	@echo "  AR    $@"
	$(Q)ar rcs $@ $^

$(BUILD)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/hwnas: $(CLI_OBJ) $(BUILD)/libhwnas.a
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libhwnas.a $(LIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libhwnas.a tests/test.h
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libhwnas.a $(LIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libhwnas.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libhwnas.a $(LIBS)

# The main job (README): for now the analytical evaluation of a zoo network.
run: $(BUILD)/hwnas
	$(BUILD)/hwnas eval --net resnet50 --hw examples/zcu102_ws_16x16.json

# Unit tests (tests/test_*.c, found by name), then the CLI tests (tests/cli/*.sh).
test: test-unit test-cli

test-unit: $(TEST_BIN)
	$(Q)fail=0; for t in $(TEST_BIN); do echo "== $$t"; $$t || fail=1; done; \
	if [ $$fail != 0 ]; then echo "unit tests FAILED"; exit 1; fi

test-cli: $(BUILD)/hwnas
	$(Q)HWNAS=$(BUILD)/hwnas bash tests/cli/run.sh

test-long: test
	$(Q)HWNAS=$(BUILD)/hwnas HWNAS_LONG=1 bash tests/cli/run.sh

bench: $(BENCH_BIN) $(BUILD)/hwnas
	$(Q)for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
