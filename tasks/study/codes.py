"""Participant codes: pseudonymous, and plain enough to become part of a file name (exports,
take-home packages and results bundles are named after them)."""
from __future__ import annotations

import re

PARTICIPANT_CODE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")  # \Z: no newline after
CODE_RULE = ("a pseudonymous code such as P007: letters, digits, '.', '_' or '-', starting with a letter or "
             "digit, at most 64 characters (never a name or an e-mail address)")


def code_problem(code: str) -> str | None:
    """None when ``code`` is a usable participant code, else what is wrong with it."""
    if not PARTICIPANT_CODE.match(code):
        return f"participant code {code!r}: use {CODE_RULE}"
    return None
