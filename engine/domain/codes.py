"""Code checks: the 统一社会信用代码 (USCC, GB 32100-2015) that prefixes every 实施编码.
Pure functions; the catalogue validators and the demo data use them."""
from __future__ import annotations

# 31 characters: digits and capitals without I, O, S, V, Z; a character's value is its index
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17: 31 − (Σ cᵢ·wᵢ mod 31), where 31 means 0."""
    if len(first17) != 17 or any(ch not in USCC_ALPHABET for ch in first17):
        raise ValueError("a USCC body is 17 characters of 0-9A-HJ-NPQRTUWXY")
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: object) -> str | None:
    """Why `code` is not a valid USCC, or None when it is."""
    if not isinstance(code, str) or len(code) != 18:
        return "a USCC has 18 characters"
    bad = [ch for ch in code if ch not in USCC_ALPHABET]
    if bad:
        return f"character {bad[0]!r} is not allowed in a USCC (0-9, A-Z without I, O, S, V, Z)"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def valid_uscc(code: object) -> bool:
    return uscc_problem(code) is None
