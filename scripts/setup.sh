#!/usr/bin/env bash
# Installs everything Emovox needs to build, test and run on Debian 12 (run as root or with sudo).
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'EOF'
Usage: bash scripts/setup.sh
  Installs the Debian 12 packages Emovox needs to build, test and run (apt-get; as root or with
  sudo). Safe to run again.
EOF
  exit 0
fi
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
  lv2-dev liblilv-dev lilv-utils sordi libsndfile1-dev libcairo2-dev libx11-dev
  libfftw3-dev libspeexdsp-dev libjansson-dev libsvm-dev libsoxr-dev libsamplerate0-dev libaubio-dev
  jalv jackd2 xvfb xauth sox espeak-ng
  ardour  # ardour7-lua for the Ardour test: 22 s to install on the dev machine (--no-install-recommends)
)
echo "emovox: installing build and test dependencies with apt-get ..."
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "emovox: dependencies installed."
