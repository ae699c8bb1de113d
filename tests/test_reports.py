"""Reports (md, html, json, terminal), rendered from a real finalized answer; the HTML one is
opened in headless Chromium and its charts must show. History, compare and play too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.domain import Question, Session, Turn
from interviewsense.report.charts import FILLER_COLOR, PACE_COLOR, PITCH_COLOR
from interviewsense.report.terminal import render_answer
from interviewsense.storage.store import SessionStore
from tests import speech
from tests.helpers import chromium_screenshot_command, typed_answer
from tests.practice import command, practice_env
from tests.vmic import VirtualMic

SCRIPT = (
    "<speak>So, um, at my last job our billing service failed every week. Uh, I was "
    "responsible for fixing it, so I, like, planned the move in three phases and I wrote the "
    'runbook. <break time="3s"/> Um, as a result failures dropped by ninety percent in two '
    "months, and the support team got far fewer tickets.</speak>"
)


@pytest.fixture(scope="module")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    home = tmp_path_factory.mktemp("reports") / "home"
    wav = speech.espeak(SCRIPT, home.parent / "answer.wav", ssml=True)
    env = {"INTERVIEWSENSE_HOME": str(home)}
    result = CliRunner().invoke(
        app,
        ["finalize", str(wav), "-q", "Tell me about a time you fixed a failing system", "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    yield home, json.loads(result.stdout)["session_id"]


def report(home: Path, sid: str, fmt: str) -> str:
    result = CliRunner().invoke(
        app,
        ["sessions", "report", sid, "--format", fmt, "--out", "-"],
        env={"INTERVIEWSENSE_HOME": str(home)},
    )
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def test_markdown_shows_html_and_pipes_as_text(tmp_path: Path) -> None:
    """QA: raw HTML from a transcript passed into the Markdown report, where a viewer could
    run it; a "|" in a quoted sentence broke the evidence table."""
    from interviewsense.report.render import render
    from tests.helpers import answered_turn

    q = Question(text="Tell me about <b>a</b> project | you led.", type="behavioral")
    text = ("I led the move <script>alert(1)</script> of our billing service | and we cut "
            "failures by 90% in two months.")  # fmt: skip
    session = Session(id="20261202-000000-abcdef", started_at="2026-12-02T00:00:00+00:00")
    session.turns.append(answered_turn(q, text))
    md = render(session, None, "md")
    assert "<script>" not in md and "&lt;script&gt;" in md and "<b>" not in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and "billing" in line]
    assert rows and all(re.sub(r"\\\|", "", row).count("|") in (3, 4) for row in rows)
    from interviewsense.report.markdown import _md

    assert _md("a | b\nc", cell=True) == "a \\| b c"  # a cell stays one cell
    # QA: Markdown in an answer was rendered: "**stars**" as a filler's bold, a link live.
    typed = "I said **stars** and [link](http://x) and `code` and _this_ \\ #1."
    assert _md(typed) == (
        "I said \\*\\*stars\\*\\* and \\[link\\](http://x) and \\`code\\` and \\_this\\_ \\\\ \\#1."
    )
    # A review: an answer that opens like a list item ("1. ", "- ") was rendered as a list.
    assert _md("1. I mapped it. 2. I fixed it.") == "1\\. I mapped it. 2. I fixed it."
    assert _md("- first, 2) second") == "\\- first, 2) second"
    listed = Session(id="20261202-000001-abcdef", started_at="2026-12-02T00:00:00+00:00")
    listed.turns.append(answered_turn(q, "1. I led the billing move and we cut failures by 90%."))
    transcript = render(listed, None, "md").split("### Transcript", 1)[1].strip().splitlines()[0]
    assert transcript.startswith("1\\. I led"), transcript


def test_a_typed_answers_delivery_says_what_was_not_measured(tmp_path: Path) -> None:
    """QA: a typed answer showed "delivery 100" as if its pace and pauses had been heard;
    only its fillers, hedges and repeats were. Every format now says so beside the number."""
    from interviewsense.report.data import UNTIMED_DELIVERY
    from interviewsense.report.render import render
    from tests.helpers import answered_turn

    q = Question(text="Tell me about a project you led.", type="behavioral")
    session = Session(id="20261206-000000-abcdef", started_at="2026-12-06T00:00:00+00:00")
    session.turns.append(answered_turn(q, "Um, I led the move of our billing service and we "
                                          "cut failures by 90% in two months."))  # fmt: skip
    delivery = session.turns[0].answer.scores.delivery  # type: ignore[union-attr]
    assert delivery.score is not None and "wpm" in delivery.missing
    shown = f"delivery {delivery.score} ({UNTIMED_DELIVERY})"
    assert shown in render(session, None, "md")
    html = render(session, None, "html")
    assert shown in html
    # QA: its filler chart said "no fillers" beside "You used 1 filler".
    assert "1 filler; no word times, so not when" in html and "no fillers" not in html
    console = Console(record=True, width=120)
    render_answer(console, session.turns[0].answer)  # type: ignore[arg-type]
    assert shown in console.export_text()


@pytest.mark.slow
def test_a_report_never_writes_over_recorded_data(
    session_home: tuple[Path, str], tmp_path: Path
) -> None:
    """QA wrote a report over the session's own session.json (the answer was lost), over a
    device file, and into a folder a typo created. Each is refused, and nothing changes."""
    home, sid = session_home
    env = {"INTERVIEWSENSE_HOME": str(home)}
    saved = home / "sessions" / sid / "session.json"
    before = saved.read_bytes()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    cases = [
        (saved, "would be written inside the session store"),
        (fifo, "is not a regular file"),
        (tmp_path / "typo" / "r.md", "does not exist"),
    ]
    for out, said in cases:
        result = CliRunner().invoke(app, ["sessions", "report", sid, "-f", "md", "-o", str(out)],
                                    env=env)  # fmt: skip
        assert result.exit_code == 1 and said in result.stderr, result.stderr
        assert "hint:" in result.stderr
    assert saved.read_bytes() == before and not (tmp_path / "typo").exists()
    batch = CliRunner().invoke(app, ["batch", str(home.parent / "answer.wav"), "-o",
                                     str(home / "sessions" / "results.csv")], env=env)  # fmt: skip
    assert batch.exit_code == 1 and "inside the session store" in batch.stderr
    # The terminal report goes where --out says, as plain text.
    plain = tmp_path / "report.txt"
    result = CliRunner().invoke(app, ["sessions", "report", sid, "-o", str(plain)], env=env)
    assert result.exit_code == 0, result.stderr
    text = plain.read_text("utf-8")
    assert sid in text and "\x1b[" not in text
    # A file that is not a report is never written over (a review: '-o victim.wav' replaced a
    # recording, and a backup's audio); a report of any format is, as often as asked.
    victim = tmp_path / "victim.wav"
    victim.write_bytes(saved.read_bytes()[:100] + b"RIFF")
    for fmt in ("md", "html", "json", "terminal"):
        refused = CliRunner().invoke(
            app, ["sessions", "report", sid, "-f", fmt, "-o", str(victim)], env=env
        )
        assert refused.exit_code == 1 and "is not a report" in refused.stderr, refused.stderr
        again = tmp_path / f"again.{fmt}"
        for _ in range(2):
            done = CliRunner().invoke(
                app, ["sessions", "report", sid, "-f", fmt, "-o", str(again)], env=env
            )
            assert done.exit_code == 0, (fmt, done.stderr)
    assert victim.read_bytes() == saved.read_bytes()[:100] + b"RIFF"


@pytest.mark.slow
def test_html_report_structure(session_home: tuple[Path, str]) -> None:
    home, sid = session_home
    html = report(home, sid, "html")
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert html.count('class="chart pace"') == 1 and html.count("<svg") == 3
    for chart in ("pace-1", "fillers-1", "pitch-1"):
        assert f'id="{chart}"' in html
        # Each chart is an image its caption names (a review: no title or label).
        assert f'<svg role="img" aria-labelledby="{chart}-c"' in html
        assert f'<figcaption id="{chart}-c">' in html
    assert '<span class="filler">' in html and '<span class="pause">pause ' in html
    assert "Every number, explained" in html and "Feedback" in html
    # Self-contained: nothing to fetch.
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<script" not in html and "@import" not in html
    assert not re.search(r"url\((?!#)", html)  # only the SVG's own clip paths
    # Valid HTML: each id once in the page, though each chart defines its own shapes and
    # glyphs; and every reference is to one of them (a review: the charts shared ids).
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in set(ids) if ids.count(i) > 1][:5]
    refs = re.findall(r'(?:url\(#|href="#)([^")]+)', html)
    assert refs and set(refs) <= set(ids)
    saved = home / "sessions" / sid / "report.html"
    assert not saved.exists()  # --out - wrote to stdout only
    assert (
        CliRunner()
        .invoke(
            app, ["sessions", "report", sid, "-f", "html"], env={"INTERVIEWSENSE_HOME": str(home)}
        )
        .exit_code
        == 0
    )
    assert saved.read_text() == html


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is missing: run 'make test' (it installs Debian's chromium)")
    return path


@pytest.mark.slow
def test_html_report_renders_with_charts_in_chromium(
    session_home: tuple[Path, str], tmp_path: Path
) -> None:
    import matplotlib.image

    home, sid = session_home
    page = tmp_path / "report.html"
    page.write_text(report(home, sid, "html"))
    shot = tmp_path / "shot.png"
    subprocess.run(
        chromium_screenshot_command(chromium(), page, shot, tmp_path / "profile", (1000, 2600)),
        capture_output=True,
        timeout=120,
        check=True,
    )
    pixels = matplotlib.image.imread(str(shot))[:, :, :3]

    def count(color: str) -> int:
        rgb = np.array([int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        return int((np.abs(pixels - rgb).max(axis=2) < 0.08).sum())

    for name, color in (("pace", PACE_COLOR), ("fillers", FILLER_COLOR), ("pitch", PITCH_COLOR)):
        assert count(color) > 300, f"the {name} chart drew nothing"
    assert (pixels.std(axis=(0, 1)) > 0.05).all()  # not a blank page


@pytest.mark.slow
def test_the_html_reports_names_are_never_broken_mid_word(
    session_home: tuple[Path, str], tmp_path: Path
) -> None:
    """A review: in "Every number, explained" the names broke mid-word ("Conte nt",
    "struc ture") in a real browser, at the report's own width."""
    sync_api = pytest.importorskip("playwright.sync_api")
    home, sid = session_home
    page_file = tmp_path / "report.html"
    page_file.write_text(report(home, sid, "html"))
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(page_file.as_uri())
            lines = page.eval_on_selector_all(
                "td.name, th",
                """cells => cells.map((cell) => {
                    const range = document.createRange();
                    range.selectNodeContents(cell);
                    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                    return [cell.textContent, tops.size];
                })""",
            )
        finally:
            browser.close()
    names = [name for name, _ in lines]
    assert "structure" in names and "Content" in names, names
    assert [name for name, rows in lines if rows > 1] == []


