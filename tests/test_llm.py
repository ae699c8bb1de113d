"""The LLM interviewer against a real local server, and the session through every outage."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from interviewsense.config import load_settings
from interviewsense.interviewer.base import InterviewPlan
from interviewsense.interviewer.llm import LLMInterviewer
from interviewsense.interviewer.redact import Redactor
from tests import practice
from tests.helpers import answered_turn, completion
from tests.isolation import subprocess_env
from tests.llm_server import LlamaServer, free_port

ANSWERS = (
    "At my last job the release pipeline failed every week. I was responsible for fixing it, "
    "so I rewrote the tests and I added a checklist. As a result failures dropped by 80 "
    "percent.\n"
) * 6


def run_practice(env: dict[str, str], *args: str, stdin: str = ANSWERS) -> tuple[int, Any, str]:
    return practice.run_practice(env, *args, stdin=stdin)


def llm_env(base_url: str, home: Path, **extra: str) -> dict[str, str]:
    """An isolated environment whose LLM is the server at ``base_url``."""
    return subprocess_env(
        home, OPENAI_BASE_URL=base_url, OPENAI_API_KEY="sk-test-not-a-real-key", **extra
    )


@pytest.mark.slow
def test_llm_interviewer_against_a_real_server(
    llama: LlamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama.url)
    notices: list[str] = []
    plan = InterviewPlan(
        type="behavioral",
        persona="tough",
        questions=2,
        role="backend engineer",
        level="senior",
        company="Acme",
        seed="t",
    )
    interviewer = LLMInterviewer(plan, load_settings(), notice=notices.append)
    assert "backend engineer" in interviewer._system() and "Acme" in interviewer._system()

    first = interviewer.next_question([])
    assert first is not None and not first.follow_up
    # Schema-constrained decoding makes even a 135M model reply with valid JSON here.
    assert interviewer.last_source == "llm" and first.source == "llm", (notices, llama.state())
    assert len(first.text) >= 10

    turn = answered_turn(first, "We did it together as a team and it went fine.")
    follow = interviewer.next_question([turn])
    assert follow is not None
    if interviewer.last_source == "llm":
        assert follow.source == "llm"
    else:
        assert (
            follow.source in ("bank", "follow-up") and interviewer.last_source == "offline-fallback"
        )

    assessment = interviewer.closing([turn])
    assert assessment.source in ("llm", "offline-fallback")
    if assessment.source == "llm":
        assert assessment.strengths and assessment.gaps
    else:
        assert assessment.model_answers  # the offline outline stands in


@pytest.mark.slow
def test_practice_session_with_the_llm(llama: LlamaServer, tmp_path: Path) -> None:
    """The first question comes from the real server, which saw the requests: the offline
    fallback (which a session also survives) would fail this test."""
    env = llm_env(llama.url, tmp_path / "home")
    before = llama.requests()
    code, data, stderr = run_practice(env, "-n", "2", "--role", "data engineer")
    assert code == 0, stderr
    assert data["settings"]["interviewer"] == "llm"
    first = data["turns"][0]
    assert first["interviewer"] == "llm", (first["notes"], stderr, llama.state())
    assert first["question"]["source"] == "llm" and first["question"]["text"]
    assert data["summary"]["assessment"]["source"] in ("llm", "offline-fallback")
    # Every turn and assessment the LLM made cost the server at least one request.
    made = sum(t["interviewer"] == "llm" for t in data["turns"])
    made += data["summary"]["assessment"]["source"] == "llm"
    deadline = time.monotonic() + 5  # the access log is written as the reply goes out
    while llama.requests() - before < made and time.monotonic() < deadline:
        time.sleep(0.1)
    assert llama.requests() - before >= made >= 1
    assert "sk-test-not-a-real-key" not in stderr + json.dumps(data)
    saved = (tmp_path / "home" / "sessions" / data["id"] / "session.json").read_text()
    assert "sk-test-not-a-real-key" not in saved


def assert_offline_after_one_notice(code: int, data: Any, stderr: str) -> None:
    assert code == 0, stderr
    notices = [line for line in stderr.splitlines() if "offline interviewer" in line]
    assert len(notices) == 1, stderr
    assert "Traceback" not in stderr
    turns = data["turns"]
    assert len([t for t in turns if not t["question"]["follow_up"]]) == 2
    assert all(t["interviewer"] == "offline-fallback" for t in turns)
    assert all(t["question"]["source"] in ("bank", "follow-up") for t in turns)
    assert data["summary"]["assessment"]["source"] == "offline-fallback"


@pytest.mark.slow
def test_outage_closed_port(tmp_path: Path) -> None:
    env = llm_env(f"http://127.0.0.1:{free_port()}/v1", tmp_path / "home")
    started = time.monotonic()
    code, data, stderr = run_practice(env, "-n", "2")
    assert_offline_after_one_notice(code, data, stderr)
    assert "could not connect" in stderr
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_outage_server_that_stalls(httpserver: HTTPServer, tmp_path: Path) -> None:
    asked: list[str] = []

    def stall(request: Request) -> Response:
        asked.append(request.path)
        time.sleep(3)
        return Response("{}", status=200, content_type="application/json")

    httpserver.expect_request("/v1/chat/completions").respond_with_handler(stall)
    env = llm_env(httpserver.url_for("/v1"), tmp_path / "home", INTERVIEWSENSE_LLM_TIMEOUT="1")
    code, data, stderr = run_practice(env, "-n", "2")
    assert_offline_after_one_notice(code, data, stderr)
    assert "no reply within 1 s" in stderr
    # QA: a server that never replies cost 3 minutes a session (each time-out retried
    # twice, by the interviewer and again by the judge): now it is asked once, not retried,
    # and neither asks it again.
    assert len(asked) == 1, asked
    assert all("LLMDown" in t["answer"]["scores"]["content"]["judge"]["error"]
               for t in data["turns"])  # fmt: skip
    # A review: the judge's failure was only in the JSON. It is said once on screen, and
    # kept in each answer's notes.
    assert stderr.count("note: the LLM judge gave no verdict") == 1, stderr
    assert all("the LLM judge gave no verdict" in " ".join(t["answer"]["notes"])
               for t in data["turns"])  # fmt: skip


@pytest.mark.slow
def test_outage_malformed_json(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_data(
        '{"choices": [ {"message": ', content_type="application/json"
    )
    env = llm_env(httpserver.url_for("/v1"), tmp_path / "home")
    code, data, stderr = run_practice(env, "-n", "2")
    assert_offline_after_one_notice(code, data, stderr)


@pytest.mark.slow
def test_invalid_reply_is_retried_once_then_the_turn_falls_back(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(
        completion("Sure! Here is a question: what is your name?")
    )
    env = llm_env(httpserver.url_for("/v1"), tmp_path / "home")
    code, data, stderr = run_practice(env, "-n", "2", "--no-follow-ups")
    assert code == 0, stderr
    turns = data["turns"]
    assert [t["interviewer"] for t in turns] == ["offline-fallback", "offline-fallback"]
    assert all("offline bank" in t["notes"][0] for t in turns)
    # Each turn asked twice (the reply, then the one retry); the assessment twice too; and
    # the content judge twice for each answer (scoring/judge.py), its replies refused too.
    assert len(httpserver.log) == 10
    assert stderr.count("offline interviewer") == 1


@pytest.mark.slow
def test_a_reply_that_is_not_json_falls_back_and_loses_nothing(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A review: an HTML page with 200 (a proxy's, a captive portal's) reached the code as
    the client's text, not a completion: a bug's exit (70), the session left unfinished."""
    httpserver.expect_request("/v1/chat/completions").respond_with_data(
        "<html><body>Sign in to the hotel Wi-Fi</body></html>", content_type="text/html"
    )
    env = llm_env(httpserver.url_for("/v1"), tmp_path / "home")
    code, data, stderr = run_practice(env, "-n", "2", "--no-follow-ups")
    assert code == 0, stderr
    assert [t["interviewer"] for t in data["turns"]] == ["offline-fallback"] * 2
    assert all(t["answer"]["transcript"]["text"] for t in data["turns"])
    assert "Traceback" not in stderr and "bug" not in stderr
    assert data["status"] == "complete"


