#!/usr/bin/env bash
# Prepare everything STAR Listening Lab needs on this machine, then exit.
#   packaging/bootstrap.sh run    runtime packages only
#   packaging/bootstrap.sh test   runtime + test packages (pytest, pytest-qt, hypothesis, JACK-Client,
#                                 the PostgreSQL server the lab-server tests start as user postgres)
#   packaging/bootstrap.sh package  runtime + PyInstaller
# Creates .venv next to this repository if it is missing. Installs the Debian packages when
# run as root on Debian/Ubuntu; otherwise prints the exact apt line and carries on.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-run}"
cd "$here"

debs_run="libportaudio2 libsndfile1 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3"
debs_test="jackd2 postgresql binutils chromium poppler-utils xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0"
debs="$debs_run"
[ "$mode" = "test" ] && debs="$debs_run $debs_test"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for p in $debs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
fi
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # jackd2 asks about realtime priority in a debconf dialog; answer it up front.
    echo "jackd2 jackd/tweak_rt_limits boolean false" | debconf-set-selections 2>/dev/null || true
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing
  else
    echo "bootstrap: these Debian packages are missing; install them with:"
    echo "  sudo apt-get install --no-install-recommends$missing"
  fi
fi

py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($py --version)"
  "$py" -m venv .venv
fi
extras=""
case "$mode" in
  test) extras="[test]" ;;
  package) extras="[package]" ;;
esac
# Reinstall only when pyproject.toml changed since the last successful install.
stamp=".venv/.installed-$mode"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".$extras"
  touch "$stamp"
fi