@pytest.mark.slow
def test_markdown_json_and_terminal(session_home: tuple[Path, str]) -> None:
    home, sid = session_home
    md = report(home, sid, "md")
    assert md.startswith(f"# InterviewSense report — {sid}")
    assert "**um,**" in md.lower() or "**um**" in md.lower()
    assert "`⏸ " in md
    assert "| pace (wpm, 10 s windows) |" in md
    from interviewsense.report.data import UNTIMED_DELIVERY

    assert UNTIMED_DELIVERY not in md  # a spoken answer's pace and pauses were measured
    # Each part's headline says how its rows add up to it (a review: "Content 80" beside rows
    # worth 510 points, with nothing to join them).
    table = md[md.index("### Every number, explained") :].split("\n\n")[1].splitlines()[2:]
    blocks: list[list[str]] = []
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0].startswith("**"):
            blocks.append(cells)
        else:
            blocks[-1].append(cells[1])
    for title, score, why, *points in blocks:
        got = sum(float(p.split("/")[0]) for p in points)
        total = sum(float(p.split("/")[1]) for p in points)
        said = re.fullmatch(r"([\d.]+) of ([\d.]+) points, as (\d+) of 100", why)
        assert said, (title, why)
        assert float(said[1]) == pytest.approx(got, abs=0.3 + 0.05 * len(points)), title
        assert float(said[2]) == pytest.approx(total) and said[3] == score.strip("*"), title
    data = json.loads(report(home, sid, "json"))
    assert data["session"]["id"] == sid and data["schema"] == "interviewsense.report/1"
    (series,) = data["series"]
    assert series["pace"] and series["fillers"] and len(series["pitch"]) > 20
    terminal = CliRunner().invoke(
        app, ["sessions", "report", sid], env={"INTERVIEWSENSE_HOME": str(home)}
    )
    assert terminal.exit_code == 0
    assert "pitch" in terminal.stderr and any(c in terminal.stderr for c in "▁▂▃▄▅▆▇█")
    # -o with a report's extension and no --format writes that format (QA: terminal text).
    env = {"INTERVIEWSENSE_HOME": str(home)}
    for name, start in (("r.html", "<!doctype html>"), ("r.md", "# InterviewSense report")):
        made = CliRunner().invoke(app, ["sessions", "report", sid, "-o", str(home / name)], env=env)
        assert made.exit_code == 0, made.stderr
        assert (home / name).read_text("utf-8").lower().startswith(start.lower())


