"""Hostile uploads and bodies: spreadsheet bombs, a tall workbook while /healthz is polled, malformed JSON and
multipart bodies. Every one is refused with a 4xx in the service's error shape; the server's memory hardly moves
and its event loop keeps answering."""

from __future__ import annotations

import threading
import time

import pytest

from api.routes.assessments import BATCH_PATH
from api.routes.funds import EVENT_FILES_PATH
from api.routes.qiangnong import BATCH_PATH as ENTERPRISE_BATCH_PATH
from credit_engine.contract import APPLICATION_FIELDS
from credit_engine.enterprise.fields import ENTERPRISE_FIELDS
from credit_engine.ledger.eventfile import COLUMNS

pytestmark = pytest.mark.xdist_group("hostile_uploads")  # one server process per module
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTRACT_HEADER = [f.zh for f in APPLICATION_FIELDS[:5]]
ENTERPRISE_HEADER = [f.zh for f in ENTERPRISE_FIELDS[:5]]
EVENT_HEADER = ["event_id", "event_type", "fund_id", "value_date", "amount_yuan"]
GROWTH_LIMIT = 100 * 1024**2


def assert_error_shape(response, status: int | tuple[int, ...]) -> dict:
    assert response.status_code in ((status,) if isinstance(status, int) else status), response.text[:500]
    body = response.json()
    assert set(body) == {"error", "message", "message_zh", "details"}
    return body


def rules(body: dict) -> set[str]:
    return {detail["rule"] for detail in body["details"]}


def upload(client, path: str, content: bytes, name: str = "upload.xlsx", key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, files={"file": (name, content, XLSX)}, headers=headers)


# ----------------------------------------------------------------------------------------- bombs, real server
@pytest.mark.parametrize(
    ("route", "bomb", "limit"),
    [
        ("batch", "corner", "max_columns"),
        ("batch", "dimension", "max_rows"),
        ("events", "corner", "max_columns"),
        ("events", "dimension", None),  # within the limits: refused for its rows, memory still flat
    ],
)
def test_spreadsheet_bombs_are_refused_and_the_server_hardly_grows(server, bombs, route, bomb, limit):
    header = CONTRACT_HEADER if route == "batch" else EVENT_HEADER
    content = bombs.corner() if bomb == "corner" else bombs.dimension(header)
    assert len(content) < 200_000
    token, path = (server.officer, BATCH_PATH) if route == "batch" else (server.fund_admin, EVENT_FILES_PATH)
    before = server.status("VmRSS")
    with server.client(token) as client:
        response = upload(client, path, content, key=f"bomb-{route}-{bomb}")
    body = assert_error_shape(response, 422)
    if limit is not None:
        assert rules(body) == {limit}
        assert "limit" in body["details"][0]["message"] and "上限" in body["details"][0]["message"]
    assert server.process.poll() is None, "the server died"
    growth = server.status("VmHWM") - before
    assert growth < GROWTH_LIMIT, f"the server's peak memory grew by {growth / 1024**2:.0f} MB"


def test_healthz_answers_while_a_tall_workbook_is_refused(server, bombs):
    content = bombs.tall(CONTRACT_HEADER)
    assert 1_000_000 < len(content) < 2_500_000
    worst = []
    for _attempt in range(3):  # the bound is on the event loop, not on a busy machine: the best of three runs
        slowest, answer = _poll_healthz_during(server, content)
        body = assert_error_shape(answer, 422)
        assert rules(body) == {"max_rows"}
        worst.append(slowest)
        if slowest < 0.1:
            break
    assert min(worst) < 0.1, f"/healthz took {min(worst) * 1000:.0f} ms at worst while the upload was read"


def _poll_healthz_during(server, content: bytes) -> tuple[float, object]:
    result: dict[str, object] = {}

    def send() -> None:
        with server.client(server.officer) as client:
            result["response"] = upload(client, BATCH_PATH, content)

    sender = threading.Thread(target=send)
    latencies = []
    with server.client() as probe:
        probe.get("/healthz")  # connection open before the upload starts
        sender.start()
        while sender.is_alive() or not latencies:
            started = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.005)
    sender.join()
    return max(latencies), result["response"]


