#!/usr/bin/env bash
# Installs the Debian 12 packages Emovox needs: to build and run it (scripts/demo.sh), or with
# --test also what the tests use (scripts/test.sh). Nothing is done when all are installed.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'EOF2'
Usage: bash scripts/setup.sh [--test]
  Installs the Debian 12 packages Emovox needs to build and run (apt-get; as root or with
  sudo); --test also those the tests and benchmarks use (Ardour, clang, JACK, jalv, lv2file,
  Xvfb, sox, ...). Packages already installed are not asked for again, and apt-get is not run
  at all when everything is there. When apt is locked (an upgrade running after boot) it
  waits for the lock, up to EMOVOX_APT_WAIT_S seconds (default 300). Safe to run again.
EOF2
  exit 0
fi
set -euo pipefail
# Building and running the plugin, the UI and the tools; espeak-ng makes the demo's speech.
RUNTIME=(
  build-essential meson ninja-build pkg-config
  lv2-dev liblilv-dev libsndfile1-dev libcairo2-dev libx11-dev
  libfftw3-dev libspeexdsp-dev libjansson-dev libsvm-dev libsoxr-dev libsamplerate0-dev
  espeak-ng
)
# Only the tests: the sanitizer builds (clang), the TTL validator, real hosts (jalv on JACK,
# lv2file, Ardour's Lua tool: ardour, 22 s to install with --no-install-recommends), Xvfb for
# the UI screenshots, sox for test signals.
TEST=(
  clang libclang-rt-14-dev lilv-utils sordi
  jalv jackd2 lv2file xvfb xauth sox
  ardour
)
PACKAGES=("${RUNTIME[@]}")
if [ "${1:-}" = "--test" ]; then PACKAGES+=("${TEST[@]}"); fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "emovox: the Debian packages are installed."
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
WAIT_S=${EMOVOX_APT_WAIT_S:-300}
RETRY_S=${EMOVOX_APT_RETRY_S:-5}
# apt-get with a wait for the dpkg and package-list locks (unattended-upgrades holds them for
# minutes after boot): retried while its error is a lock, with a message, up to WAIT_S.
apt() {
  local waited=0 out rc
  while :; do
    rc=0
    out=$($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$RETRY_S" \
      "$@" 2>&1) || rc=$?
    if [ $rc -eq 0 ]; then return 0; fi
    if ! grep -qiE 'could not get lock|unable to (acquire|lock)' <<<"$out"; then
      echo "$out" >&2
      return $rc
    fi
    if [ "$waited" -ge "$WAIT_S" ]; then
      echo "$out" >&2
      echo "emovox: apt is still locked after ${waited} s; run this again when it is free." >&2
      return $rc
    fi
    echo "emovox: apt is locked by another process (an upgrade after boot?); waiting ... (${waited} s)"
    sleep "$RETRY_S"
    waited=$((waited + RETRY_S))
  done
}
echo "emovox: installing ${missing[*]} with apt-get ..."
apt update -qq
apt install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "emovox: dependencies installed."
