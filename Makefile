# pheedsync: a thin wrapper over meson + ninja. `make` builds build/pheedsync.
BUILD      ?= build
TEST_BUILD ?= build-test
PREFIX     ?= /usr/local
DESTDIR    ?=
SEED       ?= 42
# What `make install` copies; when left as is, `make install` builds it first.
BIN         ?= $(BUILD)/pheedsync
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/pheedsync
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d

.PHONY: all deps deps-run test run sandbox fuzz bench clean install uninstall

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release --prefix=$(PREFIX) -Dtests=false

# Installs the Debian packages (idempotent; apt-get update first when something is missing);
# deps-run only those the build and the demo need.
deps:
	scripts/deps.sh

deps-run:
	scripts/deps.sh --run

# Installs what is missing, builds under AddressSanitizer + UBSan with -Werror, runs every test
# and the fuzzers briefly, and ends with one line "N passed, N failed".
test: deps
	scripts/test.sh

# The main job: the demo. Both emulators with seeded people, the OAuth connection, the initial
# sync, the daemon and live edits on both sides with their outcomes, until Ctrl-C. No account and
# no configuration: its state goes to ./pheedsync-demo/.
run: deps-run all
	./$(BUILD)/pheedsync demo --seed $(SEED)

fuzz: deps
	scripts/fuzz.sh

bench: deps all
	scripts/bench.sh

# The binary, the man page, the systemd unit (started from BINDIR) and its user, and an example
# configuration as `pheedsync init` writes it. Honours PREFIX and DESTDIR.
install: $(if $(filter $(BUILD)/pheedsync,$(BIN)),all)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/pheedsync
	install -m 0644 dist/pheedsync.1 $(DESTDIR)$(MANDIR)/man1/pheedsync.1
	sed 's|/usr/local/bin/pheedsync|$(BINDIR)/pheedsync|' dist/pheedsync.service \
		> $(DESTDIR)$(UNITDIR)/pheedsync.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pheedsync.service
	install -m 0644 dist/pheedsync.sysusers $(DESTDIR)$(SYSUSERSDIR)/pheedsync.conf
	$(BIN) init --force --config $(DESTDIR)$(DOCDIR)/pheedsync.conf.example > /dev/null
	chmod 0644 $(DESTDIR)$(DOCDIR)/pheedsync.conf.example

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pheedsync $(DESTDIR)$(MANDIR)/man1/pheedsync.1 \
		$(DESTDIR)$(UNITDIR)/pheedsync.service $(DESTDIR)$(SYSUSERSDIR)/pheedsync.conf \
		$(DESTDIR)$(DOCDIR)/pheedsync.conf.example
	-rmdir $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-fuzz
