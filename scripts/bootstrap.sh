#!/usr/bin/env bash
# Set up the workspace on a fresh machine: find Python 3.12, make sure uv is at hand,
# and sync every workspace package plus the dev tools into .venv from uv.lock.
# Idempotent and quick when nothing changed. Prints the python it chose on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"
TOOLS_DIR=".tools"

find_python() {
    local candidate version
    if [[ -n "${PYTHON:-}" ]]; then
        echo "$PYTHON"
        return 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.[0-9]+)?$' | sort -V | tail -n 1 || true)
        if [[ -n "$version" ]]; then
            echo "$(pyenv root)/versions/$version/bin/python"
            return 0
        fi
    fi
    for candidate in "$(command -v python3.12 || true)" "$HOME"/.pyenv/versions/3.12*/bin/python \
        /usr/local/bin/python3.12 /usr/bin/python3.12; do
        if [[ -n "$candidate" && -x "$candidate" ]]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

PY=$(find_python) || {
    echo "bootstrap: Python 3.12 not found; install it (e.g. 'pyenv install 3.12') or set PYTHON" >&2
    exit 1
}
echo "bootstrap: using $PY ($("$PY" -V))" >&2

if command -v uv >/dev/null 2>&1 && [[ "$(uv --version | cut -d' ' -f2)" == "$UV_VERSION" ]]; then
    UV=$(command -v uv)
else
    UV="$TOOLS_DIR/bin/uv"
    if [[ ! -x "$UV" ]] || [[ "$("$UV" --version | cut -d' ' -f2)" != "$UV_VERSION" ]]; then
        echo "bootstrap: installing uv $UV_VERSION into $TOOLS_DIR" >&2
        "$PY" -m venv "$TOOLS_DIR"
        "$TOOLS_DIR/bin/python" -m pip install --quiet "uv==$UV_VERSION"
    fi
fi

export UV_PYTHON_DOWNLOADS=never
"$UV" sync --locked --all-packages --python "$PY" --quiet
