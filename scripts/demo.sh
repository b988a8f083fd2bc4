#!/usr/bin/env bash
# README's first command: set everything up on a fresh machine and run the main jobs on embedded defaults
# (SQLite, the local MLflow store under mlruns/): generate a synthetic registry, train and register the champion,
# generate a small 强农贷 enterprise book and train and register its model (enterprise-pd),
# rate the registry into a spreadsheet, seed the fund ledger (data/ledger.db) from the registry and write its
# leverage report as a spreadsheet and a web page, and the model monitoring page (out/monitoring.html); then serve
# the scoring API on 127.0.0.1 with a demo officer key and a ready-to-paste curl, and a fund administrator's key for
# the province's funds to sign in to the web workspace at http://127.0.0.1:8000/ (Ctrl-C stops it; DEMO_SERVE=0
# skips it, DEMO_PORT changes the port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CE=.venv/bin/credit-engine
HOUSEHOLDS="${DEMO_HOUSEHOLDS:-100000}"
AS_OF=2025-12-31  # the seeded history runs 2023-2025 and is planned for its last day
# funds of 5,000,000 yuan are planned for about 100,000 households: a smaller registry gets smaller funds so that
# the reports still show every status
FUND_YUAN=$(( HOUSEHOLDS >= 100000 ? 5000000 : 5000000 * HOUSEHOLDS / 100000 ))
PORT="${DEMO_PORT:-8000}"
mkdir -p data out
echo "== 1/8 synthetic registry / 合成建档立卡数据 (${HOUSEHOLDS} households)"
$CE data generate --households "$HOUSEHOLDS" --seed 42 --out data/registry
echo "== 2/8 train every model family, register the champion / 训练并登记冠军模型"
$CE train --data data/registry/households.parquet --report out/train-report.json
echo "== 3/8 强农贷: a synthetic enterprise book, train and register enterprise-pd / 合成企业申请数据，训练并登记企业评级模型"
$CE data generate --product qiangnong --enterprises 2000 --seed 42 --out data/enterprises
$CE train --data data/enterprises/enterprises.parquet --spec credit_engine/specs/enterprise.yaml \
    --report out/train-enterprise-report.json
# the curl example's body: the example cooperative, applying in 阳曲县 (the demo officer's first fund) for an amount
# its cash flow can service, so the answer shows a full approval
.venv/bin/python -c "import json; from credit_engine.enterprise.fields import example_enterprise as e
print(json.dumps(e(county_code='140122', application_id='E-140122-000001', enterprise_id='ENT-140122-0001',
                   existing_bank_debt=1_000_000.0, requested_amount=600_000.0), ensure_ascii=False, default=str))" \
    > out/qiangnong-example.json
echo "== 4/8 rate the registry / 批量评级授信"
$CE rate --input data/registry/households.parquet --output out/ratings.xlsx
echo "== 5/8 seed the fund ledger from the registry / 生成风险补偿金演示台账"
$CE ledger seed --from data/registry --fund-yuan "$FUND_YUAN"
echo "== 6/8 leverage report as of ${AS_OF} / 放大倍数报表 (xlsx, html)"
$CE report leverage --as-of "$AS_OF" --format xlsx --out out/leverage.xlsx
$CE report leverage --as-of "$AS_OF" --format html --out out/leverage.html
echo "== 7/8 model monitoring / 模型监控: 1,000 registry applications assessed through the API, then monitor (html)"
# the seeded ledger has no assessments of its own: a sample goes through the scoring API (one audit entry each, the
# loans of the same households link to them), and monitoring reads them as known today (exit 3: a figure at act)
TOKEN=$($CE keys create --role officer --name "demo monitoring" --bank SXRCU --province 14 | tail -1)
$CE serve --host 127.0.0.1 --port "$PORT" > out/monitoring-serve.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
.venv/bin/python - "$PORT" "$TOKEN" <<'PY'
import sys, time, httpx, pandas as pd
port, token = sys.argv[1], sys.argv[2]
for _ in range(180):
    try:
        if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
            break
    except httpx.TransportError:
        pass
    time.sleep(1)
sample = pd.read_parquet("data/registry/households.parquet").drop(columns=["defaulted"], errors="ignore")
sample.sample(min(1000, len(sample)), random_state=1).to_csv("out/monitoring-sample.csv", index=False)
with open("out/monitoring-sample.csv", "rb") as upload:
    answer = httpx.post(f"http://127.0.0.1:{port}/v1/fumin/assessments:batch", files={"file": upload},
                        headers={"Authorization": f"Bearer {token}"}, timeout=300)
answer.raise_for_status()
print(f"assessed / 已评估: {answer.json()['assessed']}")
PY
kill "$SERVER"
wait "$SERVER" || true
trap - EXIT
$CE monitor --as-of "$(TZ=Asia/Shanghai date +%F)" --since 2023-01-01 --format html --out out/monitoring.html ||
    [ $? -eq 3 ]
echo
echo "Done / 完成: model report out/train-report.json (强农贷 enterprise-pd: out/train-enterprise-report.json),"
echo "ratings out/ratings.xlsx (summary out/ratings.summary.csv),"
echo "ledger data/ledger.db, leverage report out/leverage.xlsx and out/leverage.html / 放大倍数报表,"
echo "monitoring out/monitoring.html / 模型监控"
echo "MLflow UI: .venv/bin/mlflow ui --backend-store-uri sqlite:///mlruns/mlflow.db"
if [ "${DEMO_SERVE:-1}" = "0" ]; then
    exit 0
fi
# a fund administrator of the seeded province (山西 14): the web workspace's sign-in key
ADMIN_KEY=$($CE keys create --role fund_admin --name "演示基金管理员 demo fund administrator" --province 14 | tail -n 1)
echo
echo "== 8/8 serve the scoring API on http://127.0.0.1:${PORT} / 启动评分服务 (Ctrl-C to stop / 按 Ctrl-C 停止)"
echo "   API docs / 接口文档: http://127.0.0.1:${PORT}/docs"
echo "   assess an enterprise / 评估一家强农贷企业申请:"
echo "   curl -s -H 'Authorization: Bearer ${TOKEN}' -H 'Content-Type: application/json' \\"
echo "        --data @out/qiangnong-example.json http://127.0.0.1:${PORT}/v1/qiangnong/assessments"
echo "   fund administrator's workspace / 风险补偿金工作台: open http://127.0.0.1:${PORT}/ and sign in with"
echo "   / 打开 http://127.0.0.1:${PORT}/ 并用此风险补偿金管理员密钥登录: ${ADMIN_KEY}"
exec $CE serve --host 127.0.0.1 --port "$PORT" --demo
