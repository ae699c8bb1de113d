// The practice page in headless Firefox (Debian's firefox-esr), driven by puppeteer-core
// over WebDriver BiDi: no browser is downloaded. Run by tests/test_web_firefox.py:
//   node tests/firefox_page.mjs '<json options>'
// Options: firefox (the executable), mic ("system": the default PulseAudio source, granted
// without a prompt; "denied": blocked), init (a script run in every page before its own:
// the tests' stand-ins, declared in Python). It prints {"browser": version} once Firefox
// runs, then reads one JSON command a line on stdin and prints one JSON line for each:
// {"value": ...} or {"error": "..."}. The commands are in `ops` below; every page opened
// shares the browser's storage (a tab closed and opened again).

import readline from "node:readline";
import puppeteer from "puppeteer-core";

const opts = JSON.parse(process.argv[2]);
const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const prefs = {
  "media.autoplay.default": 0, // the question may be spoken without a click
  "media.navigator.permission.disabled": opts.mic !== "denied", // no prompt: allowed
  // Firefox's audio runs at the output device's rate (the test's null sink: 16 kHz); a
  // desktop's 48 kHz makes the page's worklet resample, as it must for most users.
  "media.cubeb.force_sample_rate": 48000,
};
if (opts.mic === "denied") prefs["permissions.default.microphone"] = 2; // blocked

const errors = []; // uncaught errors in any page opened
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: opts.firefox,
  headless: true,
  extraPrefsFirefox: prefs,
});
let page = null;

const ops = {
  // A new tab on `url` (the tab before it stays open unless closed).
  open: async ({ url }) => {
    page = await browser.newPage();
    page.setDefaultTimeout(120_000);
    page.on("pageerror", (err) => errors.push(String(err && err.message ? err.message : err)));
    await page.evaluateOnNewDocument(opts.init);
    await page.goto(url);
  },
  close: async () => {
    await page.close();
    page = null;
  },
  eval: ({ js }) => page.evaluate(js), // an expression; its JSON value
  wait: ({ js, timeout }) => page.waitForFunction(js, { timeout }).then(() => null),
  selector: ({ selector, timeout }) => page.waitForSelector(selector, { timeout }).then(() => null),
  click: ({ selector }) => page.click(selector),
  press: ({ key }) => page.keyboard.press(key), // a character (" " is Space) or a BiDi key name
  select: ({ selector, value }) => page.select(selector, value),
  type: ({ selector, text }) => page.type(selector, text),
  errors: () => errors.splice(0),
};

try {
  say({ browser: await browser.version() });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const cmd = JSON.parse(line);
    try {
      const value = await ops[cmd.op](cmd);
      say({ value: value === undefined ? null : value });
    } catch (err) {
      say({ error: `${cmd.op}: ${err && err.stack ? err.stack : err}` });
    }
  }
} finally {
  await browser.close();
}
