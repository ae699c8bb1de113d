"""The checks a transcript must pass before it scores an answer (stt/sanity.py)."""

from __future__ import annotations

from interviewsense.domain import Transcript, Word
from interviewsense.scoring.text import words_from_text
from interviewsense.stt.invented import is_loop, longest_loop
from interviewsense.stt.sanity import drop_after_speech, drop_prompt_echo, transcript_problems
from interviewsense.stt.whisper_engine import unheard_speech


def typed(text: str) -> Transcript:
    return Transcript(text=text, engine="whisper-live", words=words_from_text(text))


def timed(text: str, then: str = "", after_s: float = 0.0) -> Transcript:
    """One word every 0.4 s, as a steady speaker says them; then ``then``, ``after_s`` later."""
    first = words_from_text(text)
    said = first + words_from_text(then)
    starts = [i * 0.4 + (after_s if i >= len(first) else 0.0) for i in range(len(said))]
    words = [
        Word(w.w, round(t, 3), round(t + 0.3, 3), 0.9) for w, t in zip(said, starts, strict=True)
    ]
    whole = f"{text} {then}".strip()
    return Transcript(text=whole, engine="whisper-live", words=words)


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


def test_a_sentence_written_over_the_silence_after_the_answer_is_dropped() -> None:
    """Seen live on real speech (docs/stt.md): "… Alright, thanks. This is the first time
    I've been working on." over the 4 s of silence that ended the answer."""
    said = "That should be good. Alright, thanks."
    invented = "This is the first time I've been working on."
    tr = timed(said, invented, after_s=1.5)  # in the silence, 1.5 s after the last word
    words = tr.words
    n = len(said.split())
    speech_end = words[n - 1].end  # the VAD heard the last real word end
    cut = drop_after_speech(tr, speech_end)
    assert cut.text == said and len(cut.words) == n
    # Words that start before the speech ended (give or take Whisper's timing) stay, and so
    # does an unfinished sentence running past it: only whole sentences after it go.
    assert drop_after_speech(tr, words[-1].start).text == tr.text
    assert drop_after_speech(tr, None).text == tr.text
    run_on = timed("And that should be good and thank you")
    assert drop_after_speech(run_on, run_on.words[3].end).text == run_on.text


def test_a_word_said_over_and_over_inside_ordinary_text_is_a_loop() -> None:
    """A live pass on real speech wrote "so I probably spent like, a, a, a, …" (36 times)
    inside an ordinary sentence: the segment compressed to about 2, under Whisper's 2.4,
    so only the word count catches it."""
    looped = "Uh, so this is the sick corpus. I have a cold, so I probably spent like, "
    assert is_loop([w.lower().strip(",.") for w in (looped + "a, " * 36).split()])
    # A speaker's own repetition is not: "some more words, words, words, words".
    assert not is_loop("here are some more words words words words".split())


def test_words_after_a_loop() -> None:
    """A quick read is for its last words (whisper_engine.quick_text): how many follow the
    loop tells whether a repetition inside it spoils them."""
    from interviewsense.stt.invented import words_after_loop

    uhs = "montreal " + "uh " * 10
    assert words_after_loop((uhs + "forced to win her").split()) == 4
    assert words_after_loop(uhs.split()) == 0
    assert words_after_loop(("we " + "shipped it on time " * 5).split()) == 0
    assert words_after_loop("here are some more words words words words".split()) is None


def test_a_final_pass_that_jumped_over_the_answer_is_caught() -> None:
    """Seen on real speech played through the virtual microphone (docs/stt.md): the final
    pass wrote one segment from 1.6 s to 25.2 s with 19 words, the first at 1.6 s and the
    other 18 stacked at 25.17 s with no length; 15 s of the answer had no words at all."""
    regions = [(1.99, 2.17), (3.43, 3.58), (4.96, 6.01), (8.23, 9.12), (10.85, 12.86)]
    regions += [(13.54, 14.37), (14.63, 17.28), (17.79, 18.46), (19.65, 20.16), (20.35, 23.55)]
    stacked = [Word("Uh,", 1.62, 2.14, 0.5)] + [Word("so", 25.17, 25.17, 0.5)] * 18
    speech_s = sum(e - s for s, e in regions)
    assert unheard_speech(regions, [("…", stacked, (1.62, 25.17))]) > speech_s - 0.6
    # The same speech heard: a word every 0.4 s across it leaves nothing unheard.
    steady = [Word("w", t / 10, t / 10 + 0.3, 0.9) for t in range(15, 240, 4)]
    assert unheard_speech(regions, [("…", steady, (1.5, 24.0))]) == 0.0


def test_a_sentence_the_aligner_found_no_sound_for_is_dropped() -> None:
    """live_real, cold_corpus3 (docs/stt.md): the invented last sentence's words were
    placed right after the speech, most of them with no length, so their times alone do
    not give them away."""
    said = [("should", 21.26, 21.38), ("be", 21.38, 21.48), ("good.", 21.48, 21.72)]
    said += [("Alright.", 21.94, 22.06), ("Thanks.", 22.27, 22.61)]
    invented = [("This", 22.61, 22.85), ("is", 22.85, 22.85), ("the", 22.85, 23.13)]
    invented += [(w, 23.13, 23.13) for w in "first time I've been working on.".split()]
    words = [Word(w, s, e, 0.5) for w, s, e in said + invented]
    text = " ".join(w.w for w in words)
    tr = Transcript(text=text, engine="whisper-live", words=words)
    assert drop_after_speech(tr, 22.91).text == "should be good. Alright. Thanks."
    # A short last sentence, or one whose words were heard, stays.
    heard = Transcript(text=" ".join(w for w, _, _ in said), engine="whisper-live",
                       words=words[: len(said)])  # fmt: skip
    assert drop_after_speech(heard, 22.91).text == heard.text
