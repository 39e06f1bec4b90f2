#!/usr/bin/env bash
# test_install.sh: `make install DESTDIR=... PREFIX=/usr` puts exactly the expected files where
# they belong, with their modes; the unit starts the installed binary; the man page is clean roff
# and covers every command, the environment and the exit codes; the example configuration is
# what `pheedsync init` writes.
set -euo pipefail
src=${PHEEDSYNC_SOURCE_ROOT:?}
bin=${PHEEDSYNC_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

root=$tmp/root
if ! make -s -C "$src" install DESTDIR="$root" PREFIX=/usr BIN="$bin" >"$tmp/log" 2>&1; then
  cat "$tmp/log" >&2
  fail "make install failed"
fi

expected="/usr/bin/pheedsync 755
/usr/lib/systemd/system/pheedsync.service 644
/usr/lib/sysusers.d/pheedsync.conf 644
/usr/share/doc/pheedsync/pheedsync.conf.example 644
/usr/share/man/man1/pheedsync.1 644"
got=$(cd "$root" && find . -type f -printf '/%P %m\n' | sort)
[ "$got" = "$expected" ] || fail "installed files differ:
$got
expected:
$expected"

"$root/usr/bin/pheedsync" --version | grep -q '^pheedsync ' || fail "installed binary does not run"

unit=$root/usr/lib/systemd/system/pheedsync.service
for line in 'ExecStart=/usr/bin/pheedsync run --config /etc/pheedsync.conf' 'User=pheedsync' \
    'StateDirectory=pheedsync' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
    'PrivateTmp=yes' 'ReadWritePaths=/var/lib/pheedsync' 'Restart=on-failure' \
    'KillSignal=SIGTERM' 'WantedBy=multi-user.target'; do
  grep -qxF "$line" "$unit" || fail "unit lacks '$line'"
done
grep -q '^TimeoutStopSec=' "$unit" || fail "unit lacks TimeoutStopSec"
grep -q '/usr/local' "$unit" && fail "unit still points at /usr/local"

man=$root/usr/share/man/man1/pheedsync.1
if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z "$man" 2>&1)
  [ -z "$warnings" ] || fail "man page warnings: $warnings"
fi
for cmd in demo sandbox init connect check sync run status verify dlq profile audit catalog call; do
  grep -Eq "^\.(B|BR|BI) \"?$cmd( |\"|$)" "$man" || fail "man page lacks the command $cmd"
done
for word in 'PHEEDSYNC_<SECTION>_<KEY>' PHEEDSYNC_SEAL_KEY 'pheedsync init' '\-\-dry\-run' \
    '\-\-config' '\-\-force' '.SH EXIT STATUS' '.SH ENVIRONMENT' '.SH FILES'; do
  grep -qF -- "$word" "$man" || fail "man page lacks $word"
done
for code in 0 1 2 3; do
  grep -A1 '^\.TP' "$man" | grep -qx "\.B $code" || fail "man page lacks exit status $code"
done

"$bin" init --config "$tmp/fresh.conf" >/dev/null
cmp -s "$tmp/fresh.conf" "$root/usr/share/doc/pheedsync/pheedsync.conf.example" ||
  fail "the example configuration is not what pheedsync init writes"

# Uninstall takes back everything it put.
make -s -C "$src" uninstall DESTDIR="$root" PREFIX=/usr >"$tmp/log" 2>&1 || fail "uninstall failed"
left=$(find "$root" -type f | wc -l)
[ "$left" -eq 0 ] || fail "uninstall left $left files"
echo "install: ok"