@pytest.mark.slow
def test_an_llms_words_are_words_and_a_follow_up_is_a_new_question(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A review: escape codes in an LLM's question reached the terminal (a cleared screen, a
    window title, hidden links); "[/b]" in a question ended the session as a bug (the closing
    table read it as markup); a follow-up that repeats the question, or the prompt's example
    competency, were taken as they came."""
    main = "Explain what the closing tag [/b] does in \x1b[2JBBCode\x1b]0;pwned\x07 markup?"

    def reply(request: Request) -> Response:
        body = request.get_data(as_text=True)
        if "Ask main question" in body:
            content: Any = {"question": main, "competency": "the skill it probes"}
        elif "If a follow-up would help" in body:  # the main question again, word for word
            content = {"follow_up": main.replace("\x1b[2J", ""), "relevance": 4}
        elif "Assess the candidate" in body:
            content = {"strengths": ["\x1b[31mclear\x1b[0m"], "gaps": ["[red]numbers[/red]"]}
        else:
            content = {}  # the content judge: no verdict
        return Response(json.dumps(completion(json.dumps(content))),
                        content_type="application/json")  # fmt: skip

    httpserver.expect_request("/v1/chat/completions").respond_with_handler(reply)
    env = llm_env(httpserver.url_for("/v1"), tmp_path / "home")
    code, data, stderr = run_practice(env, "-n", "1")
    assert code == 0, stderr
    assert "\x1b" not in stderr and "\x07" not in stderr
    first, *rest = data["turns"]
    assert first["question"]["text"] == "Explain what the closing tag [/b] does in BBCode markup?"
    assert first["question"]["competency"] == ""
    assert "[/b]" in stderr  # shown as the words it is
    # The repeat was refused, asked for again once, refused again: the offline interviewer's
    # follow-up (or none) instead.
    asked = [r for r, _ in httpserver.log if b"If a follow-up would help" in r.get_data()]
    assert len(asked) == 2
    assert all("BBCode" not in t["question"]["text"] for t in rest), rest


def test_the_closing_assessment_quotes_what_was_said(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: the LLM's closing assessment judged the candidate with no evidence. Each
    point now carries the candidate's words; one it did not say is left out, and an
    assessment left with no strength or no gap is the offline one."""
    from interviewsense.domain import Question

    said = "I rewrote the tests and I added a checklist, so failures dropped by 80 percent."
    point = {"point": "owns the actions", "quote": "I rewrote the tests"}
    invented = {"point": "measured everything", "quote": "I built a dashboard for it"}
    missing = {"point": "no situation given", "quote": ""}
    replies = iter(
        completion(json.dumps({"strengths": s, "gaps": [missing], "model_answers": []}))
        for s in ([point, invented], [invented])
    )
    httpserver.expect_request("/v1/chat/completions").respond_with_handler(
        lambda request: Response(json.dumps(next(replies)), content_type="application/json")
    )
    monkeypatch.setenv("OPENAI_BASE_URL", httpserver.url_for("/v1"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    notices: list[str] = []
    plan = InterviewPlan(type="behavioral", persona="neutral", questions=1, seed="q")
    turn = answered_turn(Question(text="Tell me about a fix.", type="behavioral"), said)
    interviewer = LLMInterviewer(plan, load_settings(), notice=notices.append)
    first = interviewer.closing([turn])
    assert first.source == "llm"
    assert first.strengths == ['owns the actions ("I rewrote the tests")']  # not the invented
    assert first.gaps == ["no situation given"]
    second = LLMInterviewer(plan, load_settings(), notice=notices.append).closing([turn])
    assert second.source == "offline-fallback", second
    assert any("quoted words the candidate did not say" in n for n in notices), notices


@pytest.mark.slow
def test_redaction_reaches_every_request(httpserver: HTTPServer, tmp_path: Path) -> None:
    question = {"question": "Tell me about a project you are proud of.", "competency": "impact"}
    judged = {"follow_up": None, "relevance": 2, "relevance_reason": "It is about contacts."}
    # The judge and the assessment see the redacted answer, so they can only quote its words.
    assessment = {
        "strengths": [{"point": "clear contact details", "quote": "mail me at [email]"}],
        "gaps": [{"point": "no story at all", "quote": ""}],
        "model_answers": [],
    }
    part = {"present": False, "quote": ""}
    verdict = {
        "situation": {"present": True, "quote": "mail me at [email]"},
        "task": part, "action": part, "result": part,
        "relevance": 2, "specificity": 1, "accuracy": 5, "blame": part,
        "advice": "Answer the question that was asked.",
    }  # fmt: skip
    replies = iter(
        [
            completion(json.dumps(question)),
            completion(json.dumps(verdict)),
            completion(json.dumps(judged)),
            completion(json.dumps(assessment)),
        ]
    )
    httpserver.expect_request("/v1/chat/completions").respond_with_handler(
        lambda request: Response(json.dumps(next(replies)), content_type="application/json")
    )
    resume = tmp_path / "resume.txt"
    resume.write_text("Jane Doe, jane.doe@example.com, +1 (555) 010-2233. Led payments at Acme.")
    env = llm_env(httpserver.url_for("/v1"), tmp_path / "home")
    answer = "I am Jane Doe; mail me at jane.doe@example.com or call 555 010 2233.\n"
    code, data, stderr = run_practice(
        env, "-n", "1", "--resume", str(resume), "--redact-name", "Jane Doe", stdin=answer
    )
    assert code == 0, stderr
    sent = " ".join(req.get_data(as_text=True) for req, _ in httpserver.log)
    for secret in ("jane.doe@example.com", "Jane Doe", "555", "010-2233"):
        assert secret not in sent
    assert "[email]" in sent and "[phone]" in sent and "[name]" in sent
    assert data["turns"][0]["question"]["source"] == "llm"
    assert data["summary"]["assessment"]["source"] == "llm"
    assert data["summary"]["assessment"]["strengths"] == [
        'clear contact details ("mail me at [email]")'
    ]
    # The interviewer's relevance rating is kept as evidence; the judge's verdict is blended
    # into the content score, and says so.
    content = data["turns"][0]["answer"]["scores"]["content"]
    relevance = content["relevance"]
    assert relevance["llm"]["rating"] == 2 and relevance["llm"]["reason"] == "It is about contacts."
    assert "rubric" in relevance["llm"] and relevance["method"] == "llm"
    assert (
        content["method"] == "llm"
        and content["judge"]["situation"]["quote"] == "mail me at [email]"
    )


def test_a_query_in_the_base_url_goes_with_every_request(httpserver: HTTPServer) -> None:
    """A review: "…/v1?api-key=X" became requests to "/v1/?api-key=Xchat/completions"."""
    from pydantic import BaseModel

    from interviewsense.interviewer.llm_client import ChatClient

    class Reply(BaseModel):
        ok: bool

    httpserver.expect_request(
        "/v1/chat/completions", query_string={"api-key": "X1"}
    ).respond_with_json(completion(json.dumps({"ok": True})))
    settings = load_settings({"llm_base_url": (httpserver.url_for("/v1") + "?api-key=X1", "test")})
    assert ChatClient(settings).ask([{"role": "user", "content": "hi"}], Reply).ok


def test_redactor() -> None:
    r = Redactor(["Jane Doe", "Acme"])
    text = "Jane Doe (jane@x.io, +44 20 7946 0958) joined ACME in 2019 with 12 people."
    assert r(text) == "[name] ([email], [phone]) joined [name] in 2019 with 12 people."
    assert Redactor(enabled=False)(text) == text
    # As text converted from a PDF writes a name, and last name first (a review: both
    # reached the LLM); a longer name that starts the same is another name.
    said = "Jane  Doe, DOE, JANE, Doe Jane and\nJane\nDoe; not Janet Doe or Jane Doerr."
    assert r(said) == "[name], [name], [name] and\n[name]; not Janet Doe or Jane Doerr."


@pytest.mark.slow
def test_llm_on_without_configuration_is_a_clear_error(tmp_path: Path) -> None:
    env = subprocess_env(tmp_path / "home")
    code, data, stderr = run_practice(env, "--llm", "on")
    assert code == 4
    assert stderr.startswith("error: --llm on needs an LLM")


@pytest.mark.slow
def test_llm_on_with_a_dead_server_stops_before_the_first_question(tmp_path: Path) -> None:
    """QA found it went on with the banks and exited 0, though --llm on requires an LLM."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])
    env = llm_env(f"http://127.0.0.1:{closed}/v1", tmp_path / "home")
    code, data, stderr = run_practice(env, "--llm", "on")
    assert code == 5, stderr
    assert stderr.startswith("error: --llm on needs an LLM, and could not connect to")
    assert "--llm auto" in stderr and "Traceback" not in stderr


@pytest.mark.slow
def test_llm_on_with_a_server_that_is_silent_or_refuses_the_key_stops_at_once(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A review: with --llm on, a server that never replied (after two time-outs) or
    answered 401 gave a whole session from the banks, exit 0."""

    from interviewsense.diagnostics import PROBE_TIMEOUT_S

    def stall(request: Request) -> Response:
        time.sleep(PROBE_TIMEOUT_S + 2)
        return Response("{}", status=200, content_type="application/json")

    httpserver.expect_request("/silent/models").respond_with_handler(stall)
    httpserver.expect_request("/locked/models").respond_with_json({"error": "no"}, status=401)
    for path, said in (("/silent", "did not answer within"), ("/locked", "(401)")):
        env = llm_env(httpserver.url_for(path), tmp_path / "home", INTERVIEWSENSE_LLM_TIMEOUT="1")
        started = time.monotonic()
        code, _, stderr = run_practice(env, "--llm", "on")
        assert code == 5, stderr
        assert stderr.startswith("error: --llm on needs an LLM") and said in stderr, stderr
        assert time.monotonic() - started < 30 + PROBE_TIMEOUT_S


@pytest.mark.slow
def test_an_llm_setting_that_cannot_work_is_said_not_a_bug(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A review: Azure OpenAI with no key ended practice and doctor as a bug (exit 70), so
    did a server whose model list is a web page; an address without http:// was printed as
    "://127.0.0.1…" or "localhost://8080"."""
    home = tmp_path / "home"
    azure = subprocess_env(home, AZURE_OPENAI_ENDPOINT="https://my-resource.openai.azure.com")
    code, data, stderr = run_practice(azure, "-n", "1")
    assert code == 0, stderr
    assert "has no key (set AZURE_OPENAI_API_KEY)" in " ".join(stderr.split()), stderr
    assert data["turns"][0]["question"]["source"] == "bank"
    code, _, stderr = run_practice(azure, "-n", "1", "--llm", "on")
    assert code == 4 and "has no key" in stderr, stderr
    doctor = subprocess.run(
        practice.command("doctor"), env=azure, capture_output=True, text=True, timeout=120
    )
    assert doctor.returncode != 70 and "has no key" in doctor.stdout + doctor.stderr, doctor
    assert "set AZURE_OPENAI_API_KEY (the key" in " ".join((doctor.stdout + doctor.stderr).split())
    httpserver.expect_request("/page/models").respond_with_data(
        "<html>hello</html>", content_type="text/html"
    )
    page = llm_env(httpserver.url_for("/page"), home)
    doctor = subprocess.run(
        practice.command("doctor"), env=page, capture_output=True, text=True, timeout=120
    )
    said = " ".join((doctor.stdout + doctor.stderr).split())
    assert doctor.returncode != 70 and "OpenAI-compatible server?" in said, said
    bare = llm_env("127.0.0.1:8080/v1", home)
    code, _, stderr = run_practice(bare, "-n", "1")
    assert code == 1, stderr
    assert "'127.0.0.1:8080/v1' needs http:// or https://" in stderr, stderr


@pytest.mark.slow
def test_a_repeated_llm_question_is_refused(httpserver: HTTPServer, tmp_path: Path) -> None:
    same = completion(
        '{"question": "Tell me about your biggest failure at work.", "competency": "x"}'
    )
    httpserver.expect_request("/v1/chat/completions").respond_with_json(same)
    env = llm_env(httpserver.url_for("/v1"), tmp_path / "home")
    code, data, stderr = run_practice(env, "-n", "2", "--no-follow-ups")
    assert code == 0, stderr
    first, second = data["turns"]
    assert first["interviewer"] == "llm"
    assert first["question"]["text"] == "Tell me about your biggest failure at work."
    assert second["interviewer"] == "offline-fallback"
    assert second["question"]["source"] == "bank"


def test_a_question_that_holds_one_asked_before_is_a_repeat() -> None:
    """A review: a small model's question 2 was question 1 with our list of questions to
    avoid after it, and "Q1? And what did you learn from it?" passed as new."""
    from interviewsense.interviewer.llm import _asked_again, _same

    first = "Tell me about your biggest failure at work."
    assert _asked_again(first, first.upper())
    assert _asked_again(f"{first} And what did you learn from it?", first)
    assert _asked_again(f"Why do you want this job? | {first} | What is your weakness?", first)
    assert not _asked_again("What did you learn from your biggest failure?", first)
    assert not _asked_again("Why this company, and why now?", "Why this company?")  # too short
    # A new question that builds on an old one is new (a review of the first version).
    crawler = "If you had to design a web crawler for ten times the traffic, what would change?"
    assert not _asked_again(crawler, "Design a web crawler.")  # held, but a small part
    assert not _asked_again(
        "Tell me about yourself as a manager of people, and how your team would describe you.",
        "Tell me about yourself.",
    )
    # A follow-up repeats its question only word for word: one quoting it is a follow-up.
    assert not _same("What are your greatest strengths as a team lead?", "What are your strengths?")
