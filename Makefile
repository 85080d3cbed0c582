# ferry — build, run, test.  `make run` and `make test` are the two commands a newcomer needs.
CC      ?= cc
PKGS    := libedit yaml-0.1 libnl-3.0 libnl-route-3.0 libnftables libzstd liblz4 openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
VERSION := 0.1.0

# SAN=1 builds into build-san/ with AddressSanitizer and UndefinedBehaviorSanitizer.
ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1
else
BUILD   ?= build
SANFLAGS :=
OPT     := -O2
endif

CFLAGS  := -std=gnu11 $(OPT) -g -Wall -Wextra -Werror -D_GNU_SOURCE -DFERRY_VERSION=\"$(VERSION)\" \
           -I. $(PKG_CFLAGS) $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS) $(EXTRA_LDFLAGS)
LIBS    := $(PKG_LIBS) -lm -lpthread

# The library: everything but the programs' own main files. The shell's parts (completion, line
# editing, edit) are in it too, so unit tests and benchmarks link them; every shell/*.c ends up in
# build/ferry.
LIB_SRCS    := $(wildcard grammar/*.c compiler/*.c runtime/*.c) $(filter-out shell/main.c,$(wildcard shell/*.c))
SHELL_SRCS  := shell/main.c
FERRYD_SRCS := $(wildcard runtime/ferryd/*.c)
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
NETNS_SRCS  := $(wildcard tests/netns/*.c)
BENCH_SRCS  := $(wildcard tests/bench/*.c)
HELPER_SRCS := $(wildcard tests/helpers/*.c)

LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/%.o)
SHELL_OBJS  := $(SHELL_SRCS:%.c=$(BUILD)/%.o)
FERRYD_OBJS := $(FERRYD_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Programs the netns/UML scripts and the benchmark run: BUILD/tests/netns/X, BUILD/tests/bench/X,
# and the small helpers the kernel tests drive: BUILD/tests/helpers/X.
NETNS_BINS  := $(NETNS_SRCS:tests/netns/%.c=$(BUILD)/tests/netns/%)
BENCH_BINS  := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/tests/bench/%)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

.PHONY: all deps run test test-quick unit golden golden-update shell netns uml fuzz bench clean
all: $(BUILD)/ferry $(if $(FERRYD_SRCS),$(BUILD)/ferryd) $(UNIT_BINS) $(NETNS_BINS) $(BENCH_BINS) $(HELPER_BINS)

deps:
	@./scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libferry.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ferry: $(SHELL_OBJS) $(BUILD)/libferry.a
	$(CC) $(LDFLAGS) -o $@ $(SHELL_OBJS) $(BUILD)/libferry.a $(LIBS)

$(BUILD)/ferryd: $(FERRYD_OBJS) $(BUILD)/libferry.a
	$(CC) $(LDFLAGS) -o $@ $(FERRYD_OBJS) $(BUILD)/libferry.a $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/unit.o $(BUILD)/libferry.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/tests/unit/unit.o $(BUILD)/libferry.a $(LIBS)

$(NETNS_BINS): $(BUILD)/tests/netns/%: $(BUILD)/tests/netns/%.o $(BUILD)/libferry.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libferry.a $(LIBS)

$(BENCH_BINS): $(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(BUILD)/libferry.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libferry.a $(LIBS)

# Small programs the kernel tests drive (tests/helpers/*.c: one file each, with the library).
$(BUILD)/tests/helpers/%: tests/helpers/%.c $(BUILD)/libferry.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libferry.a $(LIBS)

run: deps
	@$(MAKE) --no-print-directory -j2 all
	@./scripts/run-sandbox.sh $(BUILD)

# Everything: both builds, then every test section; the last line is `N passed, N failed, N skipped`.
test: deps
	@$(MAKE) --no-print-directory -j2 all
	@$(MAKE) --no-print-directory -j2 SAN=1 all
	@./tests/run.sh

# One section at a time; SAN=1 runs unit and golden against the sanitizer build.
unit: $(UNIT_BINS)
	@./tests/unit/run.sh $(BUILD)

golden: $(BUILD)/ferry
	@./tests/golden/run.sh $(BUILD)

# Transcript tests of the interactive shell in tmux (SAN=1 for build-san).
shell: all
	@./tests/shell/run.sh $(BUILD)

netns: all
	@./tests/netns/run.sh $(BUILD)

uml: all
	@./tests/uml/run.sh $(BUILD)

golden-update: all
	@./tests/golden/run.sh --update build

fuzz: deps
	@./tests/fuzz/run.sh --long

bench: deps
	@$(MAKE) --no-print-directory -j2 all
	@./tests/bench/run.sh build

clean:
	rm -rf build build-san build-fuzz

# Keep the test objects make would otherwise delete as intermediates (and rebuild every time).
.SECONDARY:

-include $(shell find build build-san -name '*.d' 2>/dev/null)