def test_report_flag_on_practice(isolated_home: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "practice",
            "--keyboard",
            "--no-voice",
            "-n",
            "1",
            "--no-follow-ups",
            "--report",
            "md",
            "--json",
        ],
        input="I led the migration and we cut costs by 20 percent.\n",
    )
    assert result.exit_code == 0, result.stderr
    sid = json.loads(result.stdout)["id"]
    text = (isolated_home / "sessions" / sid / "report.md").read_text()
    assert "no word times" not in text and "| pace (wpm, 10 s windows) | `–`" in text
    bad = CliRunner().invoke(app, ["practice", "--keyboard", "--report", "pdf"], input="")
    assert bad.exit_code == 2 and "'md', 'html', 'json'" in bad.output  # a usage error


# --- history and compare ---------------------------------------------------------------------

WEAK = "Um, we, like, did stuff, you know, and it was, um, fine I guess."
STRONG = (
    "At my last job I led the migration of our billing service. I was responsible for the "
    "plan, so I split the work into three phases and I wrote the runbook. As a result "
    "failures dropped by 90 percent and tickets fell from 40 to 3 a week."
)


def make_sessions(home: Path, days: int) -> list[str]:
    """One session a day, ending today, each better than the last: the weak answer gives way
    to the strong one, word by word."""
    store = SessionStore(home / "sessions")
    ids = []
    lead = Question(text="Tell me about a project you led.", competency="leadership", id="q-lead")
    conflict = Question(text="Tell me about a conflict.", competency="conflict", id="q-conflict")
    strong_words = STRONG.split()
    for n in range(days):
        day = date.today() - timedelta(days=days - 1 - n)
        share = (n + 1) / days
        text = " ".join(strong_words[: int(len(strong_words) * share)]) or WEAK
        if n < days // 2:
            text = WEAK + " " + text
        session = Session(id=f"{day:%Y%m%d}-090000-{n:06x}", started_at=f"{day}T09:00:00")
        session.turns = [
            Turn(index=1, question=lead, answer=typed_answer(lead, text)),
            Turn(index=2, question=conflict, answer=typed_answer(conflict, WEAK)),
        ]
        store.create(session)
        store.release(session.id)
        ids.append(session.id)
    return ids