# --------------------------------------------------------------------------------- malformed bodies, in process
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_a_4xx_everywhere(api, depth):
    raw = b"[" * depth
    for path, key in [("/v1/fumin/assessments", None), (BATCH_PATH, None), ("/v1/funds/F1/contributions", "deep-1")]:
        token = api.keys.fund_admin if key else api.keys.officer
        headers = {"Content-Type": "application/json", "Idempotency-Key": key} if key else {}
        response = api.post(token, path, content=raw, headers=headers | {"Content-Type": "application/json"})
        assert_error_shape(response, (400, 422))


def test_nesting_under_the_recursion_limit_is_refused_too(api):
    raw = ('{"a":' * 200 + "1" + "}" * 200).encode()
    response = api.post(api.keys.officer, "/v1/fumin/assessments", content=raw)
    body = assert_error_shape(response, 422)
    assert rules(body) == {"json"} and "32 levels" in body["details"][0]["message"]
    assert "嵌套超过 32 层" in body["details"][0]["message"]  # the Chinese says the same, not just "invalid JSON"
    nested_batch = ("[" * 40 + "{}" + "]" * 40).encode()
    assert_error_shape(api.post(api.keys.officer, BATCH_PATH, content=nested_batch), 422)


def test_a_body_that_is_not_utf8_is_a_4xx(api):
    raw = b'{"household_id": "\xff\xfe"}'
    assert_error_shape(api.post(api.keys.officer, "/v1/fumin/assessments", content=raw), 422)
    assert_error_shape(api.post(api.keys.officer, BATCH_PATH, content=b"[" + raw + b"]"), 422)
    headers = {"Idempotency-Key": "not-utf8", "Content-Type": "application/json"}
    response = api.post(api.keys.fund_admin, "/v1/funds/F1/contributions", content=raw, headers=headers)
    assert_error_shape(response, (400, 422))


@pytest.mark.parametrize("route", ["batch", "events"])
def test_a_file_name_with_a_300_character_extension_is_a_422(api, route):
    token, path = (api.keys.officer, BATCH_PATH) if route == "batch" else (api.keys.fund_admin, EVENT_FILES_PATH)
    name = "applications." + "x" * 300
    response = api.post(token, path, files={"file": (name, b"a,b\n1,2\n", "text/csv")}, key="long-ext")
    body = assert_error_shape(response, 422)
    assert rules(body) == {"file_type"}
    assert len(body["details"][0]["message"]) < 200


