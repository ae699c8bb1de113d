"""Relevance by meaning, and substance over repetition.

``meaning()`` compares the answer with the question (and with what that type of question
asks for) through sentence embeddings, so an answer in the candidate's own words counts as
on topic. ``substance()`` measures how much an answer says: distinct content words,
phrases said again and again, the question's own words echoed back, and hedges per
sentence; and the sentences made of sweeping claims ("always", "never", "no need"). Each
keeps the quotes that show it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any, NamedTuple

from interviewsense.domain import InterviewType
from interviewsense.scoring.cues import NUMBER_WORDS
from interviewsense.scoring.text import (
    STOPWORDS,
    Sentence,
    Tok,
    key_terms,
    sentence_count,
    stem,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewsense.scoring.rubric import Rubric
    from interviewsense.scoring.semantic import Embedder


class Vectors(NamedTuple):
    """An answer's sentence vectors and its question's (what the coach model reads)."""

    sentences: npt.NDArray[np.float32]
    question: npt.NDArray[np.float32]


# What each type of question asks for, in the words of an answer that gives it: the answer
# is compared with this as well as with the question.
TYPE_ASKS: dict[InterviewType, str] = {
    "behavioral": "A story from my own work: the situation, what I had to do, the actions I "
    "took myself, and how it turned out in the end.",
    "technical": "A technical explanation of how it works, the approach I would take, the "
    "trade-offs and costs, and an example from real code.",
    "system_design": "A design for a software system: requirements, components, data storage, "
    "scaling, failure handling and trade-offs.",
    "product": "A product decision: the users and their problem, goals and metrics, what to "
    "build first and the trade-offs.",
    "general": "A direct answer about myself, my work and my career, with a reason and an example.",
}
# Said with every answer scored without a judge's verdict. On answers it had never seen, the
# offline scorer gave most fluent, well-built answers that were wrong or beside the point 60
# or more (docs/scoring.md, the held-out split): a candidate must know what the number
# cannot see.
UNCHECKED = (
    "whether the answer is right, and whether it answers this question rather than one near "
    "it: without an LLM judge the score hears how an answer is built and told, and how much "
    "it reads like answers coaches rated, not whether what it says is true"
)
# What coaches call a non-answer: the stock lines that say nothing about the candidate.
CLICHES = (
    "My biggest weakness is that I am a perfectionist.",
    "I work too hard and care too much about my job.",
    "I honestly can't think of a time I failed.",
    "I just give one hundred and ten percent to everything.",
    "I'm a people person and a team player who thinks outside the box.",
)  # not "I'm a workaholic", "I'm too detail-oriented": on the tuned splits those put good and
# strong answers' sentences over the line ("A few details matter.", session 48)
# An answer to "what is your biggest strength (or weakness)?" that opens by naming it, as
# coaches teach, was near the stock line "My biggest weakness is …" through that frame alone
# (a review: "My biggest strength is turning messy problems into something a team can act
# on" was 0.52 from it and capped as a cliché, 39; 89 without those five words). What is
# compared with the stock lines is what the sentence claims, and theirs: the words after it.
_NAMED_TRAIT = re.compile(
    r"^(?:(?:honestly|so|well|yeah|i think|i'd say|i would say|i guess|i suppose|probably),? )*"
    r"(?:my|one of my|the) (?:(?:biggest|greatest|main|key|real|true|best|core|top|genuine|"
    r"number one|one) )*(?:strength|weakness|flaw|area (?:for|of) improvement)(?:es|s)?"
    r"(?: i have| i've got)?,?(?: (?:honestly|probably|i think|i'd say),)? "
    r"(?:is|are|would be|would have to be|has been)"
    r"(?: (?:probably|definitely|honestly|just))?(?: that)?[,:]? ",
    re.IGNORECASE,
)


def claim(text: str) -> str:
    """What a sentence claims: ``text`` without a frame that names the trait ("My biggest
    strength is that …"), when a word is left after it."""
    rest = _NAMED_TRAIT.sub("", text, count=1)
    return rest if rest != text and any(ch.isalnum() for ch in rest) else text


STOCK_CLAIMS = tuple(claim(line) for line in CLICHES)


def closest(
    per_sentence: npt.NDArray[np.float32], question: npt.NDArray[np.float32]
) -> tuple[int, float]:
    """The sentence closest to the question and its cosine similarity: the relevance. A
    paraphrased answer still has a sentence that speaks to the question, an answer about
    something else has none (the mean of the whole answer rewards echoing the question
    instead; docs/scoring.md)."""
    sims = per_sentence @ question
    best = int(sims.argmax())
    return best, round(float(sims[best]), 3)


# Words of a question that ask how, not what: "tell me a little about yourself", "could you
# start by telling me about yourself, briefly".
HOW_WORDS = frozenset(
    {"bit", "little", "brief", "briefly", "quick", "quickly", "start", "starting", "tell",
     "telling", "talk", "talking", "walk", "introduce", "describe", "share"}
)  # fmt: skip
ABOUT_YOU = re.compile(r"\b(?:yourself|about you)\b", re.IGNORECASE)


def names_topic(question: str) -> bool:
    """Whether ``question`` names a topic an answer can be near. "Tell me (a little) about
    yourself" asks about the candidate and names nothing else, so its answers are compared
    with what the question's type asks for (a review: a strong answer about the candidate's
    career was 0.13 from the question itself, capped off topic; 0.30 from what a general
    question asks, where talk of the weather is 0.05). "Why us?" has no key term either, but
    asks about the company: it is compared with itself, as any question."""
    terms = [t for t in key_terms(question) if t.lower() not in HOW_WORDS]
    return bool(terms) or not ABOUT_YOU.search(question)


def asked_of(qtype: InterviewType) -> str:
    """What the relevance of an answer to a question that names no topic is measured
    against, in words: "what a general question asks"."""
    return f"what a {qtype.replace('_', ' ')} question asks"


def off_topic(similarity: float, rubric: Rubric) -> bool:
    """Whether an answer whose closest sentence is ``similarity`` from the question is about
    something else (the "off topic" cap; the line is the rubric's)."""
    return similarity < rubric.num("content", "off_topic_similarity")


def meaning(
    embedder: Embedder,
    question: str,
    sents: list[Sentence],
    qtype: InterviewType,
) -> tuple[dict[str, Any], Vectors | None]:
    """Cosine similarity of the sentence closest to the question (the relevance), of the
    whole answer (the mean of its sentences) to the question and to what the question's
    type asks for, and of the sentence closest to a stock non-answer; and the vectors, for
    the coach model (scoring/coach.py)."""
    import numpy as np

    if not sents:
        return {"method": "lexical", "note": "no sentences to compare"}, None
    q = embedder.embed([question])[0]
    per_sentence = embedder.embed([s.text for s in sents])
    asks, cliches = embedder.constants(TYPE_ASKS[qtype], STOCK_CLAIMS)
    centre = per_sentence.mean(axis=0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-12)
    topic = names_topic(question)
    best, similarity = closest(per_sentence, q if topic else asks)
    claims = [claim(s.text) for s in sents]
    framed = [i for i, s in enumerate(sents) if claims[i] != s.text]
    said = per_sentence
    if framed:  # a copy only then: per_sentence is also the coach model's reading
        said = per_sentence.copy()
        said[framed] = embedder.embed([claims[i] for i in framed])
    flags = said @ cliches.T
    worst = np.unravel_index(int(np.argmax(flags)), flags.shape)
    compared = {} if topic else {"compared_with": asked_of(qtype), "asks": TYPE_ASKS[qtype]}
    return {
        "method": "embedding",
        "model": embedder.name,
        "similarity": similarity,
        **compared,
        "closest": sents[best].text,
        "answer_similarity": round(float(centre @ q), 3),
        "type_similarity": round(float(centre @ asks), 3),
        "cliche": sents[int(worst[0])].text,
        "cliche_similarity": round(float(flags[worst]), 3),
    }, Vectors(per_sentence, q)


# Harsh words count as blame only when said of people or the employer: "his code was a mess",
# "the place is a mess", "my old boss was just completely useless", "a toxic culture"; "the code
# base was a mess" sets a scene, and so does a harsh word beside a person told of something
# else (reviews: "if it still felt hopeless after a month, I'd back his rewrite", "when he
# joined, it was a mess", "the team was in a terrible spot", "our staging environment was a
# mess", "the developer experience was terrible" were blame). The person is the verb's subject
# ("the managers were", "management there is"), or owns it ("his code was"); intensifiers may
# come after the verb. Not after "nobody on the team": that praises.
_PEOPLE = (
    r"(?:guys?|people|managers?|boss(?:es)?|lead|management|compan(?:y|ies)|place|hr|"
    r"coworkers?|colleagues?|teammates?|employers?|leadership|teams?|cto|ceo|vp|directors?|"
    r"supervisors?|pms?|devs|developers|engineers|founders?|owners?|"
    # outside the office (a review: "the doctors on my last ward were a nightmare")
    r"doctors?|nurses?|consultants?|registrars?|surgeons?|matron|teachers|head ?teachers?|"
    r"headteachers?|principal|chefs?|foreman|franchisees?)"
)
# Words of conduct ("rude", "hostile") are blame only of the employer's side: said of a guest,
# a patient or a parent ("he was really rude about his room, so I listened") they set the scene
# a question about a difficult person asks for (the review of this change).
_EMPLOYER_SIDE = (
    r"(?:managers?|boss(?:es)?|supervisors?|directors?|management|leadership|company|employer|"
    r"colleagues?|coworkers?|teammates?|consultants?|registrars?|surgeons?|doctors?|matron|"
    r"head ?teachers?|headteachers?|principal|cto|ceo|vp|founders?|owners?)"
)
_CONDUCT = r"(?:arrogant|condescending|rude|hostile|spiteful)"
# Where those people are, between them and the verb: "the doctors on my last ward were".
_WHERE = r"(?: (?:on|at|in|from) (?:my|our|the|that) (?:[\w-]+ ){0,2}?[\w-]+)?"
_HARSH = (
    r"(?:useless|incompetent|clueless|toxic|terrible|awful|horrible|lazy(?! load)|"
    r"impossible(?! to (?!(?:work|deal|please|satisfy|talk|reason|get along)\b))|"
    r"hopeless (?:at|with)|"
    r"a (?:total |complete |real |absolute |bit of a )?(?:mess|nightmare|joke))"
)
_INTENSIFIERS = (
    r"(?:(?:really|just|so|pretty|completely|totally|utterly|absolutely|honestly|frankly|quite|"
    r"very|incredibly|genuinely|basically|simply|always|all|there|then|and|kind of|a bit) )*"
)
_BE = r"(?:is|are|was|were|seemed|seems|became|had become|has become)"
_OWNER = r"(?!(?:it|that|what|there|here|who|he|she|let)'s\b)\w+"  # "my manager's", not "that's"
_HARSH_OF_PEOPLE = re.compile(
    r"(?<!nobody on the )(?<!no one on the )(?<!none of the )"
    rf"\b(?:(?:he|she|they|{_PEOPLE})(?: there)?{_WHERE}|(?:his|her|their|{_OWNER}'s) \w+) {_BE} "
    rf"{_INTENSIFIERS}{_HARSH}\b|"
    rf"\b(?:he's|she's|they're) {_INTENSIFIERS}{_HARSH}\b|"
    # a word said only of people, right before them: "a toxic culture", "useless management"
    rf"\b(?:useless|incompetent|clueless|toxic|lazy) (?:{_PEOPLE}|culture|environment)\b|"
    rf"\b{_EMPLOYER_SIDE}{_WHERE} {_BE} {_INTENSIFIERS}{_CONDUCT}\b"
    r"(?!.*\b(?:so|and|but|until) (?:i|we)\b)(?!.*\bat first\b)|"
    r"\b(?:impossible to work with|burned out and don't care)\b"
)
# Others said to have botched it: "Engineering shipped it late and marketing messed up", "the
# vendor dropped the ball" (a review: not heard as blame); "I messed up" owns it, and "the
# vendor dropped the ball, so I set up a weekly check" sets the scene for what was done.
_OTHERS = (
    r"(?<!\bon )(?<!\bin )(?<!\bof )(?<!\bwhen )(?<!\bif )(?:they|he|she|management|leadership|"
    r"engineering|marketing|sales|ops|operations|finance|legal|qa|(?:the|my|their) (?:\w+ )?"
    r"(?:team|manager|boss|lead|client|vendor|owners?|company|department|colleague|coworker|"
    r"teammate|pm|contractor|intern))"
)  # not "when a junior engineer on my team messed up", nor "our team dropped the ball"
_BOTCHED = (
    r"(?:messed|screwed|fouled) (?:\w+ )?up|botched|fumbled|dropped the ball|"
    r"blew it(?! (?:away|out)\b)"
)
_BLAME = [
    re.compile(p)
    for p in (
        rf"\b{_OTHERS} (?:really |totally |completely |just |then |also )?(?:{_BOTCHED})\b"
        # not when it turns to what "I" did, but "… and I had to clean up their mess" is blame
        r"(?!.*\b(?:so|until) (?:i|we)\b)(?!.*\b(?:and|but) (?:i|we) (?!(?:had to|lost|missed|"
        r"were|was|got|couldn't|didn't|wasn't)\b))",
        r"(?<!technically it )\b(?:wasn't|was not|isn't|is not) my (?:call|problem|job)\b"
        r"(?!.*\b(?:so|but|and|though) (?:i|we)\b)|\b(?:it's|that's) not my (?:problem|job)\b",
        r"\b(?:took|takes|taking|take) (?:all )?(?:the )?credit\b",
        r"\b(?:wasn't|was not|isn't|is not|never) my fault\b",
        # "that was the management's fault" (a review: not heard as blame)
        r"(?<!not )(?<!n't )(?<!never )\b(?:their|his|her|management's|leadership's|"
        r"(?:the|my|our) (?:manager|boss|lead|team|company|client|management|leadership|"
        r"vendor)'s) fault\b",  # not "it wasn't my team's fault, it was mine" (a review)
        r"\b(?:my|the|our|their) (?:manager|boss|lead|team|company|management|hr|client|"
        r"coworkers?|colleagues?|teammates?) (?:never|didn't|did not|doesn't|does not|won't|"
        r"wouldn't|refused|kept)\b",
        r"\b(?:they|he|she|management|nobody|no one) (?:never|didn't|did not|don't|doesn't) "
        r"(?:care|listen|help|do anything|back|follow)\w*\b",
    )
]


# Quiet blame, without a harsh word: the employer, a manager or another team as the subject,
# and a failing as its verb, a few words on ("my manager tended to agree to whatever sales
# asked", "the school didn't really support teachers", "management there had other
# priorities"). One such sentence sets a scene; an answer that keeps coming back to them, or
# that gives them as the reason to leave, is a complaint (the "blames others" cap).
_ACTOR = (
    r"\b(?:(?:my|our|the|their) (?:current |previous |last |old |engineering |product )?"
    r"(?:manager|boss|director|lead|management|leadership|company|employer|school|"
    r"department head|organi[sz]ation|org|place|culture|executives?|vp)|management|leadership|"
    r"sales(?: team)?|(?:the|another|other) (?:\w+ )?team|higher.?ups|above me|nobody|no one)\b"
)
_FAILING = (
    r"\b(?:never|nobody|no one|nothing|didn't|did not|doesn't|does not|don't|wasn't|weren't|"
    r"isn't|aren't|won't|wouldn't|couldn't|not really|not always|no idea|without (?:much |any )?"
    r"(?:input|asking|checking|support)|other priorities|kept \w+ing|tended to|tends to|"
    r"changed? every|frozen|chaotic|top.down|blame\w*|pads?|excuses|relaxed about|"
    r"get away with|no room|not a lot of room|deserve|run properly|thrown away|just weren't)\b"
)
# The failing must be the actor's: no "I", "we" or new clause in between ("the lead and I
# didn't test it" is the speaker's own).
_QUIET = re.compile(_ACTOR + r"(?:\s+(?!(?:i|we|and|but|so)\b)\S+){0,5}?\s+" + _FAILING)
# A failing told as what the speaker's work prevents is no blame: "so that the other team
# wouldn't wait", "to make sure the lead isn't paged" (a review); after a bare "so", only one
# told as what would happen ("… for tech debt so the team doesn't slow down"), not a result
# ("we missed the deadline so my manager didn't trust us", "So my manager never listened").
_PURPOSE = re.compile(r"\b(?:so that|make sure|making sure|ensure|ensuring)(?: \w+){0,2} $")
_SO = re.compile(r"(?<=\w)(?<!\band)(?<!\bbut) so(?: \w+){0,2} $")
_WOULD_FAIL = re.compile(
    r"\b(?:doesn't|does not|don't|do not|won't|will not|wouldn't|can't|cannot|isn't|aren't)\b"
)
# The wish to leave told as the answer's point: "that's why I'm looking for a place where".
_LEAVING = re.compile(
    r"\b(?:looking (?:for|at) (?:a |another |a new )?(?:place|company|role|job|team|employer|"
    r"position|environment)|look(?:ing)? (?:elsewhere|around)|(?:work|be) (?:somewhere|at a "
    r"place|in a place|in a company|at a company) (?:where|that|with)|reasons? (?:why )?(?:i'm|"
    r"i am|i started|i've been|i began) (?:looking|leaving|interviewing)|why i'm (?:looking|"
    r"leaving|interviewing)|what attracted me to (?:this|your|the)|(?:want|wanted) to leave)\b"
)


# How the caps these rules make say why (scoring/engine.py); reports and advice find the
# evidence of a cap by them.
BLAME_WHY = "the answer blames others"
LEAVING_WHY = "and gives it as the reason to leave"
DOUBT_WHY = "leave the outcome in doubt"


def _purpose(before: str, failing: str) -> bool:
    """Whether a failing (``failing``, after ``before``) is what the speaker's work prevents."""
    if _PURPOSE.search(before):
        return True
    return bool(_SO.search(before)) and bool(_WOULD_FAIL.search(failing))


def blame(sents: list[Sentence]) -> list[str]:
    """Sentences that put the fault on a former employer, manager or colleague, in harsh
    words or quietly."""

    def faults(pattern: re.Pattern[str], norm: str) -> bool:
        return any(not _purpose(norm[: m.start()], m.group(0)) for m in pattern.finditer(norm))

    return [
        s.text
        for s in sents
        if any(faults(p, s.norm) for p in _BLAME)
        or _HARSH_OF_PEOPLE.search(s.norm)
        or faults(_QUIET, s.norm)
    ]


def leaving(sents: list[Sentence]) -> list[str]:
    """Sentences that give wanting to leave as the point ("why I'm looking elsewhere")."""
    return [s.text for s in sents if _LEAVING.search(s.norm)]


# An outcome claimed and then left in doubt: "hard to say", "I'm not sure we tracked it",
# "or at least it didn't hurt". One is honesty; two or more and the result is not stated.
_UNSURE = re.compile(
    r"\b(?:hard to (?:say|tell|measure|know|pin down|quantify)|(?:i'm|i am|we're|we were|i was) "
    r"not (?:really |totally |entirely |a hundred percent |100 percent )?sure|(?:i )?(?:don't|do "
    r"not|can't|cannot) (?:really )?(?:remember|recall|say for sure|tell) (?:exactly|for sure|if|"
    r"whether|how|what)|(?:at least )?i hope so|or at least|no way to (?:know|tell)|not sure "
    r"(?:if|whether|we|it|that)|i don't (?:really )?know (?:if|whether|exactly)|(?:mostly|more "
    r"or less|sort of|kind of) (?:okay|ok|fine)|i (?:think|guess|believe) (?:it|things|that) "
    r"(?:\w+ )?(?:helped|worked|got better|went))\b"
)


def unsure(sents: list[Sentence]) -> list[str]:
    """Sentences that leave the outcome in doubt; not one that puts a number on it ("I think
    it helped, latency fell 40 percent")."""
    return [
        s.text
        for s in sents
        if _UNSURE.search(s.norm)
        and not any(ch.isdigit() for ch in s.norm)
        and not NUMBER_WORDS.intersection(s.norm.split())
    ]


# Sweeping claims: absolutes and dismissals. A technical, design or product answer told
# mostly in these ("always O(1)", "you never need a salt", "TCP guarantees exactly once",
# "caching is simply free") states no limit or cost, which is how a confidently wrong
# answer sounds to a coach; a sound one says when a claim holds and what it costs.
# Not when negated: "not always", "isn't totally" (a review).
_SWEEPING = re.compile(
    r"(?<!not )(?<!n't )\b(?:always|never|guarantee[sd]?|forever|infinitely|instantly|"
    r"automatically|completely|"
    r"totally|perfectly|100 percent|no need|(?:do not|don't|doesn't|does not) (?:really )?"
    r"(?:need|matter)|not (?:really )?(?:a|an) (?:concern|issue|problem)|the whole point|"
    r"(?:pretty|really|very) simple|easy|proven|exactly once|simply(?! (?:supported|connected)\b)|"
    # how a confidently wrong answer sells itself (a review: "put an index on every column,
    # there's no real downside, it's free performance"; not "on every column", which a sound
    # answer says when it warns against it)
    r"no (?:real )?downsides?|free (?:performance|speed))\b"
)


def _sweeping_share(claims: list[dict[str, Any]], toks: list[Tok], sents: list[Sentence]) -> float:
    """The share of sentences that sweep. In a run-on (``sentence_count``) each sweeping word
    counts as a sentence, up to their count: one full stop at the end of four absolutes
    is not one claim in four sentences (a review)."""
    if not sents:
        return 0.0
    count = sentence_count(toks, sents)
    if count == len(sents):
        return round(len(claims) / count, 2)
    return round(min(count, sum(len(c["words"]) for c in claims)) / count, 2)


# The sweeping words that claim something always holds, which the advice names even once (a
# review: "easy" or "simply" alone was told it "always holds").
ABSOLUTES = frozenset({"always", "never", "guarantee", "guarantees", "guaranteed", "forever",
                       "no need", "exactly once", "100 percent", "instantly"})  # fmt: skip


# "always" or "never" told of what the speaker does, or as advice, is a practice, not a claim
# about the world (a review: "I always check the bearings", "never sign it off on a visual
# inspection alone" capped a sound answer): after "I" or "we" (and "'d", "would", "will"), or
# opening the sentence as an imperative.
_HABIT = re.compile(r"\b(?:i|we)(?:'d|'ll| would| will| do| also| still)? $")
# ... unless what follows is an outcome, which is a claim ("we always get sub-millisecond
# reads", "we never lose messages": the review of this change) ...
_OUTCOME = re.compile(
    r"^ (?:get|gets|have|has|had|lose|lost|need|see|hit|fail|miss|be|stay|keep|scale|work|win|"
    r"end up|guarantee|return|run into)\b"
)
# ... and advice counts as a practice only when it checks something ("Never sign it off on a
# visual inspection alone"), not as a dogma ("never use joins", "always index every column").
_CHECKING = re.compile(
    r"^(?:so |and |but |then )?(always|never) (?:check|test|verify|confirm|inspect|sign|skip|"
    r"trust|assume|rely|double-check|measure|read)\b"
)


# ... and a claim already limited, a few words before, is no sweeping one: "most redirects
# never touch the database" (a review), "it almost never happens".
_LIMITED = re.compile(
    r"\b(?:(?<!\bthe )(?<!\bat )most|many|some|usually|typically|often|mostly|almost|nearly|"
    r"rarely|in practice)(?: (?!(?:and|but|so|because|while|is|was|that|it|agrees?|says?|"
    r"thinks?|believe)\b)\S+){0,3} $"
)  # not "the most important rule is always", "usually fine and the queue never"
_LIMITED_REACH = 80  # characters before the word that are searched


def _practice(norm: str, at: int, word: str) -> bool:
    """Whether the "always" or "never" at ``at`` tells a practice, or a limited claim, not a
    sweeping one."""
    if word not in ("always", "never"):
        return False
    if _LIMITED.search(norm[max(0, at - _LIMITED_REACH) : at]):
        return True
    if _HABIT.search(norm[:at]) and not _OUTCOME.match(norm[at + len(word) :]):
        return True
    advice = _CHECKING.match(norm)
    return advice is not None and advice.start(1) == at


def sweeping(sents: list[Sentence]) -> list[dict[str, Any]]:
    """Sentences that make a sweeping claim, with the words that make it."""
    out: list[dict[str, Any]] = []
    for s in sents:
        found = [
            m.group(0)
            for m in _SWEEPING.finditer(s.norm)
            if not _practice(s.norm, m.start(), m.group(0))
        ]
        if found:
            out.append({"sentence": s.text, "words": list(dict.fromkeys(found))})
    return out


def _is_content(word: str) -> bool:
    return len(word) >= 3 and word not in STOPWORDS


def _content_words(toks: list[Tok]) -> list[str]:
    return [t.norm for t in toks if _is_content(t.norm)]


def repeated_phrases(toks: list[Tok], n: int = 3) -> list[tuple[str, int]]:
    """Phrases of ``n`` words, at least two of them content words, said more than once."""
    grams: Counter[str] = Counter()
    words = [t.norm for t in toks]
    for i in range(len(words) - n + 1):
        gram = words[i : i + n]
        if sum(1 for w in gram if _is_content(w)) >= 2:
            grams[" ".join(gram)] += 1
    out = [(g, c) for g, c in grams.items() if c >= 2]
    out.sort(key=lambda gc: (-gc[1], gc[0]))
    return out


def substance(
    toks: list[Tok],
    sents: list[Sentence],
    question: str,
    hedge_count: int,
    *,
    explanation: bool = False,
) -> dict[str, Any]:
    """How much the answer says, with the evidence: the share of distinct content words
    (over windows of 50, so length does not count), repeated phrases per 100 words, the
    share of content words that echo the question, and hedges per sentence. The echo does
    not count against an ``explanation`` (``cues.asks_to_explain``), which must name the
    question's terms (a review: a correct definition of two joins "circles the question")."""
    content = _content_words(toks)
    window = 50
    if len(content) > window:
        ratios = [
            len(set(content[i : i + window])) / window for i in range(len(content) - window + 1)
        ]
        distinct = sum(ratios) / len(ratios)
    else:
        distinct = len(set(content)) / len(content) if content else 0.0
    repeats = repeated_phrases(toks)
    extra = sum(c - 1 for _, c in repeats)
    q_stems = {stem(t) for t in key_terms(question)}
    echo = sum(1 for w in content if stem(w) in q_stems)
    claims = sweeping(sents)
    return {
        "content_words": len(content),
        "distinct_share": round(distinct, 3),
        "repeated_phrases": [{"phrase": g, "count": c} for g, c in repeats[:5]],
        "repeats_per_100_words": round(100 * extra / len(toks), 2) if toks else 0.0,
        "echo_share": round(echo / len(content), 3) if content else 0.0,
        "echo_counted": not explanation,
        "hedges_per_sentence": round(hedge_count / sentence_count(toks, sents), 2)
        if sents
        else 0.0,
        "blame": blame(sents),
        "leaving": leaving(sents),
        "unsure": unsure(sents),
        "sentences": len(sents),
        "sweeping": claims,
        "sweeping_share": _sweeping_share(claims, toks, sents),
    }


# What each substance signal (scoring/content.py SUBSTANCE_SIGNALS) says the answer should do.
THIN_FIXES = {
    "distinct": "Say each point once, with one concrete detail, and stop.",
    "repeats": "Say each point once, with one concrete detail, and stop.",
    "echo": "Say what you did, or would do, in your own words rather than the question's.",
    "hedges": "Say plainly what you did and decided.",
}


def weakest_signal(dense: dict[str, Any]) -> str:
    """The substance signal furthest from full marks (set by scoring/content.py)."""
    return str(dense.get("weakest_signal", "echo"))


def thin(dense: dict[str, Any]) -> str:
    """Why an answer says little, by its substance signal furthest from full marks (the cap
    note and the advice name the same one; QA: a hedged answer was told it "circles the
    question or repeats itself")."""
    signal = weakest_signal(dense)
    if signal == "distinct":
        share = dense.get("distinct_share", 0.0)
        return f"it says the same few things over and over (only {share:.0%} of its words differ)"
    if signal == "repeats" and dense.get("repeated_phrases"):
        top = dense["repeated_phrases"][0]
        return f"it repeats itself ('{top['phrase']}' {top['count']} times)"
    if signal == "hedges":
        hedges = dense.get("hedges_per_sentence", 0.0)
        every = "every sentence" if hedges >= 1 else "almost every sentence"  # 1.3 is "every"
        return f"it hedges {every} ({hedges:.1f} hedges a sentence)"
    echo = dense.get("echo_share", 0.0)
    return f"it circles the question ({echo:.0%} of its words are the question's own)"


# Under this "likely good or strong" no sentence is quoted as reading like a strong answer's
# (the impression's why, the reports' evidence): the best of a weak answer is still weak
# (QA: a blaming sentence, flagged a line above, was "most like a strong one").
STRONG_QUOTE_FROM = 0.5
