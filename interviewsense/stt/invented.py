"""What Whisper writes that nobody said, told from the words alone: a word or a short phrase
looping, and sentences written over the silence that ends an answer. The live passes, the
final pass (stt/whisper_engine.py) and the checks before scoring (stt/sanity.py) share
these rules; docs/stt.md gives the measurements behind the limits.
"""

from __future__ import annotations

from interviewsense.domain import Word

LOOP_RUN = 5  # the same word this many times in a row is a loop ("uh uh uh uh uh")
LOOP_PHRASE_RUN = 4  # a phrase of 2 to 4 words said this many times in a row
# A sentence that starts this long after the last speech the VAD heard is written over the
# silence after the answer ("… Alright, thanks. This is the first time I've been working
# on."); Whisper's word starts are off by a tenth of a second or two, not half a second.
AFTER_SPEECH_S = 0.5
# Or its words have no length: the aligner stacked them where it found no sound ("This is
# the first time I've been working on.": 7 of 9 words at 23.13 s, none long). Real words of
# no length are rare (a quick "uh", "is"), so it takes most of a sentence of 3 or more.
UNALIGNED_SHARE = 0.6
UNALIGNED_MIN = 3
SENTENCE_END = (".", "!", "?")


def longest_loop(words: list[str]) -> tuple[str, int]:
    """The phrase (1 to 4 words) repeated most times in a row, and how many times."""
    phrase, runs, _ = _longest_loop(words)
    return phrase, runs


def _longest_loop(words: list[str]) -> tuple[str, int, int]:
    """``longest_loop``, and the index just after the repetition."""
    best = ("", 1, 0)
    for n in range(1, 5):
        i = 0
        while i + n <= len(words):
            gram = words[i : i + n]
            runs = 1
            while words[i + runs * n : i + (runs + 1) * n] == gram:
                runs += 1
            if runs > best[1] and (n == 1 or runs >= LOOP_PHRASE_RUN):
                best = (" ".join(gram), runs, i + runs * n)
            i += runs * n if runs > 1 else 1
    return best


def is_loop(words: list[str]) -> bool:
    """Whether ``words`` repeat a word or a short phrase more than a person would."""
    phrase, runs = longest_loop(words)
    return runs >= (LOOP_RUN if " " not in phrase else LOOP_PHRASE_RUN)


def words_after_loop(words: list[str]) -> int | None:
    """How many words follow the loop in ``words`` (``is_loop``); None when there is none.
    A loop that stops before the end ("montreal uh uh uh uh uh uh forced aligner", a real
    speaker's six "uh"s written as ten) leaves the last words readable."""
    phrase, runs, end = _longest_loop(words)
    if runs < (LOOP_RUN if " " not in phrase else LOOP_PHRASE_RUN):
        return None
    return len(words) - end


def after_speech(words: list[Word], speech_end: float | None) -> int:
    """How many of the last ``words`` are whole sentences nobody said: Whisper writing over
    the silence that ends an answer ("… Alright, thanks. This is the first time I've been
    working on."). A last sentence goes when it starts more than ``AFTER_SPEECH_S`` after the
    speech ended (``speech_end``, seconds, from the voice activity detector), or when most
    of its words have no length: the aligner found no sound for them. The first sentence
    always stays."""
    n = 0
    while n < len(words):
        end = len(words) - n
        start = end - 1
        while start > 0 and not words[start - 1].w.endswith(SENTENCE_END):
            start -= 1
        if start == 0:
            break
        sentence = words[start:end]
        late = speech_end is not None and sentence[0].start > speech_end + AFTER_SPEECH_S
        flat = sum(1 for w in sentence if w.end <= w.start)
        if not late and (len(sentence) < UNALIGNED_MIN or flat < UNALIGNED_SHARE * len(sentence)):
            break
        n = len(words) - start
    return n
