"""Credential scrubbing for every message that could echo a server's answer.

A password is searched for in every form a server or a library may echo it in: as typed,
URL-encoded (``quote`` and ``quote_plus``, upper- and lower-case hex), and base64 of
``user:password`` (HTTP Basic) or of the password alone; all case-insensitively (a server may
upper-case what it echoes). A password shorter than :data:`MIN_INSIDE_WORDS` characters is only
matched as a whole word: masking ``a`` inside every word would both garble the message and give
the password away.
"""

from __future__ import annotations

import base64
import re

MASK = "***"
MIN_INSIDE_WORDS = 8


def _char(c: str) -> str:
    """A password character as typed or percent-encoded (any hex case; ``+`` for a space)."""
    encoded = "".join(f"%{b:02X}" for b in c.encode("utf-8"))
    options = [re.escape(c), re.escape(encoded)] + (["\\+"] if c == " " else [])
    return "(?:" + "|".join(options) + ")"


def _patterns(user: str | None, password: str) -> list[str]:
    """The password as typed or URL-encoded (any mix), and the base64 tokens."""
    patterns = ["".join(_char(c) for c in password)]
    for raw in ([f"{user}:{password}"] if user is not None else []) + [password]:
        token = base64.b64encode(raw.encode()).decode()
        patterns.append(re.escape(token.rstrip("=")) + "=*")
    return patterns


def scrub(text: str, user: str | None, password: str | None) -> str:
    """``text`` with every form of ``password`` replaced by ``***``."""
    if not password:
        return text
    for i, pattern in enumerate(_patterns(user, password)):
        if i == 0 and len(password) < MIN_INSIDE_WORDS:
            pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
        text = re.sub(pattern, MASK, text, flags=re.IGNORECASE)
    return text
