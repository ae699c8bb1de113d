"""``--redact``: e-mail addresses, phone numbers and the names you list never reach the LLM."""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 7 or more digits, optionally led by + and split by spaces, dots, dashes or brackets.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]*\d){6,}(?!\d)")


class Redactor:
    def __init__(self, names: Iterable[str] = (), *, enabled: bool = True) -> None:
        self.enabled = enabled
        cleaned = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
        self._names = (
            re.compile(r"\b(?:" + "|".join(re.escape(n) for n in cleaned) + r")\b", re.I)
            if cleaned
            else None
        )

    def __call__(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        text = EMAIL.sub("[email]", text)
        text = PHONE.sub("[phone]", text)
        if self._names is not None:
            text = self._names.sub("[name]", text)
        return text
