#!/usr/bin/env bash
# Installs everything jichitai needs on a fresh Debian machine: Debian packages (only when
# missing) and the pinned Python packages into .venv. Safe to run again; it does no work
# when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-ipamj-mincho: IPAmj明朝, the MJ character set for certificates and names on screen;
# poppler-utils and zbar-tools: the tests read certificates back (pdftotext, pdftoppm, zbarimg);
# chromium: the counter UI's browser tests (Playwright drives Debian's Chromium, no download);
# fonts-ipafont-gothic: the UI's Japanese sans-serif;
# patroni, etcd-server, pgbackrest (and curl, its health checks): the production-like stack of
# `make cluster` (scripts/cluster.sh).
DEBIAN_PACKAGES=(postgresql fonts-ipamj-mincho poppler-utils zbar-tools chromium fonts-ipafont-gothic
    patroni etcd-server pgbackrest curl)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install: Debian packages ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "install: Python packages into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements.lock
    .venv/bin/python -m pip install -q --no-deps -e .
    touch "$stamp"
fi
