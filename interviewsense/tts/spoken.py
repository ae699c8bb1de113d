"""What a voice reads aloud for a written question: the way an interviewer would say the
names, abbreviations and symbols in it, rather than the way a phonemizer guesses them.

espeak-ng (the phonemizer behind both Piper and pyttsx3) reads "bit.ly" as "bit dot lie",
"e.g." as "e g", "A/B" as "A slash B" and "24/7" as "twenty-four slash seven". Only the
spoken audio changes: the question keeps its written form on screen, in the transcript and
in the session. English only; text in other languages is read as written.
"""

from __future__ import annotations

import re

# Written form -> what an English-speaking interviewer says. Matched as whole tokens,
# case-sensitively (the written form is how the name is spelled).
SAID_AS: dict[str, str] = {
    "bit.ly": "bitly",
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "vs": "versus",
    "A/B": "A-B",  # "A B" is heard "in a B" (tiny.en, 3 of 3 renderings); "A-B" as "AB"
    "CI/CD": "C I C D",
    "I/O": "I O",
    "24/7": "twenty-four seven",
    "gRPC": "G R P C",
    "OAuth": "oh auth",
    "GraphQL": "graph Q L",
    "PostgreSQL": "postgres Q L",
    "MySQL": "my S Q L",
    "NoSQL": "no S Q L",
    "iOS": "i O S",
    "k8s": "kubernetes",
    "Node.js": "node J S",
    "README": "read me",
}
_TOKEN = re.compile(
    r"(?<![\w./])(" + "|".join(re.escape(k) for k in sorted(SAID_AS, key=len, reverse=True)) + r")"
    r"(?![\w/]|\.\w)"
)


def spoken(text: str, language: str = "en") -> str:
    """``text`` as an interviewer would say it (``SAID_AS``), for a voice in ``language``."""
    if language.split("-")[0].lower() != "en":
        return text
    return _TOKEN.sub(lambda m: SAID_AS[m.group(1)], text)
