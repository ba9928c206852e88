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
import urllib.parse

MASK = "***"
MIN_INSIDE_WORDS = 8


def _variants(user: str | None, password: str) -> set[str]:
    forms = {password, urllib.parse.quote(password, safe=""), urllib.parse.quote_plus(password)}
    forms |= {f.lower() for f in forms if "%" in f}
    for raw in ([f"{user}:{password}"] if user is not None else []) + [password]:
        token = base64.b64encode(raw.encode()).decode()
        forms |= {token, token.rstrip("=")}
    return {f for f in forms if f}


def scrub(text: str, user: str | None, password: str | None) -> str:
    """``text`` with every form of ``password`` replaced by ``***``."""
    if not password:
        return text
    for form in sorted(_variants(user, password), key=len, reverse=True):
        pattern = re.escape(form)
        if len(form) < MIN_INSIDE_WORDS:
            pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
        text = re.sub(pattern, MASK, text, flags=re.IGNORECASE)
    return text
