"""What every command shares: settings, the console, and turning errors into exit codes.

``guarded`` wraps a command body: ``InvalidInput`` prints every error on stderr and exits 2; any other engine error
prints its message and exits 1. Long error lists are printed in full (the user needs every row), but capped on
screen with a pointer to the rejects file when one was written.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from credit_engine.config import Settings, load_settings
from credit_engine.errors import CreditEngineError, InvalidInput

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # an error line keeps its paths and values whole


def settings() -> Settings:
    return load_settings()


def print_errors(error: InvalidInput) -> None:
    err_console.print(f"[bold red]{error}[/] / 输入数据有误，共 {len(error.errors)} 处:")
    for item in error.errors:
        err_console.print(f"  {item}", markup=False, highlight=False)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Map engine errors to exit codes (2 invalid input, 1 other failures)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except InvalidInput as error:
            print_errors(error)
            raise typer.Exit(code=2) from None
        except (CreditEngineError, FileNotFoundError, ValueError) as error:
            err_console.print(f"[bold red]error / 错误:[/] {error}", highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error / 错误:[/] {message}", highlight=False)
    sys.stderr.flush()
    raise typer.Exit(code=code)
