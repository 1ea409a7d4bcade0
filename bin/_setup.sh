# Shared set-up for bin/run and bin/test (sourced, not run).
# Creates .venv with Python >= 3.11, installs the project from pyproject.toml, and
# compiles the translation catalogs. Re-running skips what is already up to date.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${TRACING_VENV:-$ROOT/.venv}"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Python 3.11 or newer is needed, and none was found on PATH." >&2
  return 1
}

setup_project() {
  local extras="$1"  # "" or "test"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> Creating virtual environment in $VENV"
    "$(find_python)" -m venv "$VENV"
  fi
  local spec="." stamp="$VENV/.installed-$extras"
  [ -n "$extras" ] && spec=".[$extras]"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> Installing the project and its dependencies ($spec)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "$spec"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  echo "==> Compiling translation catalogs"
  tracing-app translations compile
}
