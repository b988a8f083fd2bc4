#!/usr/bin/env bash
# README's first command: set everything up on a fresh machine and run the main job on embedded defaults
# (SQLite, the local MLflow store under mlruns/): generate a synthetic registry, train and register the champion,
# and rate the registry into a spreadsheet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CE=.venv/bin/credit-engine
HOUSEHOLDS="${DEMO_HOUSEHOLDS:-100000}"
mkdir -p data out
echo "== 1/3 synthetic registry / 合成建档立卡数据 (${HOUSEHOLDS} households)"
$CE data generate --households "$HOUSEHOLDS" --seed 42 --out data/registry
echo "== 2/3 train every model family, register the champion / 训练并登记冠军模型"
$CE train --data data/registry/households.parquet --report out/train-report.json
echo "== 3/3 rate the registry / 批量评级授信"
$CE rate --input data/registry/households.parquet --output out/ratings.xlsx
echo
echo "Done / 完成: model report out/train-report.json, ratings out/ratings.xlsx (summary out/ratings.summary.csv)"
echo "MLflow UI: .venv/bin/mlflow ui --backend-store-uri sqlite:///mlruns/mlflow.db"