def test_history_shows_known_trends(isolated_home: Path) -> None:
    make_sessions(isolated_home, 5)
    result = CliRunner().invoke(app, ["history", "--json"])
    assert result.exit_code == 0, result.stderr
    h = json.loads(result.stdout)
    assert len(h["points"]) == 5
    overall = [p["overall"] for p in h["points"]]
    assert overall[-1] > overall[0]
    verdicts = {t["metric"]: t["verdict"] for t in h["trends"]}
    assert verdicts["overall"] == "improving"
    assert verdicts["fillers per 100 words"] == "improving"
    # Two competencies: one is best, the other weakest, never both best (QA).
    assert [c[0] for c in h["best"]] == ["leadership"]
    assert [c[0] for c in h["weakest"]] == ["conflict"]
    assert h["streak"] == 5 and h["longest_streak"] == 5 and h["practiced_today"]

    only = json.loads(CliRunner().invoke(app, ["history", "--json", "-q", "conflict"]).stdout)
    assert {t["metric"]: t["verdict"] for t in only["trends"]}["overall"] == "steady"
    human = CliRunner().invoke(app, ["history"])
    assert "streak: 5 days" in human.stderr and "improving" in human.stderr
    # The table fits an 80-column terminal with every column whole.
    assert "day         type" in human.stderr and "fillers" in human.stderr
    assert "…" not in human.stderr
    # A filter that matches nothing says so, not "no scored answers yet" (QA).
    none = CliRunner().invoke(app, ["history", "-q", "zzz-no-such-question"])
    assert none.exit_code == 0 and "no scored answers match question" in none.stderr
    markup = CliRunner().invoke(app, ["history", "-q", "[/x] a[b]"])  # the user's words, as typed
    assert markup.exit_code == 0 and "[/x] a[b]" in markup.stderr, markup.stderr


def test_sessions_are_ordered_as_they_happened_whatever_offset_they_were_saved_with(
    isolated_home: Path,
) -> None:
    """A review: history and compare sorted start times as text, so after the clocks went back
    (02:30+02:00, then 02:10+01:00, an hour later) the later, better session came first:
    "80 → 40, slipping". A competency such as "own[/]ership" was a bug's exit in history and
    "[senior]" vanished: they are words, not markup."""
    store = SessionStore(isolated_home / "sessions")
    lead = Question(text="Tell me about a project you led.", competency="own[/]ership [senior]")
    first = Session(id="20261025-023000-aaaaa1", started_at="2026-10-25T02:30:00+02:00")
    later = Session(id="20261025-021000-aaaaa2", started_at="2026-10-25T02:10:00+01:00")
    for session, text in ((first, WEAK), (later, STRONG)):
        session.turns = [Turn(index=1, question=lead, answer=typed_answer(lead, text))]
        store.create(session)
        store.release(session.id)
    weak = first.turns[0].answer
    strong = later.turns[0].answer
    assert weak is not None and strong is not None
    assert weak.scores.overall < strong.scores.overall
    h = json.loads(CliRunner().invoke(app, ["history", "--json"]).stdout)
    assert [p["overall"] for p in h["points"]] == [weak.scores.overall, strong.scores.overall]
    assert h["left_out"] == {"damaged": [], "newer": [], "unreadable": []}
    # One that cannot be read is named in the document too, not only on screen (a review).
    broken = store.root / "20261026-090000-aaaaa3"
    broken.mkdir()
    (broken / "session.json").write_text("{not json")
    left = json.loads(CliRunner().invoke(app, ["history", "--json"]).stdout)["left_out"]
    assert left == {"damaged": [broken.name], "newer": [], "unreadable": []}
    shutil.rmtree(broken)
    assert {t["metric"]: t["verdict"] for t in h["trends"]}["overall"] == "improving"
    for ids in ([first.id, later.id], [later.id, first.id]):
        shown = CliRunner().invoke(app, ["sessions", "compare", *ids, "--json"])
        assert shown.exit_code == 0, shown.output
        [step] = json.loads(shown.stdout)
        assert step["before"]["session_id"] == first.id, ids
    human = CliRunner().invoke(app, ["history"])
    assert human.exit_code == 0, human.output
    assert "own[/]ership [senior]" in human.stderr


