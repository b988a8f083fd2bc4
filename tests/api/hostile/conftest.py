"""What the hostile-input suite builds for itself: spreadsheet bombs written byte by byte (zipfile + handwritten sheet
XML, nothing a spreadsheet library would refuse to write), and the real server in a process of its own, so a test
can read its memory (peak RSS from ``/proc``) and see whether it survives.

The bombs: ``corner_bomb`` — only A1 and XFD1048576, declaring ``A1:XFD1048576`` (readers that trust the dimension
allocate 2^34 cells); ``dimension_bomb`` — ``A1:XFD6001`` declared, one cell per row (readers pad every row to
16,384 columns); ``tall_workbook`` — 300,000 short rows in ~1.5 MB.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

import httpx
import pytest

from credit_engine.ledger.database import engine_for_settings, migrate
from credit_engine.service_db import database as service_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""  # noqa: E501
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Target="xl/workbook.xml"
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Target="worksheets/sheet1.xml"
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>"""


def cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def workbook(rows: Iterable[str], dimension: str | None = None) -> bytes:
    """An XLSX whose first sheet holds ``rows`` (``<row>`` elements as XML text), declaring ``dimension``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def corner_bomb() -> bytes:
    """Only A1 and XFD1048576, declaring the whole sheet: 1-2 KB."""
    return workbook([row(1, cell("A1", "x")), row(1_048_576, cell("XFD1048576", "x"))], "A1:XFD1048576")


def dimension_bomb(header: list[str], rows: int = 6000) -> bytes:
    """A header row, then ``rows`` rows of one cell each, declaring ``A1:XFD<rows + 1>``."""
    letters = [chr(65 + i) for i in range(len(header))]
    lines = [row(1, *(cell(f"{c}1", h) for c, h in zip(letters, header, strict=True)))]
    lines += (row(n, cell(f"A{n}", f"E{n}")) for n in range(2, rows + 2))
    return workbook(lines, f"A1:XFD{rows + 1}")


def tall_workbook(header: list[str], rows: int = 300_000) -> bytes:
    """A header, then ``rows`` rows of one short cell: ~1.5 MB compressed."""
    lines = [row(1, *(cell(f"{chr(65 + i)}1", h) for i, h in enumerate(header)))]
    lines += (row(n, cell(f"A{n}", "1")) for n in range(2, rows + 2))
    return workbook(lines)


@pytest.fixture(scope="session")
def bombs() -> SimpleNamespace:
    """The builders above, for the tests of this folder: ``bombs.corner()``, ``bombs.dimension(header)`` …"""
    return SimpleNamespace(
        workbook=workbook, row=row, cell=cell, corner=corner_bomb, dimension=dimension_bomb, tall=tall_workbook
    )


@dataclass
class Server:
    """The real server in its own process: its base URL, keys, and memory as the kernel counts it."""

    base: str
    process: subprocess.Popen
    officer: str
    fund_admin: str

    def status(self, field: str) -> int:
        """``VmRSS`` or ``VmHWM`` (peak) of the server process, in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
        raise LookupError(field)

    def client(self, token: str | None = None, timeout: float = 60) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, mlflow_store, settings_factory, make_keys_for) -> Iterator[Server]:
    """``credit-engine serve`` on a free loopback port (one process), with an officer's and an administrator's key."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the server's memory from /proc")
    home = tmp_path_factory.mktemp("hostile")
    settings = settings_factory(home, mlflow_store[0])
    engine = engine_for_settings(settings)
    migrate(engine)
    service_db.migrate(engine)
    keys = make_keys_for(engine)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_ENGINE_", "MLFLOW_"))}
    env |= {
        "CREDIT_ENGINE_HOME": str(home),
        "CREDIT_ENGINE_DATABASE_URL": str(settings.database_url),
        "CREDIT_ENGINE_MLFLOW_TRACKING_URI": mlflow_store[0],
        "CREDIT_ENGINE_MODEL_NAME": settings.model_name,
        "CREDIT_ENGINE_PSEUDONYM_SECRET": "test-pseudonym-secret",
    }
    port = _free_port()
    program = str(Path(sys.executable).with_name("credit-engine"))
    command = [program, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with (home / "server.log").open("w") as log:
        process = subprocess.Popen(command, env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_ready(base, process, home)
            yield Server(base, process, keys.officer, keys.fund_admin)
        finally:
            process.kill()
            process.wait(timeout=30)


def _wait_until_ready(base: str, process: subprocess.Popen, home: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {(home / 'server.log').read_text()[-2000:]}")
        time.sleep(0.3)
    pytest.fail("the server did not become ready in 90 s")
