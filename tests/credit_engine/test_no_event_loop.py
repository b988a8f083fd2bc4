"""The domain knows no event loop: no module of ``credit_engine`` imports asyncio (or another event-loop library)
or asks for a loop. Awaiting an audit write is the API's business (``api/audit_writer.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import credit_engine

EVENT_LOOP_MODULES = {"asyncio", "uvloop", "anyio", "trio"}
LOOP_CALLS = {"get_running_loop", "get_event_loop", "new_event_loop", "run_coroutine_threadsafe"}


def loop_uses(source: str) -> list[str]:
    """Event-loop imports, loop look-ups and ``async def`` in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in EVENT_LOOP_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in EVENT_LOOP_MODULES:
            found.append(node.module)
        elif (name := _name(node)) in LOOP_CALLS:
            found.append(name)
        elif isinstance(node, ast.AsyncFunctionDef | ast.Await):
            found.append(type(node).__name__)
    return found


def _name(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def test_the_check_finds_an_event_loop():
    source = "import asyncio\nfrom anyio import to_thread\nasync def f():\n    asyncio.get_running_loop()\n"
    assert sorted(loop_uses(source)) == ["AsyncFunctionDef", "anyio", "asyncio", "get_running_loop"]


def test_no_module_of_the_domain_uses_an_event_loop():
    root = Path(credit_engine.__file__).parent
    found = {
        str(path.relative_to(root)): uses
        for path in sorted(root.rglob("*.py"))
        if (uses := loop_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}
