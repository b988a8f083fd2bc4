"""A versioned configuration file read into a pydantic model: YAML that refuses duplicate keys, every problem named
by its field, and the fingerprint of its content — shared by the monitoring and the retraining policies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from credit_engine.policy.config import UniqueKeyLoader

M = TypeVar("M", bound=BaseModel)
Problems = list[tuple[str, str]]
ErrorFor = Callable[[str, Problems], Exception]  # (source, [(field, message)]) -> the file kind's bilingual error


def fingerprint(model: BaseModel, exclude: set[str] | None = None) -> str:
    """sha256 (hex) of the canonical content: layout and comments don't count, every value does (but the fields in
    ``exclude``: an optional section added later, absent from the files written before it)."""
    text = json.dumps(model.model_dump(mode="json", exclude=exclude), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_model(text: str, source: str, model: type[M], error: ErrorFor) -> M:
    """``model`` from YAML text; ``source`` names the file in ``error``."""
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as problem:
        raise error(source, [("", f"not valid YAML: {problem}")]) from problem
    try:
        return model.model_validate(raw)
    except ValidationError as invalid:
        problems = [
            (".".join(map(str, e["loc"])), str(e["msg"]).removeprefix("Value error, ")) for e in invalid.errors()
        ]
        raise error(source, problems) from invalid


def load_model(path: Path | None, shipped: str, model: type[M], error: ErrorFor) -> M:
    """``model`` from the file at ``path``; ``None`` reads the ``shipped`` file of ``credit_engine/policy/``."""
    if path is None:
        text = resources.files("credit_engine.policy").joinpath(shipped).read_text(encoding="utf-8")
        return parse_model(text, shipped, model, error)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as problem:
        raise error(str(path), [("", f"cannot be read: {problem.strerror or problem}")]) from problem
    return parse_model(text, str(path), model, error)
