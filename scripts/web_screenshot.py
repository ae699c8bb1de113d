"""Regenerate docs/web-score-card.png: the practice page's score card after a spoken answer.

Starts ``interviewsense serve`` in a throw-away data folder, opens the page in the system
Chromium (Playwright, nothing downloaded) whose fake microphone plays an espeak-ng answer,
waits for the score card and photographs it.

    .venv/bin/python scripts/web_screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import speech  # noqa: E402
from tests.serve_server import start_server, stop  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "docs" / "web-score-card.png"
ANSWER = (
    "Last year I led the move of our billing service to a new platform. The old system "
    "failed every week, so I planned the move in three phases and wrote the runbook with "
    "the team. We finished two weeks early, and failures dropped by ninety percent."
)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        raw = speech.espeak(ANSWER, base / "raw.wav")
        samples, rate = speech.read_wav(raw)
        samples = speech.concat(
            [speech.silence(0.5), speech.resample(samples, rate, 16000), speech.silence(0.5)]
        )
        wav = speech.write_wav(base / "answer.wav", samples, 16000)
        server = start_server(base)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=[
                        "--use-fake-ui-for-media-stream",
                        "--use-fake-device-for-media-stream",
                        f"--use-file-for-fake-audio-capture={wav}%noloop",
                    ],
                )
                page = browser.new_page(viewport={"width": 900, "height": 1000})
                page.set_default_timeout(180_000)
                page.goto(f"{server.url}/?silence_s=1.2")
                page.fill("#questions", "2")
                page.click("#start")
                page.wait_for_selector("#card:not([hidden])")
                page.wait_for_selector("#recording-box:not([hidden])")
                page.locator("#card").screenshot(path=str(OUT))
                browser.close()
        finally:
            stop(server)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
