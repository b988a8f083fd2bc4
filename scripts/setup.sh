#!/usr/bin/env bash
# Create .venv and install the project with pinned dependencies (requirements/constraints.txt).
# Re-running is cheap: it reinstalls only when pyproject.toml or the constraints changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "creating .venv / 创建虚拟环境"
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.credit-engine-installed
want="$(cat pyproject.toml requirements/constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "installing dependencies / 安装依赖 (first run takes a few minutes)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        -c requirements/constraints.txt -e '.[dev]'
    echo "$want" > "$stamp"
fi