def test_a_sessions_filler_rate_counts_every_word_once(isolated_home: Path) -> None:
    """A review: history's fillers per 100 words were the mean of the answers' rates, so a
    short answer weighed as much as a long one (40 for 4 fillers in 50 words)."""
    store = SessionStore(isolated_home / "sessions")
    lead = Question(text="Tell me about a project you led.", competency="leadership")
    session = Session(id="20261201-090000-abcdef", started_at="2026-12-01T09:00:00")
    weak, strong = typed_answer(lead, WEAK), typed_answer(lead, STRONG)
    session.turns = [Turn(index=1, question=lead, answer=weak),
                     Turn(index=2, question=lead, answer=strong)]  # fmt: skip
    store.create(session)
    store.release(session.id)
    fillers = weak.scores.delivery.fillers.count + strong.scores.delivery.fillers.count
    words = weak.scores.content.word_count + strong.scores.content.word_count
    assert fillers and strong.scores.content.word_count > 3 * weak.scores.content.word_count
    h = json.loads(CliRunner().invoke(app, ["history", "--json"]).stdout)
    assert h["points"][0]["filler_rate"] == round(100 * fillers / words, 2)


def test_every_report_lists_the_questions_left_unanswered(isolated_home: Path) -> None:
    """A review: a session whose questions were all skipped reported "No answers yet", and
    a skipped question vanished from every report."""
    store = SessionStore(isolated_home / "sessions")
    lead = Question(text="Tell me about a project you led.", competency="leadership")
    other = Question(text="What would you do <differently>?", competency="reflection")
    session = Session(id="20261202-090000-abcdef", started_at="2026-12-02T09:00:00")
    session.turns = [Turn(index=1, question=lead, answer=typed_answer(lead, STRONG)),
                     Turn(index=2, question=other, status="skipped")]  # fmt: skip
    store.create(session)
    store.release(session.id)
    line = "Question 2, skipped: What would you do <differently>?"
    escaped = line.replace("<", "&lt;").replace(">", "&gt;")
    md = CliRunner().invoke(app, ["sessions", "report", session.id, "-f", "md", "-o", "-"])
    assert "| **Voice** |" not in md.stdout  # a typed answer: no empty Voice block (a review)
    for fmt, shown in (("html", escaped), ("md", escaped), ("md", "## Not answered")):
        out = CliRunner().invoke(app, ["sessions", "report", session.id, "-f", fmt, "-o", "-"])
        assert out.exit_code == 0, out.output
        assert shown in out.stdout, (fmt, out.stdout[-600:])
    terminal = CliRunner().invoke(app, ["sessions", "report", session.id])
    assert line in " ".join(terminal.stderr.split())


def test_a_trend_is_shown_by_its_line_not_its_ends() -> None:
    """QA: "slipping content: 83 → 86.5": the verdict read the least-squares slope, the
    numbers beside it were the first and last sessions, which a noisy series puts the other
    way round. The line's own ends are shown now, and always agree with the verdict."""
    from interviewsense.report.progress_data import TREND_MIN_CHANGE, _trend

    t = _trend("content", [80.0, 100.0, 95.0, 85.0, 82.0])
    assert t.verdict == "slipping" and t.last > t.first
    assert t.end < t.start and t.sessions == 5
    steady = _trend("delivery", [90.0, 92.0, 89.0, 91.0, 90.0, 88.0, 91.0])
    assert steady.verdict == "steady" and abs(steady.end - steady.start) <= TREND_MIN_CHANGE
    # A review: the verdict read the change a session, so two sessions 2 points apart were
    # "slipping" and 7.8 points lost over 500 sessions "steady". It reads the whole stretch.
    assert _trend("overall", [34.0, 32.0]).verdict == "steady"
    drift = _trend("overall", [61.6 - 7.8 * i / 499 for i in range(500)])
    assert drift.verdict == "slipping" and (drift.start, drift.end) == (61.6, 53.8)
    # QA: one late outlier drew "delivery: 103.6 → 64" and a pace distance of -114.3: the
    # line's ends stay within what was measured, in the verdict's order.
    late = _trend("delivery", [95.0, 96.0, 97.0, 98.0, 20.0])
    assert late.verdict == "slipping" and 20.0 <= late.end < late.start <= 98.0
    far = _trend("pace", [5.0, 4.0, 6.0, 5.0, 430.0], lower_is_better=True)
    assert 4.0 <= far.start < far.end <= 430.0


