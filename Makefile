# pheedsync: a thin wrapper over meson + ninja. `make` builds build/pheedsync.
BUILD      ?= build
TEST_BUILD ?= build-test
PREFIX     ?= /usr/local
DESTDIR    ?=
SEED       ?= 42

.PHONY: all deps test run sandbox fuzz bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release --prefix=$(PREFIX) -Dtests=false

# Installs the Debian packages (idempotent; apt-get update first when something is missing).
deps:
	scripts/deps.sh

# Installs what is missing, builds under AddressSanitizer + UBSan with -Werror, runs every test
# and the fuzzers briefly, and ends with one line "N passed, N failed".
test: deps
	scripts/test.sh

# The main job: the sandbox with seeded data, printing its URLs and credentials.
run: deps all
	./$(BUILD)/pheedsync sandbox --seed $(SEED)

fuzz: deps
	scripts/fuzz.sh

bench: deps all
	scripts/bench.sh

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-fuzz
