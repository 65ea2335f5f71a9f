# Shared set-up for scripts/demo.sh and scripts/test.sh (sourced, not run).
# Installs missing system packages through apt when possible, then the virtual environment.

PYTHON="${PYTHON:-python3}"

_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "setup: need root to run: $*" >&2; return 1; fi
}

# ensure_packages CMD:PACKAGE...: apt-get install PACKAGE when CMD (a command or a path) is missing.
ensure_packages() {
    local missing=() spec cmd pkg
    for spec in "$@"; do
        cmd="${spec%%:*}"; pkg="${spec#*:}"
        if [ -e "$cmd" ] || command -v "$cmd" >/dev/null 2>&1; then continue; fi
        missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null; then
        echo "setup: please install: ${missing[*]} (no apt-get here)" >&2; return 1
    fi
    echo "setup: installing ${missing[*]}"
    _as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive _as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_venv [EXTRAS]: create .venv when missing and install the project (with EXTRAS).
ensure_venv() {
    local extras="${1:-}" stamp=".venv/.installed-${1:-runtime}" target="."
    [ -n "$extras" ] && target=".[$extras]"
    if [ ! -x .venv/bin/python ]; then
        "$PYTHON" -m venv .venv
        .venv/bin/python -m pip install -q --upgrade pip
    fi
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        echo "setup: installing streetwatch $target into .venv"
        .venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
        touch "$stamp"
    fi
}