def test_history_says_what_it_left_out(isolated_home: Path, tmp_path: Path) -> None:
    """QA: a damaged session was left out of history without a word; an answer to a
    question of your own was ranked as the competency "(none)"; a data folder that is a file
    was "no sessions yet"."""
    ids = make_sessions(isolated_home, 2)
    (isolated_home / "sessions" / ids[0] / "session.json").write_text("{oops")
    store = SessionStore(isolated_home / "sessions")
    own = Question(text="Why this company?")  # no competency
    session = Session(id="20260101-090000-00000a", started_at="2026-01-01T09:00:00")
    session.turns = [Turn(index=1, question=own, answer=typed_answer(own, STRONG))]
    store.create(session)
    store.release(session.id)
    result = CliRunner().invoke(app, ["history", "--json"])
    assert result.exit_code == 0, result.stderr
    h = json.loads(result.stdout)
    assert h["schema"] == "interviewsense.history/1"
    assert len(h["points"]) == 2
    assert f"left out 1 damaged session: {ids[0]}" in " ".join(result.stderr.split())
    assert [name for name, *_ in h["best"]] and "(none)" not in json.dumps(h)
    # A start time that is not a time was shown as the "day" (a review): it is damage, and
    # the repair takes the time from the session's id.
    path = isolated_home / "sessions" / ids[1] / "session.json"
    data = json.loads(path.read_text())
    data["started_at"] = "garbage"
    path.write_text(json.dumps(data))
    again = CliRunner().invoke(app, ["history", "--json"])
    assert "garbage" not in again.stdout
    assert ids[1] in again.stderr and "damaged" in again.stderr, again.stderr
    assert CliRunner().invoke(app, ["sessions", "repair", ids[1]]).exit_code == 0
    mended = json.loads(path.read_text())["started_at"]
    assert mended.replace("-", "").replace(":", "").replace("T", "-") == ids[1][:15]
    a_file = tmp_path / "home-file"
    a_file.write_text("")
    for args in (["history"], ["sessions", "list"]):
        done = CliRunner().invoke(app, args, env={"INTERVIEWSENSE_HOME": str(a_file)})
        assert done.exit_code != 0 and "is a file, not a folder" in done.stderr, done.stderr


def test_a_broken_streak(isolated_home: Path) -> None:
    store = SessionStore(isolated_home / "sessions")
    q = Question(text="Why?", competency="x")
    for offset in (10, 9, 8, 2, 1):
        day = date.today() - timedelta(days=offset)
        s = Session(id=f"{day:%Y%m%d}-090000-00000{offset % 10}", started_at=f"{day}T09:00:00")
        s.turns = [Turn(index=1, question=q, answer=typed_answer(q, STRONG))]
        store.create(s)
        store.release(s.id)
    h = json.loads(CliRunner().invoke(app, ["history", "--json"]).stdout)
    assert (h["streak"], h["longest_streak"], h["practiced_today"]) == (2, 3, False)


