"""``--redact``: e-mail addresses, phone numbers and the names you list never reach the LLM."""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 7 or more digits, optionally led by + and split by spaces, dots, dashes or brackets.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]*\d){6,}(?!\d)")


def name_forms(name: str) -> list[str]:
    """Patterns for a name as text may write it: its words apart by any spaces or a line
    break (text from a PDF: "Jane  Doe"), and, for two words or more, last name first
    ("DOE, JANE"; "Doe, Jane Q."). A review found both reaching the LLM."""
    words = name.split()
    forms = [r"\s+".join(re.escape(w) for w in words)]
    if len(words) > 1:
        forms.append(
            re.escape(words[-1]) + r",?\s+" + r"\s+".join(re.escape(w) for w in words[:-1])
        )
    return forms


class Redactor:
    def __init__(self, names: Iterable[str] = (), *, enabled: bool = True) -> None:
        self.enabled = enabled
        cleaned = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
        forms = [form for n in cleaned for form in name_forms(n)]
        self._names = re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.I) if forms else None

    def __call__(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        text = EMAIL.sub("[email]", text)
        text = PHONE.sub("[phone]", text)
        if self._names is not None:
            text = self._names.sub("[name]", text)
        return text
