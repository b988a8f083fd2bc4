"""The unified social credit code (统一社会信用代码, GB 32100-2015) of an enterprise, a cooperative or a project unit.

18 characters from a 31-character set (0–9 and A–Z without I, O, Z, S, V): the registration authority (1), the kind
of unit (1), the administrative division (6), the organisation code (9) and a check character. The check character
is the one whose value ``c`` makes ``(Σ value(i) × weight(i) + c) mod 31 == 0`` over the first 17 characters, with
the standard's weights ``3^i mod 31``; the character set is the standard's, in its order.
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {character: value for value, character in enumerate(CHARSET)}


def check_character(first_17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a code (``ValueError`` if they cannot be one)."""
    if len(first_17) != LENGTH - 1 or any(c not in _VALUE for c in first_17):
        raise ValueError(f"not 17 characters of the GB 32100 set: {first_17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first_17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """Whether ``code`` is 18 characters of the set ending in its check character (upper case only)."""
    if len(code) != LENGTH or any(c not in _VALUE for c in code):
        return False
    return check_character(code[:-1]) == code[-1]


def make(prefix_17: str) -> str:
    """A code: the 17 characters and their check character (tests, the synthetic book)."""
    return prefix_17 + check_character(prefix_17)
