#!/usr/bin/env bash
# Installs what the web checker needs and is missing (make setup-web; `make web`,
# `make test-web` and `make bench-web` run it). Idempotent: silent and fast when all is there.
#
#   - node and npm: Debian's nodejs and npm, when `node` is missing (web/ wants node >= 20)
#   - web/node_modules: `npm ci` from web/package-lock.json (CodeMirror 6, esbuild,
#     playwright-core; exact versions), when missing or when the lock file changed
#   - Chromium for the end-to-end test and the bench: Debian's chromium and
#     chromium-driver, when /usr/bin/chromium is missing (playwright-core drives it with
#     executablePath; `npx playwright install` is not used: it downloads a browser build)
#
# Only the package registries (npm, Debian) are used.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup-web: %s\n' "$*"; }
die() { printf 'setup-web: error: %s\n' "$*" >&2; exit 1; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=0
apt_install() { # PACKAGE...
    command -v apt-get >/dev/null 2>&1 || die "apt-get is not available: install $* by hand"
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        $SUDO apt-get update -qq </dev/null
        APT_UPDATED=1
    fi
    say "apt-get install -y $*"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" </dev/null >/dev/null
}

# --- node, npm ---------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    say "warning: node $(node --version) is older than 20, which playwright-core wants"
fi

# --- web/node_modules ------------------------------------------------------------------------
stamp=web/node_modules/.kube-secctx-web.lock.sha256
want=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] \
    || [ ! -e web/node_modules/esbuild/package.json ] \
    || [ ! -e web/node_modules/playwright-core/package.json ]; then
    say "npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error </dev/null)
    printf '%s\n' "$want" >"$stamp"
fi

# --- Chromium ----------------------------------------------------------------------------------
if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null 2>&1; then
    apt_install chromium chromium-driver
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing Debian's chromium"
