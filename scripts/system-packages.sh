#!/usr/bin/env bash
# Debian packages some tests need: chromium + chromium-driver (the dashboard test) and
# prometheus (promtool, for the alert rules). Installs what is missing with apt, as root or
# through sudo; prints what it could not install and exits 0 either way, so callers decide
# whether a missing tool is fatal (CI sets MENTORSHIP_REQUIRE_BROWSER / _PROMTOOL from it).
set -uo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo -n"
    else
        echo "system-packages: not root and no sudo; missing: ${missing[*]}" >&2
        exit 0
    fi
fi
echo "system-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -q >/dev/null 2>&1 || true
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || echo "system-packages: could not install ${missing[*]}" >&2
fi
exit 0
