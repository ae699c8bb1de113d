"""An answer as a speaker might say it: the same content, in the surface of speech.

``spoken(text, rng)`` gives a copy of a written answer with one to three of these:
a stance word in a sentence ("I totally split the work"), a tag at the end of one ("…, you
know."), an acknowledgement first ("Sure.", "Okay, so"), a sign-off sentence last ("That's
the story."), sentences run on ("…, and then …"), a restart ("I was, I was leading"), or all of
it as a recogniser without punctuation writes it (lower case, no marks, numbers in words, as
VOSK does). None of them changes what the answer says (a single hedge such as "I guess" only
qualifies it), so a coach gives the copy the answer's own band: a reader that learns from such
copies learns that they tell it nothing (``scripts/train_reader.py --spoken``). The evaluation
splits are clean prose, and the shipped reader learned the writers' surface habits: a single
"totally" took strong and good spoken answers down by 19 points on average. Session 51's
reader taught these copies moved less, but read weak answers higher, and did not ship
(docs/scoring.md).
"""

from __future__ import annotations

import random
import re

STANCE = (
    "totally", "honestly", "really", "basically", "actually", "pretty much", "definitely",
    "literally", "obviously", "seriously", "kind of", "sort of", "just", "genuinely",
)  # fmt: skip
STANCE_FIRST = ("Honestly", "Basically", "Actually", "Really", "Obviously", "Frankly")
SUBJECTS = frozenset("i we it they he she you".split())
TAGS = (
    "I guess", "you know", "right", "I think", "basically", "if that makes sense",
    "more or less", "or so", "I suppose", "so to speak",
)  # fmt: skip
OPENERS = (
    "Sure.", "Okay, so", "So,", "Yeah, so", "Good question.", "Right, so", "Well,", "Um, so",
    "Alright.", "Sure, so", "Okay.", "Great question.", "Let me think.", "So, yeah,", "Yes.",
)  # fmt: skip
SIGN_OFFS = (
    "That's the story.", "So yeah, that's it.", "And that's pretty much it.", "Thanks.",
    "I can say more about any of that.", "That's how I'd approach it.", "So that's that.",
    "That's what I did.", "Does that make sense?", "That's the gist of it.",
    "Let me know if you want more detail.", "Anyway, that's my take.", "I hope that helps.",
)  # fmt: skip
JOINED_ALREADY = frozenset({"And", "But", "So", "Then", "Or", "Because", "Also"})
JOINS = (", and ", ", and then ", " and, um, ", ", and ")

_SENTENCE = re.compile(r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)(?<!etc\.)(?<!vs\.)(?<!Dr\.)\s+")
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """A whole number as a recogniser writes it ("forty one", "two thousand five hundred")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens - 2] + (f" {_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        return f"{number_words(thousands)} thousand" + (f" {number_words(rest)}" if rest else "")
    millions, rest = divmod(n, 1_000_000)
    return f"{number_words(millions)} million" + (f" {number_words(rest)}" if rest else "")


def unpunctuated(text: str) -> str:
    """The text as VOSK writes it: lower case, numbers in words, no marks but apostrophes."""

    def spell(m: re.Match[str]) -> str:
        digits = m.group(1).replace(",", "")
        if "." in digits:
            whole, frac = digits.split(".", 1)
            said = f"{number_words(int(whole))} point " + " ".join(_ONES[int(d)] for d in frac)
        else:
            said = number_words(int(digits)) if int(digits) < 1_000_000_000 else digits
        scale = f" {m.group(3)}" if m.group(3) else ""
        dollars = " dollars" if m.group(0).startswith("$") else ""
        return f"{said}{' percent' if m.group(2) else ''}{scale}{dollars}"

    # A number that stands alone ("40%", "$4,500", "2.5", "$5 million"), not one inside a word
    # ("p99", "10x", "2020s", "v2"), which is left as written; "1,2,3" is three numbers.
    alone = r"(?<![\w.])\$?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(%)?(?:\s+(million|billion))?(?![\w%])"
    text = re.sub(alone, spell, text)
    for mark, said in (("&", " and "), ("+", " plus "), ("#", " sharp "), ("%", " percent ")):
        text = text.replace(mark, said)
    text = re.sub(r"[-–—/]", " ", text.lower())
    text = re.sub(r"[^\w\s']", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _keeps_capital(word: str) -> bool:
    """ "I", "I'd", an acronym ("API", "CI/CD"): not lower-cased mid-sentence."""
    return word == "I" or word.startswith("I'") or word[1:2].isupper()


def _stance(sents: list[str], rng: random.Random) -> None:
    """After a subject ("I totally split", "it pretty much ran"), or first in a sentence
    ("Honestly, …") where none has one."""
    k = rng.randrange(len(sents))
    words = sents[k].split(" ")
    if len(words) < 4:
        return
    after = [i + 1 for i, w in enumerate(words[:-2]) if w.lower() in SUBJECTS]
    if after:
        words.insert(rng.choice(after), rng.choice(STANCE))
    elif words[0].rstrip(",") not in JOINED_ALREADY:  # not "Honestly, but …"
        start = rng.choice(STANCE_FIRST)
        first = words[0] if _keeps_capital(words[0]) else words[0].lower()
        words[0:1] = [f"{start},", first]
    sents[k] = " ".join(words)


def _tag(sents: list[str], rng: random.Random) -> None:
    k = rng.randrange(len(sents))
    s = sents[k].rstrip()
    mark = s[-1] if s and s[-1] in ".!?" else ""
    tag = rng.choice(TAGS)
    sents[k] = f"{s[: len(s) - len(mark)]}, {tag}{'?' if tag == 'right' else mark or '.'}"


def _opener(sents: list[str], rng: random.Random) -> None:
    first = sents[0]
    opener = rng.choice(OPENERS)
    if opener.endswith((",", "so")) and first[:1].isupper() and first[1:2].islower():
        first = first[0].lower() + first[1:]
    sents[0] = f"{opener} {first}"


def _sign_off(sents: list[str], rng: random.Random) -> None:
    sents.append(rng.choice(SIGN_OFFS))


def _run_on(sents: list[str], rng: random.Random) -> None:
    if len(sents) < 2:
        return
    k = rng.randrange(len(sents) - 1)
    left, right = sents[k].rstrip(), sents[k + 1]
    if not left.endswith(".") or right.split(" ", 1)[0].rstrip(",") in JOINED_ALREADY:
        return
    if not _keeps_capital(right.split(" ", 1)[0]):
        right = right[:1].lower() + right[1:]
    sents[k : k + 2] = [left[:-1] + rng.choice(JOINS) + right]


def _restart(sents: list[str], rng: random.Random) -> None:
    k = rng.randrange(len(sents))
    words = sents[k].split(" ")
    n = rng.choice((1, 2, 2, 3))
    if len(words) <= n + 2:
        return
    again = words[0] if _keeps_capital(words[0]) else words[0].lower()
    sents[k] = " ".join(words[:n]).rstrip(",") + ", " + " ".join([again, *words[1:]])


CHANGES = (_stance, _stance, _tag, _opener, _sign_off, _run_on, _restart)


def spoken(text: str, rng: random.Random) -> str:
    """A copy of ``text`` with one to three of the changes a speaker makes (``CHANGES``), and
    one time in four written as a recogniser without punctuation writes it."""
    sents = [s for s in _SENTENCE.split(text.strip()) if s]
    if not sents:
        return text
    for change in rng.sample(CHANGES, rng.choice((1, 1, 2, 3))):
        change(sents, rng)
    said = " ".join(sents)
    return unpunctuated(said) if rng.random() < 0.25 else said
