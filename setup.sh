#!/usr/bin/env bash
# One-command set-up: .venv with okrpipe and its locked dependencies (requirements.lock).
# Needs only Python 3.11 and access to PyPI. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "setup.sh: okrpipe needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
  exit 2
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# uv resolves and installs ~10x faster than pip; --compile-bytecode matters here because
# machines that set PYTHONDONTWRITEBYTECODE would otherwise pay ~5 s of imports per command.
.venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
.venv/bin/uv pip install --python .venv/bin/python --quiet --compile-bytecode -r requirements.lock
.venv/bin/uv pip install --python .venv/bin/python --quiet --compile-bytecode --no-deps -e .
echo "okrpipe is ready: .venv/bin/okrpipe --help"