@pytest.mark.parametrize("route", ["batch", "events"])
def test_broken_multipart_bodies_are_4xx(api, route):
    token, path = (api.keys.officer, BATCH_PATH) if route == "batch" else (api.keys.fund_admin, EVENT_FILES_PATH)
    cases = [
        ({"Content-Type": "multipart/form-data"}, b""),  # no boundary
        ({"Content-Type": "multipart/form-data; boundary=xyz"}, b""),  # no part at all
        ({"Content-Type": "multipart/form-data; boundary=xyz"}, b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
        ({"Content-Type": "text/plain"}, b"hello"),
    ]
    for n, (headers, raw) in enumerate(cases):
        response = api.post(token, path, content=raw, headers=headers | {"Idempotency-Key": f"mp-{route}-{n}"})
        assert_error_shape(response, (400, 415, 422))
    two = [("file", ("a.csv", b"x\n", "text/csv")), ("file", ("b.csv", b"y\n", "text/csv"))]
    assert_error_shape(api.post(token, path, files=two, key=f"two-{route}"), (400, 422))
    empty = api.post(token, path, files={"file": ("empty.csv", b"", "text/csv")}, key=f"empty-{route}")
    assert empty.status_code in (200, 400, 422), empty.text


@pytest.mark.parametrize(("bomb", "limit"), [("corner", "max_columns"), ("dimension", "max_rows")])
def test_the_batch_names_the_limit_a_bomb_breaks(api, bombs, bomb, limit):
    content = bombs.corner() if bomb == "corner" else bombs.dimension(CONTRACT_HEADER)
    body = assert_error_shape(_batch(api, content), 422)
    assert rules(body) == {limit}


@pytest.mark.parametrize(("bomb", "limit"), [("corner", "max_columns"), ("dimension", "max_rows")])
def test_the_enterprise_batch_names_the_limit_a_bomb_breaks(api, bombs, bomb, limit):
    content = bombs.corner() if bomb == "corner" else bombs.dimension(ENTERPRISE_HEADER)
    response = api.post(api.keys.officer, ENTERPRISE_BATCH_PATH, files={"file": ("e.xlsx", content, XLSX)})
    assert rules(assert_error_shape(response, 422)) == {limit}


def test_an_enterprise_csv_batch_with_a_huge_line_or_too_many_rows_is_refused(api):
    def sent(content: bytes, name: str):
        files = {"file": (name, content, "text/csv")}
        return assert_error_shape(api.post(api.keys.officer, ENTERPRISE_BATCH_PATH, files=files), 422)

    assert rules(sent(b"x" * 5_000_000 + b"\n", "long.csv")) == {"max_line_chars"}
    assert rules(sent(("\n".join(["经营年限"] + ["6"] * 1001) + "\n").encode(), "tall.csv")) == {"max_rows"}


def _batch(api, content: bytes, name: str = "applications.xlsx"):
    return api.post(api.keys.officer, BATCH_PATH, files={"file": (name, content, XLSX)})


def test_a_csv_batch_with_a_million_columns_or_a_huge_line_is_refused(api):
    wide = ("a," * 1_000_000 + "\n").encode()
    body = assert_error_shape(_batch(api, wide, "wide.csv"), 422)
    assert rules(body) <= {"max_columns", "max_line_chars"}
    long_line = b"x" * 5_000_000 + b"\n"
    body = assert_error_shape(_batch(api, long_line, "long.csv"), 422)
    assert rules(body) == {"max_line_chars"}


def test_a_csv_batch_of_more_rows_than_the_limit_is_refused_while_read(api):
    rows = "\n".join(["户主年龄"] + ["40"] * 1001) + "\n"
    body = assert_error_shape(_batch(api, rows.encode(), "tall.csv"), 422)
    assert rules(body) == {"max_rows"}
    assert "1,000" in body["details"][0]["message"]


def test_a_file_whose_headers_match_no_contract_column_is_one_error(api):
    rows = "name,age,remark\n" + "张三,40,x\n" * 20
    body = assert_error_shape(_batch(api, rows.encode(), "foreign.csv"), 422)
    assert len(body["details"]) == 1
    detail = body["details"][0]
    assert detail["rule"] == "no_contract_columns" and "name, age, remark" in detail["message"]
    assert "户主年龄" in detail["message"] or "申请编号" in detail["message"]


def test_an_event_file_whose_headers_match_no_event_column_is_one_error(api):
    rows = "name,age,remark\n" + "张三,40,x\n" * 20
    files = {"file": ("events.csv", rows.encode(), "text/csv")}
    body = assert_error_shape(api.post(api.keys.fund_admin, EVENT_FILES_PATH, files=files, key="foreign-ev"), 422)
    assert [d["rule"] for d in body["details"]] == ["no_event_columns"]
    message = body["details"][0]["message"]
    assert "name, age, remark" in message and COLUMNS["event_id"][0] in message


def test_an_upload_over_the_byte_limit_is_a_413(api):
    content = b"a," * (6 * 1024 * 1024)  # 12 MB, over the 10 MB upload limit
    body = assert_error_shape(_batch(api, content, "big.csv"), 413)
    assert body["error"] == "PayloadTooLarge"