def test_days_are_the_candidates_own(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """QA: in Los Angeles, a session at 8 pm saved in UTC (a server, a trip) fell on
    tomorrow: history showed tomorrow and a streak of 0, "not practised today"."""
    import time as clock
    from datetime import UTC, datetime
    from datetime import time as at
    from zoneinfo import ZoneInfo

    la = ZoneInfo("America/Los_Angeles")
    try:
        with monkeypatch.context() as zone:
            zone.setenv("TZ", "America/Los_Angeles")
            clock.tzset()
            today = datetime.now(la).date()
            when = datetime.combine(today, at(20, 0), tzinfo=la).astimezone(UTC)
            assert when.date() != today  # saved as the next day in UTC
            q = Question(text="Why?", competency="x")
            s = Session(id=f"{when:%Y%m%d-%H%M%S}-00000b", started_at=when.isoformat())
            s.turns = [Turn(index=1, question=q, answer=typed_answer(q, STRONG))]
            store = SessionStore(isolated_home / "sessions")
            store.create(s)
            store.release(s.id)
            h = json.loads(CliRunner().invoke(app, ["history", "--json"]).stdout)
    finally:
        clock.tzset()  # the machine's zone again
    assert [p["day"] for p in h["points"]] == [today.isoformat()]
    assert (h["streak"], h["practiced_today"]) == (1, True)


def test_compare_two_sessions_and_attempts(isolated_home: Path) -> None:
    first, ids_mid, last = make_sessions(isolated_home, 3)
    result = CliRunner().invoke(app, ["sessions", "compare", first, last, "--json"])
    assert result.exit_code == 0, result.stderr
    steps = {step["question"]: step["changes"] for step in json.loads(result.stdout)}
    lead = {c["metric"]: c["verdict"] for c in steps["Tell me about a project you led."]}
    assert lead["overall"] == "better" and lead["fillers per 100 words"] == "better"
    conflict = {c["metric"]: c["verdict"] for c in steps["Tell me about a conflict."]}
    assert conflict["overall"] == "same"
    human = CliRunner().invoke(app, ["sessions", "compare", first, last])
    assert "improved:" in human.stderr and "not improved:" in human.stderr
    # QA: the newer session given first was read as "before", so a better answer read worse.
    swapped = CliRunner().invoke(app, ["sessions", "compare", last, first, "--json"])
    assert json.loads(swapped.stdout) == json.loads(result.stdout)
    same = CliRunner().invoke(app, ["sessions", "compare", first, first])
    assert same.exit_code == 1 and "both ids name session" in same.stderr
    by_question = CliRunner().invoke(
        app, ["sessions", "compare", "-q", "project you led", "--json"]
    )
    stepped = json.loads(by_question.stdout)
    assert len(stepped) == 2  # three attempts, two steps
    # Which attempts each step compares (QA: no ids, so a script could not tell).
    assert [(st["before"]["session_id"], st["after"]["session_id"]) for st in stepped] == [
        (first, ids_mid),
        (ids_mid, last),
    ]
    assert stepped[0]["before"]["turn"] == 1 and stepped[0]["after"]["started_at"]
    none = CliRunner().invoke(app, ["sessions", "compare", "-q", "astronaut"])
    assert none.exit_code == 1 and "found 0 answer(s)" in none.stderr
    # QA: "tell me" paired a project answer "before" with a conflict answer "after".
    mixed = CliRunner().invoke(app, ["sessions", "compare", "-q", "tell me", "--json"])
    said = " ".join(mixed.stderr.split())
    assert mixed.exit_code == 1 and "'tell me' matches 2 different questions" in said
    assert "'Tell me about a project you led.'" in said and "more of the question" in said
    # The whole of one question's text picks it, though it is part of another's.
    client = Question(text="Tell me about a conflict with a client.", competency="conflict")
    extra = Session(id="20260101-090000-0000cc", started_at="2026-01-01T09:00:00")
    extra.turns = [Turn(index=1, question=client, answer=typed_answer(client, WEAK))]
    store = SessionStore(isolated_home / "sessions")
    store.create(extra)
    store.release(extra.id)
    some = CliRunner().invoke(app, ["sessions", "compare", "-q", "conflict"])
    assert some.exit_code == 1 and "matches 2 different questions" in some.stderr
    whole = CliRunner().invoke(app, ["sessions", "compare", "-q", "tell me about a conflict"])
    assert whole.exit_code == 0, whole.stderr
    both = CliRunner().invoke(app, ["sessions", "compare", first, last, "-q", "conflict"])
    assert both.exit_code == 1 and "not both" in both.stderr
    one = CliRunner().invoke(app, ["sessions", "compare", first])
    assert one.exit_code == 1 and "give two session ids" in one.stderr
    assert "hint: 'interviewsense sessions list' shows the ids" in one.stderr


@pytest.mark.slow
def test_play_through_the_speaker(vmic: VirtualMic, tmp_path: Path) -> None:
    home = tmp_path / "home"
    wav = speech.espeak("I led the project.", tmp_path / "a.wav")
    env = {"INTERVIEWSENSE_HOME": str(home)}
    sid = json.loads(CliRunner().invoke(app, ["finalize", str(wav), "--json"], env=env).stdout)[
        "session_id"
    ]
    proc = subprocess.run(
        command("sessions", "play", sid, "--answer", "1"),
        env=practice_env(home, vmic),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    quiet = practice_env(home, XDG_RUNTIME_DIR=str(tmp_path))  # no sound server there
    proc = subprocess.run(
        command("sessions", "play", sid), env=quiet, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 4 and "no audio output" in proc.stderr
    # Bad input is said first, whatever the machine has (QA: both were "no audio output").
    typed = CliRunner().invoke(
        app, ["practice", "--keyboard", "--no-voice", "-n", "1", "--no-follow-ups", "--json"],
        input="I led the move and we cut costs by half.\n", env=env,
    )  # fmt: skip
    for args in ((sid, "--answer", "9"), (json.loads(typed.stdout)["id"],)):
        proc = subprocess.run(
            command("sessions", "play", *args), env=quiet, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
        assert proc.returncode == 1 and "no audio output" not in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [(190.0, 155.0, "better"), (150.0, 110.0, "worse"), (140.0, 160.0, "same"), (None, 150, "n/a")],
)
def test_compare_judges_pace_by_its_distance_from_150(
    before: float | None, after: float, verdict: str
) -> None:
    """Faster is not better: a pace nearer 150 wpm is, from either side; the table shows
    the real words a minute."""
    from interviewsense.report.progress_data import compare

    q = Question(text="Why?")
    first, second = typed_answer(q, STRONG), typed_answer(q, STRONG)
    first.scores.delivery.wpm, second.scores.delivery.wpm = before, after
    pace = next(c for c in compare(first, second) if c.metric.startswith("words a minute"))
    assert (pace.before, pace.after, pace.verdict) == (before, after, verdict)


def test_the_summary_and_history_count_the_same_answers() -> None:
    """QA: `sessions list` said 20.7 and `history` 31 for one session: the summary counted an
    answer with nothing said as a 0, history left it out. Neither counts it now."""
    from interviewsense.flows.finalize import summarize
    from interviewsense.report.progress_data import history
    from tests.helpers import answered_turn

    q = Question(text="Tell me about a project you led.", type="behavioral")
    session = Session(id="20261206-000000-abc123", started_at="2026-12-06T00:00:00+00:00")
    session.turns += [
        answered_turn(q, "I led the move of our billing service and we cut failures by 90%."),
        answered_turn(q, "", index=2),
    ]
    spoken = session.turns[0].answer
    assert spoken is not None
    summary = summarize(session)
    assert summary["answers"] == 1 and summary["overall"] == spoken.scores.overall
    (point,) = history([session]).points
    assert point.overall == summary["overall"]


def test_without_colour_the_transcript_marks_words_with_signs_its_legend_names() -> None:
    """QA: with NO_COLOR, or piped to a file, the legend still said "yellow: fillers" while
    nothing was marked at all."""
    import io

    from rich.console import Console

    from interviewsense.report.terminal import render_answer
    from tests.helpers import answered_turn

    q = Question(text="Tell me about a project you led.", type="behavioral")
    turn = answered_turn(q, "Um, I think I led the the move and, um, we cut failures by half.")
    assert turn.answer is not None
    pipe = Console(file=io.StringIO(), width=100)
    no_color = Console(file=io.StringIO(), width=100, force_terminal=True, no_color=True)
    for console in (pipe, no_color):
        render_answer(console, turn.answer)
        shown = " ".join(console.file.getvalue().split())  # type: ignore[attr-defined]
        assert "[Um,]" in shown and "{I think}" in shown and "[um,]" in shown, shown
        assert "[…]: fillers {…}: hedges <…>: repeats" in shown and "yellow" not in shown
    colour = Console(file=io.StringIO(), width=100, force_terminal=True)
    render_answer(colour, turn.answer)
    assert "yellow: fillers" in colour.file.getvalue()  # type: ignore[attr-defined]


def test_a_narrow_terminal_loses_columns_not_numbers(isolated_home: Path) -> None:
    """QA: at 40 columns the list showed every column but the id as "…", and history cut
    numbers and days in half ("42…", "2026-…")."""
    make_sessions(isolated_home, 2)
    for width in (40, 60, 80):
        listed = CliRunner().invoke(app, ["sessions", "list"], env={"COLUMNS": str(width)})
        history = CliRunner().invoke(app, ["history"], env={"COLUMNS": str(width)})
        for shown in (listed.stderr, history.stderr):
            assert "…" not in shown, (width, shown)
            assert all(len(line) <= width for line in shown.splitlines()), (width, shown)
        assert re.search(r"\d{8}-\d{6}-\w{6} .*\s[\d.]+\s+in", listed.stderr), listed.stderr
        assert re.search(r"\d{4}-\d\d-\d\d .*\b2\s+[\d.]+", history.stderr), history.stderr


def test_a_pace_chart_of_one_window_says_it_is_too_short() -> None:
    """A review: a short answer's pace chart ran from -0.04 to 0.04 s, one dot at a window's
    pace the rest of the report did not show."""
    from interviewsense.report.charts import pace_chart

    one = pace_chart([(0.0, 192.0)], (130, 170), 10)
    assert "one 10 s window: too short to show how the pace changed" in one
    assert PACE_COLOR not in one  # no line of one point
    assert PACE_COLOR in pace_chart([(0.0, 150.0), (10.0, 160.0)], (130, 170), 10)
