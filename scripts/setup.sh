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
# The workspace's browser tests drive Debian's chromium (Playwright cannot download a browser here): install it
# when it is missing and apt-get is usable as root; otherwise those tests skip and say why.
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium for the browser tests / 安装 chromium（浏览器测试用）"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
            || echo "chromium could not be installed: the browser tests will skip / 无法安装 chromium，浏览器测试将跳过"
    else
        echo "no chromium and no root apt-get: the browser tests will skip / 未安装 chromium，浏览器测试将跳过"
    fi
fi
# A CJK font so that chromium draws the workspace's Chinese (screenshots, browser tests): Debian's small
# fonts-wqy-microhei, when no Chinese font is installed and apt-get is usable as root.
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ] \
    && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei; } >/dev/null 2>&1 \
        || echo "no Chinese font could be installed: Chinese shows as boxes in screenshots / 未能安装中文字体"
fi
