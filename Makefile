# hwnas: one Makefile. make | make test | make bench | make clean | make deps
# BUILD=dir puts outputs elsewhere; V=1 shows command lines; SAN=1 builds with ASan+UBSan;
# WERROR=1 turns warnings into errors (CI).

BUILD ?= build
CC ?= cc
PKGS := libcjson sqlite3
DEBIAN_PKGS := build-essential pkg-config libcjson-dev libglpk-dev libsqlite3-dev verilator yosys \
	libopenmpi-dev openmpi-bin

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

# pkg-config is asked when a recipe first needs the flags, not when make reads this file: on a
# fresh machine the packages arrive with the deps step, after parsing (each is asked once).
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS) 2>/dev/null))$(PKG_LIBS)
# Debian's libglpk-dev ships no .pc file.
LIBS = $(PKG_LIBS) -lglpk -lm -lpthread
CFLAGS = $(CFLAGS_BASE) $(PKG_CFLAGS) $(EXTRA_CFLAGS)

LIB_SRC := $(wildcard common/*.c arch/*.c hw/*.c models/*.c search/*.c sim/*.c)
CLI_SRC := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC := $(wildcard bench/bench_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:%.c=$(BUILD)/%)
BENCH_BIN := $(BENCH_SRC:%.c=$(BUILD)/%)

.PHONY: all deps print-build-pkgs run test test-unit test-cli test-long bench clean
.PHONY: test-san fuzz fuzz-build docs test-browser
.DEFAULT_GOAL := all

all: $(BUILD)/hwnas

# Installs what a fresh Debian 12 lacks (as root), or names exactly what to install.
$(BUILD)/.deps-ok:
	$(Q)missing=""; \
	for p in $(DEBIAN_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
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

# The packages the deps step installs beyond the compiler toolchain (.ci/run removes them first).
print-build-pkgs:
	@echo $(filter-out build-essential pkg-config,$(DEBIAN_PKGS))

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

# MPI (docs/store.md): $(BUILD)/hwnas-mpi is the same tool with 'mpirun -np N hwnas-mpi
# explore ...' spreading evaluations over ranks; only cli/cmd_explore.c differs (compiled by
# mpicc with HWNAS_MPI), so build/hwnas itself never depends on MPI. Built when mpicc is found;
# Open MPI is one of the packages the deps step installs, so it is always built; MPI=0 skips it.
MPICC ?= mpicc
MPI_CLI_OBJ := $(filter-out $(BUILD)/cli/cmd_explore.o,$(CLI_OBJ)) $(BUILD)/mpi/cli/cmd_explore.o
ifneq ($(MPI),0)
all: $(BUILD)/hwnas-mpi
test-cli: $(BUILD)/hwnas-mpi
endif

$(BUILD)/mpi/cli/%.o: cli/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  MPICC $<"
	$(Q)$(MPICC) $(CFLAGS) -DHWNAS_MPI -c $< -o $@

$(BUILD)/hwnas-mpi: $(MPI_CLI_OBJ) $(BUILD)/libhwnas.a
	@echo "  LD    $@"
	$(Q)$(MPICC) $(LDFLAGS) -o $@ $(MPI_CLI_OBJ) $(BUILD)/libhwnas.a $(LIBS)

# The main job (README): a joint search of NAS-Bench-201 cells and ZCU102 accelerators.
RUN_OUT ?= out
run: $(BUILD)/hwnas
	$(BUILD)/hwnas explore --space examples/default_space.json --strategy nsga2 \
		--budget 2000 --seed 1 --out $(RUN_OUT)

# Unit tests (tests/test_*.c, found by name), then the CLI tests (tests/cli/*.sh).
test: test-unit test-cli

test-unit: $(TEST_BIN)
	$(Q)fail=0; for t in $(TEST_BIN); do echo "== $$t"; $$t || fail=1; done; \
	if [ $$fail != 0 ]; then echo "unit tests FAILED"; exit 1; fi

test-cli: $(BUILD)/hwnas
	$(Q)HWNAS=$(BUILD)/hwnas bash tests/cli/run.sh

# The long sweeps (RTL configurations, validation): the same suites with HWNAS_LONG=1.
test-long:
	$(Q)HWNAS_LONG=1 $(MAKE) --no-print-directory test

# docs/cli.md and docs/hwnas.1, regenerated from 'hwnas --help' and every command's --help
# (tests/cli/help_docs.sh, run by make test, fails when they are out of date).
docs: $(BUILD)/hwnas
	$(Q)HWNAS=$(BUILD)/hwnas bash tests/cli/help_docs.sh --write

# The report tests alone, with the headless-Chromium check when /usr/bin/chromium exists
# (apt-get install chromium); make test runs them too. Screenshot: $(BUILD)/report-screenshot.png
test-browser: $(BUILD)/hwnas
	$(Q)HWNAS=$(BUILD)/hwnas bash tests/cli/report.sh

bench: $(BENCH_BIN) $(BUILD)/hwnas
	$(Q)for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf $(BUILD)

# ---- Robustness (docs/robustness.md) ----
# test-san: the unit tests under ASan + UBSan in their own build folder (quick enough for CI).
SAN_BUILD ?= build-san
test-san:
	$(Q)$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) SAN=1 test-unit

# fuzz: builds every fuzz/fuzz_<name>.c with clang's libFuzzer + ASan + UBSan, runs each for
# SECONDS (default 60) on a scratch copy of its seed corpus (fuzz/corpus/<name>/), and prints
# per target the runs and whether it crashed; a crash leaves $(BUILD)/fuzz/crash-<name>-*.
FUZZ_CC ?= clang
SECONDS ?= 60
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c)) \
	$(patsubst fuzz/fuzz_%.cpp,%,$(wildcard fuzz/fuzz_*.cpp))
FUZZ_CXX ?= clang++
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP $(PKG_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/lib/%.o)

$(FUZZ_BUILD)/lib/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CLANG $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libhwnas-fuzz.a: $(FUZZ_LIB_OBJ)
	$(Q)ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_BUILD)/libhwnas-fuzz.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libhwnas-fuzz.a $(LIBS)

# The harness's tile-program reader is C++ (sim/harness/program.h), on its own.
$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.cpp sim/harness/program.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CXX) -std=c++14 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $<

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	$(Q)fail=0; for n in $(FUZZ_NAMES); do \
		work=$(FUZZ_BUILD)/corpus/$$n; mkdir -p $$work; \
		dict=; [ -f fuzz/$$n.dict ] && dict=-dict=fuzz/$$n.dict; \
		$(FUZZ_BUILD)/fuzz_$$n $$work fuzz/corpus/$$n $$dict -max_total_time=$(SECONDS) \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crash-$$n- >$(FUZZ_BUILD)/$$n.log 2>&1; rc=$$?; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/$$n.log); \
		if [ $$rc = 0 ]; then echo "fuzz_$$n: $${runs:-?} runs in $(SECONDS) s, no crash"; \
		else fail=1; echo "fuzz_$$n: CRASHED after $${runs:-?} runs (exit $$rc): see $(FUZZ_BUILD)/$$n.log"; \
			grep -m1 -E 'ERROR|runtime error|invariant' $(FUZZ_BUILD)/$$n.log; fi; \
	done; exit $$fail

-include $(FUZZ_LIB_OBJ:.o=.d)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/mpi/cli/cmd_explore.d
