# Shared by the set-up scripts (scripts/setup*.sh), which source it after setting
# SETUP_NAME (the prefix of their messages). Every function checks first and installs
# only what is missing, saying what it installs; nothing downloads from outside the
# package registries (crates.io, npm, Debian) and the toolchain's own rustup server.
#
#   say MESSAGE...                  print "SETUP_NAME: MESSAGE"
#   die MESSAGE...                  print an error and exit 1
#   apt_install PACKAGE...          Debian packages (apt-get update at most once a run)
#   need_command COMMAND PACKAGE    the Debian PACKAGE when COMMAND is missing
#   need_node MAJOR [warn]          node and npm, at least MAJOR (else die, or warn)
#   need_rust_target TARGET...      rustup targets of the toolchain in use
#   npm_ci DIR FILE...              `npm ci` in DIR when its package-lock.json changed or
#                                   a FILE (relative to DIR/node_modules) is missing; dies
#                                   when npm ci fails
#   need_chromium                   Debian's chromium and chromium-driver

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# cargo lives in ~/.cargo/bin on these machines; a non-login shell may lack it on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

say() { printf '%s: %s\n' "${SETUP_NAME:-setup}" "$*"; }
die() { printf '%s: error: %s\n' "${SETUP_NAME:-setup}" "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get is not available: install $* by hand"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        $sudo apt-get update -qq </dev/null
        APT_UPDATED=1
    fi
    say "installing $* (Debian)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" </dev/null >/dev/null
}

need_command() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

need_node() {
    local want=$1 mode=${2:-die} major
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    major=$(node -p 'process.versions.node.split(".")[0]')
    if [ "$major" -lt "$want" ]; then
        if [ "$mode" = warn ]; then
            say "warning: Node.js $(node --version) is older than $want"
        else
            die "Node.js >= $want is needed, found $(node --version)"
        fi
    fi
}

need_rust_target() {
    local t
    for t in "$@"; do
        if rustc --print target-libdir --target "$t" 2>/dev/null | xargs -r test -d; then
            continue
        fi
        command -v rustup >/dev/null 2>&1 || die "the Rust target $t is missing and rustup is not available"
        say "rustup target add $t"
        rustup target add "$t"
    done
}

npm_ci() {
    local dir=$1 lock stamp f missing=0
    shift
    lock=$(sha256sum "$dir/package-lock.json" | awk '{ print $1 }')
    stamp="$dir/node_modules/.kube-secctx-lock"
    for f in "$@"; do
        [ -e "$dir/node_modules/$f" ] || missing=1
    done
    if [ "$missing" -eq 1 ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock" ]; then
        say "npm ci in $dir/"
        if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null); then
            die "npm ci in $dir/ failed (npm's message above): the packages of $dir/package-lock.json come from the npm registry, $(npm config get registry)"
        fi
        echo "$lock" >"$stamp"
    fi
}

need_chromium() {
    local missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing Debian's chromium"
}
