"""Is a transcript fit to score? Checks for what live decoding invents.

Greedy Whisper passes over a pause can loop ("uh, uh, uh …" a hundred times) or write
words where the microphone heard nothing. A score resting on such a transcript is wrong,
so practice transcribes the answer again (the final Whisper pass) when one of these checks
fails; docs/stt.md gives the measurements behind the limits.
"""

from __future__ import annotations

import dataclasses

from interviewsense.audio.vad import Region
from interviewsense.domain import Transcript
from interviewsense.scoring.delivery import FILLER_SOUNDS
from interviewsense.scoring.text import norm
from interviewsense.stt.invented import SENTENCE_END, after_speech, is_loop, longest_loop
from interviewsense.stt.whisper_engine import DISFLUENT_PROMPT

MAX_FILLERS_PER_100 = 20.0  # far past the most disfluent speakers (about 10-15 per 100)
MIN_FILLERS = 6
UNHEARD_SHARE = 0.25  # words with no speech near them
# Whisper's word times on a quiet speaker miss the detector's speech by up to half a
# second (live_real: at 0.3 s up to 21 % of a sound transcript's words, and one run over
# the 25 % share was transcribed again for nothing; at 0.6 s 7 % at most). Words invented
# over a silence sit a second or more from any speech.
UNHEARD_TOLERANCE_S = 0.6


def transcript_problems(transcript: Transcript, regions: list[Region] | None) -> list[str]:
    """Why the transcript cannot be trusted, or nothing."""
    words = [
        n for w in ([w.w for w in transcript.words] or transcript.text.split()) if (n := norm(w))
    ]
    problems = []
    if is_loop(words):
        phrase, runs = longest_loop(words)
        problems.append(f"'{phrase}' {runs} times in a row")
    fillers = sum(1 for w in words if w in FILLER_SOUNDS)
    if fillers >= MIN_FILLERS and 100 * fillers / max(1, len(words)) > MAX_FILLERS_PER_100:
        problems.append(f"{fillers} fillers in {len(words)} words")
    if regions is not None and transcript.timed and len(transcript.words) >= 5:
        tol = UNHEARD_TOLERANCE_S
        unheard = [
            w
            for w in transcript.words
            if not any(s - tol <= (w.start + w.end) / 2 <= e + tol for s, e in regions)
        ]
        if len(unheard) / len(transcript.words) > UNHEARD_SHARE:
            problems.append(f"{len(unheard)} of {len(transcript.words)} words with no speech")
    return problems


PROMPT_WORDS = frozenset(norm(w) for w in DISFLUENT_PROMPT.split())


def drop_prompt_echo(transcript: Transcript) -> Transcript:
    """Without a trailing run of prompt words ("So, um,") after the answer's last sentence.

    A live pass over the end of an answer (the last word, then silence) can write the
    start of the disfluent prompt after the final full stop: "… all. Thanks. So, um,". The
    run is dropped when it holds a filler, follows a finished sentence and is the whole
    of what comes after it; anything else is kept (docs/stt.md has the measurement)."""
    words = transcript.words
    n = 0
    while n < len(words) and norm(words[-1 - n].w) in PROMPT_WORDS:
        n += 1
    if n == 0 or n == len(words) or not words[-1 - n].w.endswith(SENTENCE_END):
        return transcript
    if not any(norm(w.w) in FILLER_SOUNDS for w in words[-n:]):
        return transcript
    return _without_last(transcript, n)


def drop_after_speech(transcript: Transcript, speech_end: float | None) -> Transcript:
    """Without the sentences ``after_speech`` finds (the live path's last passes)."""
    return _without_last(transcript, after_speech(transcript.words, speech_end))


def _without_last(transcript: Transcript, n: int) -> Transcript:
    """``transcript`` without its last ``n`` words, when its text ends with the same words
    (else unchanged: the text and the timed words disagree, so nothing is cut blind)."""
    words = transcript.words
    tokens = transcript.text.split()
    if n == 0 or [norm(t) for t in tokens[-n:]] != [norm(w.w) for w in words[-n:]]:
        return transcript
    return dataclasses.replace(transcript, text=" ".join(tokens[:-n]), words=words[:-n])
