// The practice page in headless Firefox (Debian's firefox-esr), driven by puppeteer-core
// over WebDriver BiDi: no browser is downloaded. Run by tests/test_web_firefox.py:
//   node tests/firefox_page.mjs '<json options>'
// Options: url (the page, with its query), firefox (the executable), mic ("system": the
// default PulseAudio source, granted without a prompt; "denied": blocked), typed (the
// answer to type when the page offers typed answers). Silence ends a spoken answer. It
// prints one JSON line when the page listens ({"recording": true}: play the answer now)
// and one with what it saw at the end (see `result` below).

import puppeteer from "puppeteer-core";

const opts = JSON.parse(process.argv[2]);
const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

// The same stand-ins as tests/test_web.py: a spy on speechSynthesis.speak, and a voice for
// a headless browser that has none.
const INIT = `
window.__spoken = [];
if (window.speechSynthesis) {
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (u) => {
    window.__spoken.push({ text: u.text, rate: u.rate, pitch: u.pitch, lang: u.lang });
    speak(u);
  };
  const voices = window.speechSynthesis.getVoices.bind(window.speechSynthesis);
  const stand_in = { name: "Test voice", lang: "en-US", default: true, localService: true };
  window.speechSynthesis.getVoices = () => (voices().length ? voices() : [stand_in]);
}
// The rate the page's AudioContext runs at (the worklet resamples it to 16 kHz).
const Context = window.AudioContext;
window.AudioContext = class extends Context {
  constructor(...args) {
    super(...args);
    window.__sampleRate = this.sampleRate;
  }
};
`;

const prefs = {
  "media.autoplay.default": 0, // the question may be spoken without a click
  "media.navigator.permission.disabled": opts.mic !== "denied", // no prompt: allowed
  // Firefox's audio runs at the output device's rate (the test's null sink: 16 kHz); a
  // desktop's 48 kHz makes the page's worklet resample, as it must for most users.
  "media.cubeb.force_sample_rate": 48000,
};
if (opts.mic === "denied") prefs["permissions.default.microphone"] = 2; // blocked

const errors = [];
const result = { errors };
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: opts.firefox,
  headless: true,
  extraPrefsFirefox: prefs,
});
try {
  result.browser = await browser.version();
  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  page.on("pageerror", (err) => errors.push(String(err && err.message ? err.message : err)));
  await page.evaluateOnNewDocument(INIT);
  await page.goto(opts.url);
  await page.select("#persona", "friendly");
  await page.$eval("#questions", (el) => { el.value = "1"; });
  await page.$eval("#client-tts", (el) => { el.checked = true; });
  await page.click("#start");
  await page.waitForSelector("#caption:not(:empty)");
  if (opts.mic === "denied") {
    await page.waitForSelector("#typed:not([hidden])");
    result.typed_note = await page.$eval("#typed-note", (el) => el.textContent);
    await page.type("#typed-text", opts.typed);
    await page.click("#send-typed");
  } else {
    await page.waitForFunction("!document.querySelector('#stop').disabled");
    say({ recording: true });
    await page.waitForFunction(
      "document.querySelector('#transcript').textContent.trim().split(/\\s+/).length >= 3",
    );
    result.heard_live = await page.$eval("#transcript", (el) => el.textContent.trim());
  }
  await page.waitForSelector("#card:not([hidden])", { timeout: 180_000 });
  Object.assign(result, await page.evaluate(() => {
    const live = window.interviewsenseLive || { events: [], frames: 0, samples: 0 };
    const kept = JSON.parse(localStorage.getItem("interviewsense.session"));
    return {
      overall: Number(document.querySelector("#overall").textContent),
      final: document.querySelector("#transcript").dataset.final || "",
      events: live.events,
      frames: live.frames,
      samples: live.samples,
      sample_rate: window.__sampleRate || null,
      spoken: window.__spoken,
      session_id: kept.session_id,
      user_id: localStorage.getItem("interviewsense.user"),
    };
  }));
} catch (err) {
  errors.push(`driver: ${err && err.stack ? err.stack : err}`);
} finally {
  await browser.close();
}
say(result);
