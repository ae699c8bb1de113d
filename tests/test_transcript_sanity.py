"""The checks a transcript must pass before it scores an answer (stt/sanity.py)."""

from __future__ import annotations

from interviewsense.domain import Transcript, Word
from interviewsense.scoring.text import words_from_text
from interviewsense.stt.sanity import drop_prompt_echo, longest_loop, transcript_problems


def typed(text: str) -> Transcript:
    return Transcript(text=text, engine="whisper-live", words=words_from_text(text))


def test_a_filler_loop_is_caught() -> None:
    text = "So the first thing I did was look at the logs. " + "Uh, " * 40
    problems = transcript_problems(typed(text), None)
    assert any("'uh' 40 times in a row" in p for p in problems)
    assert any("fillers in" in p for p in problems)


def test_a_phrase_loop_is_caught() -> None:
    text = "We shipped it on time. " + "and then we " * 6
    assert longest_loop(text.lower().replace(".", "").split()) == ("and then we", 6)
    assert transcript_problems(typed(text), None)


def test_ordinary_speech_passes() -> None:
    text = (
        "Um, so I think the main thing was, uh, communication. We had three teams, and I "
        "set up a weekly call. Here are some more words, words, words, words. It worked."
    )
    assert transcript_problems(typed(text), None) == []


def test_words_where_no_one_spoke_are_caught() -> None:
    words = [Word(w=f"w{i}", start=i * 0.5, end=i * 0.5 + 0.4, p=0.9) for i in range(20)]
    tr = Transcript(text=" ".join(w.w for w in words), engine="whisper-live", words=words)
    speech_until = [(0.0, 4.0)]  # the VAD heard speech for the first 4 s only
    assert any("with no speech" in p for p in transcript_problems(tr, speech_until))
    assert transcript_problems(tr, [(0.0, 10.0)]) == []


def test_the_prompt_echoed_after_the_last_sentence_is_dropped() -> None:
    said = "And that should be all. Thanks."
    echoed = drop_prompt_echo(typed(said + " So, um,"))
    assert echoed.text == said and [w.w for w in echoed.words] == said.split()
    # A filler inside the answer, a trailing phrase without one, or one that does not
    # follow a finished sentence, is the speaker's: kept.
    for kept in (
        "Um, and that should be all. Thanks.",
        "That was the plan. You know,",
        "And that was, um, so",
        "Um, uh,",
    ):
        assert drop_prompt_echo(typed(kept)).text == kept
