# Isthmus: the front door. CMake (CMakeLists.txt) is the real build; this file
# installs missing Debian packages (scripts/setup), configures a build folder
# and runs the build, the tests, the demos and the benchmarks from it.
#
#   make                 build everything (-Wall -Wextra -Werror)
#   make test            build, then run every test with CTest
#   make test SAN=1      the same under AddressSanitizer + UBSan (in build-san/)
#   make demo            each system's main job on built-in defaults
#   make bench           each system's benchmarks (ratios against a baseline)
#   make fuzz            each libFuzzer target for FUZZ_SECONDS (default 60), in build-fuzz/
#   make install         PREFIX=/usr/local DESTDIR= as usual
#   make format | lint   clang-format the sources | format check + static checks
#
# Variables: SAN=1, BUILD=<folder>, JOBS=<n>, CTEST_ARGS=<extra ctest flags>,
# CMAKE_FLAGS=<extra -D flags for configure>.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
override CMAKE_FLAGS += -DISTHMUS_SANITIZE=ON
else
BUILD ?= build
endif
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local
CTEST_ARGS ?=

# The project's own C sources (generated and third-party code is not listed).
C_FILES := $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || \
		find . -path './build*' -prune -o \( -name '*.c' -o -name '*.h' \) -print)
# eBPF sources are compiled for another target; clang-tidy and cppcheck see
# only the user-space code, through the compile database.
USER_C_FILES := $(filter-out %.bpf.c,$(filter %.c,$(C_FILES)))

.PHONY: all setup configure build test demo bench fuzz install format lint clean help

all: build

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

setup:
	@scripts/setup

# Configure once; later changes to CMakeLists.txt re-run CMake from its own
# generated Makefiles. Passing CMAKE_FLAGS configures again.
configure: setup
	@if [ ! -f $(BUILD)/CMakeCache.txt ] || [ -n "$(strip $(CMAKE_FLAGS))" ]; then \
		cmake -S . -B $(BUILD) $(CMAKE_FLAGS); \
	fi

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: build
	@scripts/run-registered demo $(BUILD)

bench: build
	@scripts/run-registered bench $(BUILD)

# Fuzzing needs clang's libFuzzer: a build folder of its own, configured once.
FUZZ_BUILD ?= build-fuzz
fuzz: setup
	@[ -f $(FUZZ_BUILD)/CMakeCache.txt ] || \
		CC=clang cmake -S . -B $(FUZZ_BUILD) -DISTHMUS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@scripts/run-registered fuzz $(FUZZ_BUILD)

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

format:
	clang-format -i $(C_FILES)

# cppcheck reads no system headers (missingIncludeSystem), so macros from them
# (libbpf's LIBBPF_OPTS, ...) are unknown to it: unknownMacro is not a finding.
lint: configure
	clang-format --dry-run -Werror $(C_FILES)
	cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
		--enable=warning,performance,portability \
		--suppress=missingIncludeSystem --suppress=unmatchedSuppression \
		--suppress=unknownMacro \
		--project=$(BUILD)/compile_commands.json -i$(BUILD)
	@# One file per clang-tidy process: clang-tidy 14 carries analyzer state
	@# across files in one process and then reports false va_list errors.
	printf '%s\n' $(USER_C_FILES) | xargs -n1 -P$(JOBS) clang-tidy --quiet -p $(BUILD)

clean:
	rm -rf build build-san build-fuzz
