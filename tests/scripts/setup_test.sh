#!/bin/sh
# scripts/setup.sh against stand-ins for dpkg-query, apt-get and sudo (first on PATH): nothing
# runs apt-get when the packages are installed (test-only packages are not the demo's), only
# the missing ones are installed, a locked apt is waited for with a message, and a lock that
# stays is given up with a message after EMOVOX_APT_WAIT_S.
# Usage: setup_test.sh <source root>
set -u
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/bin"
# dpkg-query -W -f=... PKG: installed unless listed in $work/missing
cat >"$work/bin/dpkg-query" <<EOS
#!/bin/sh
for last; do :; done
grep -qx "\$last" "$work/missing" 2>/dev/null && exit 1
printf 'install ok installed'
EOS
# apt-get: logs its arguments; while $work/locks holds a number > 0, fails as a held lock does
cat >"$work/bin/apt-get" <<EOS
#!/bin/sh
echo "\$*" >>"$work/apt.log"
n=\$(cat "$work/locks" 2>/dev/null || echo 0)
if [ "\$n" -gt 0 ]; then
  echo \$((n - 1)) >"$work/locks"
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)" >&2
  exit 100
fi
exit 0
EOS
printf '#!/bin/sh\nexec "$@"\n' >"$work/bin/sudo"
chmod +x "$work/bin/"*
export PATH="$work/bin:$PATH" EMOVOX_APT_RETRY_S=0
fail=0
check() { # $1: description, $2...: command that must succeed
  what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
run_setup() { # args for setup.sh; output in $work/out, status in $work/rc
  rm -f "$work/apt.log"
  bash "$src/scripts/setup.sh" "$@" >"$work/out" 2>&1
  echo $? >"$work/rc"
}

# 1. the demo's set-up, every runtime package installed, test-only ones (Ardour, clang) not
printf 'ardour\nclang\nxvfb\n' >"$work/missing"
run_setup
check "runtime set-up exits 0" [ "$(cat "$work/rc")" = 0 ]
check "runtime set-up runs no apt-get (not even update) when its packages are there" \
  [ ! -s "$work/apt.log" ]

# 2. the tests' set-up, everything installed
: >"$work/missing"
run_setup --test
check "test set-up with everything installed runs no apt-get" [ ! -s "$work/apt.log" ]

# 3. one runtime package missing while apt is locked twice: waits, then installs only it
printf 'libjansson-dev\nardour\n' >"$work/missing"
echo 2 >"$work/locks"
run_setup
check "locked twice: exit 0" [ "$(cat "$work/rc")" = 0 ]
check "locked: a waiting message" grep -q "apt is locked by another process" "$work/out"
check "update then install" grep -q "update" "$work/apt.log"
check "only the missing runtime package is installed" \
  sh -c "grep 'install' '$work/apt.log' | tail -n1 | grep -q ' libjansson-dev\$'"

# 4. a lock that stays: given up after EMOVOX_APT_WAIT_S with a message
echo 1000 >"$work/locks"
EMOVOX_APT_WAIT_S=0 run_setup
check "a lock that stays: non-zero exit" [ "$(cat "$work/rc")" != 0 ]
check "a lock that stays: says so" grep -q "still locked" "$work/out"
[ $fail = 0 ] || cat "$work/out"
exit $fail
