#!/bin/sh
# The plugin's shared object exports exactly one symbol, lv2_descriptor, needs only the
# libraries it uses, and imports nothing that forks, runs programs or blocks: a plugin runs
# inside the host's process, and such calls in any code path (run() or not) are what the LV2
# linters flag. The deny-list is first checked against a small probe object that does call
# some of those functions, so a broken check cannot pass silently.
# Usage: check_symbols.sh <emovox.so>
so=$1
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm not installed"; exit 77; }
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sort)
echo "exported: $exported"
[ "$exported" = "lv2_descriptor" ] || { echo "FAIL: expected only lv2_descriptor"; exit 1; }
# --as-needed: every needed library provides a symbol the object uses.
needed=$(readelf -d "$so" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "needed: $needed"
for lib in $needed; do
  case "$lib" in
    libc.so*|libm.so*|ld-linux*|libasan*|libubsan*|libstdc++*|libgcc_s*) ;;
    libfftw3f*|libsoxr*|libjansson*|libpthread*) ;; # libsoxr: the resampler (mono, one thread)
    libcairo.so*) ;; # Ardour's inline display (render() only)
    *) echo "FAIL: unexpected dependency $lib"; exit 1 ;;
  esac
done

# Processes, programs, sleeping, waiting on other threads or for input. Mutexes stay allowed:
# the worker and save() share one (run() never takes it; plugin_rt counts that).
DENY="fork vfork clone clone3 daemon system popen pclose wait waitpid wait3 wait4 waitid
execl execle execlp execv execve execvp execvpe fexecve posix_spawn posix_spawnp
sleep usleep nanosleep clock_nanosleep pause sigsuspend sigwait sigwaitinfo
pthread_cond_wait pthread_cond_timedwait pthread_cond_clockwait pthread_join
pthread_timedjoin_np pthread_barrier_wait sem_wait sem_timedwait sem_clockwait
select pselect poll ppoll epoll_wait epoll_pwait getchar gets fgets scanf getline"
denied_imports() { # $1: shared object; prints the denied functions it imports
  nm -D --undefined-only "$1" | awk '{ sub(/@.*/, "", $2); print $2 }' | sort -u >"$work/imports"
  for f in $DENY; do
    grep -qx "$f" "$work/imports" && echo "$f"
  done
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if command -v cc >/dev/null 2>&1; then
  cat >"$work/probe.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int probe(void) { usleep(10); FILE *p = popen("true", "r"); return p ? pclose(p) : system("true"); }
C
  cc -shared -fPIC -o "$work/probe.so" "$work/probe.c" || { echo "FAIL: cannot build the probe"; exit 1; }
  found=$(denied_imports "$work/probe.so" | sort | tr '\n' ' ')
  echo "probe: denied imports found: $found"
  [ "$found" = "pclose popen system usleep " ] || { echo "FAIL: the deny-list check missed the probe's calls"; exit 1; }
else
  echo "note: no C compiler, the deny-list check itself is not probed"
fi
denied=$(denied_imports "$so" | tr '\n' ' ')
echo "denied imports in $(basename "$so"): ${denied:-none}"
[ -z "$denied" ] || { echo "FAIL: the plugin imports $denied"; exit 1; }
echo ok
