// The practice page: one interview through the web API (docs/api.md, docs/web.md).
// Questions are shown as captions and spoken (the browser's voice for client_tts, else
// the server's WAV); answers stream as 16 kHz PCM over /v1/sessions/{id}/live, or are
// typed when there is no microphone.

const $ = (id) => document.getElementById(id);
const KEPT = "interviewsense.session";
const params = new URLSearchParams(location.search);

const state = {
  sessionId: null,
  userId: localStorage.getItem("interviewsense.user") || null,
  persona: "friendly",
  clientTts: true,
  question: null, // the waiting question (the API's question view)
  welcome: "",
  typed: false, // no microphone: typed answers
  recording: null, // the answer being recorded
  unsent: null, // {turn, pending}: audio heard while the connection was down, sent on the next try
  answers: [],
};

if (!state.userId) {
  state.userId = "web-" + Math.random().toString(36).slice(2, 10);
  localStorage.setItem("interviewsense.user", state.userId);
}

function say(text) {
  $("status").textContent = text || "";
}

function show(id) {
  for (const s of ["setup", "interview", "provisional", "card", "summary"]) $(s).hidden = s !== id;
}

function token() {
  return $("token").value || sessionStorage.getItem("interviewsense.token") || "";
}

// --- the API, retried while the server cannot be reached -------------------------------

async function api(path, { method = "GET", body } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token()) headers.Authorization = `Bearer ${token()}`;
  for (let attempt = 0; ; attempt++) {
    let resp;
    try {
      resp = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (attempt >= 20) {
        const gone = new Error("The server cannot be reached");
        gone.hint = "check that 'interviewsense serve' is still running and this computer is online, then try again";
        throw gone;
      }
      say(`The server cannot be reached; retrying (${attempt + 1})…`);
      await new Promise((r) => setTimeout(r, Math.min(5000, 500 * 2 ** attempt)));
      continue;
    }
    const data = await resp.json().catch(() => ({}));
    if (resp.status === 401) {
      $("token-box").open = true;
      $("token").focus();
      const err = new Error(token() ? "The access token was not accepted" : "This server asks for an access token");
      err.hint = "paste the token its owner gave you under 'Server token', then try again";
      err.status = 401;
      throw err;
    }
    if (resp.status === 503 && attempt < 5 && resp.headers.get("Retry-After")) {
      say(`The server is busy; retrying…`);
      await new Promise((r) => setTimeout(r, 1000 * Number(resp.headers.get("Retry-After"))));
      continue;
    }
    if (!resp.ok) {
      const err = new Error(data.error || `HTTP ${resp.status}`);
      err.hint = data.hint || "";
      err.status = resp.status;
      throw err;
    }
    say("");
    return data;
  }
}

function failed(err) {
  say(`${err.message}${err.hint ? ` — ${err.hint}` : ""}`);
}

// --- the interviewer's voice -------------------------------------------------------------

function pickVoice(ins) {
  const voices = window.speechSynthesis.getVoices();
  const lang = voices.filter((v) => v.lang && v.lang.toLowerCase().startsWith(ins.lang.slice(0, 2)));
  const gender = (ins.voice_hints && ins.voice_hints.gender) || "";
  const named = lang.find((v) => gender && v.name.toLowerCase().includes(gender));
  return named || lang.find((v) => v.lang === ins.lang) || lang[0] || null;
}

function waitFor(start, seconds) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    start(() => { clearTimeout(timer); resolve(); });
  });
}

let voiceFound = null; // whether this browser has a SpeechSynthesis voice (asked once)

async function hasVoice() {
  if (voiceFound !== null) return voiceFound;
  if (!("speechSynthesis" in window)) return (voiceFound = false);
  if (!window.speechSynthesis.getVoices().length) {
    // Chromium fills the list a moment after the page loads.
    await new Promise((resolve) => {
      window.speechSynthesis.addEventListener("voiceschanged", resolve, { once: true });
      setTimeout(resolve, 1500);
    });
  }
  return (voiceFound = window.speechSynthesis.getVoices().length > 0);
}

let voiceTurn = 0; // bumped by every speak and hush: a voice a newer one cut off knows it
let playing = null; // the server voice now playing: {audio, done}

function hush() {
  // Stop whatever the interviewer is saying (skip, repeat, the next question).
  voiceTurn++;
  if (playing) {
    playing.audio.pause();
    playing.done();
    playing = null;
  }
  if ("speechSynthesis" in window) window.speechSynthesis.cancel();
}

async function speak(text) {
  // Resolves true when the text was said to the end, false when something cut it off.
  hush();
  const mine = ++voiceTurn;
  const words = text.split(/\s+/).length;
  // No voice in this browser: the server speaks instead (the caption shows the text anyway).
  const serverVoice = state.clientTts && !(await hasVoice());
  const r = await api("/v1/tts/generate", {
    method: "POST",
    body: { session_id: state.sessionId, user_id: state.userId, text, persona: state.persona, server_voice: serverVoice },
  });
  if (mine !== voiceTurn) return false; // skipped or repeated while the audio was made
  if (r.use_client_tts) {
    const ins = r.tts_instructions;
    const u = new SpeechSynthesisUtterance(ins.text);
    u.lang = ins.lang;
    u.rate = ins.rate;
    u.pitch = ins.pitch;
    u.volume = ins.volume;
    const voice = pickVoice(ins);
    try {
      if (voice) u.voice = voice;
    } catch {
      // not a voice this browser made (a test's stand-in): its default voice speaks
    }
    await waitFor((done) => {
      u.onend = done;
      u.onerror = done;
      window.speechSynthesis.speak(u);
    }, 1 + words / (2.6 * ins.rate));
    return mine === voiceTurn;
  }
  const audio = new Audio(r.audio_url);
  await waitFor((done) => {
    playing = { audio, done };
    audio.onended = done;
    audio.onerror = done;
    audio.play().catch(done);
  }, (r.duration_s || words / 2.5) + 1);
  if (playing && playing.audio === audio) playing = null;
  return mine === voiceTurn;
}

// --- a question ----------------------------------------------------------------------------

async function ask(question, { first = false, listen = true } = {}) {
  state.question = question;
  state.asked = question; // what the score card names, once the answer is scored
  show("interview");
  $("progress").textContent = question.follow_up
    ? `Follow-up to question ${question.number} of ${question.total}`
    : `Question ${question.number} of ${question.total}`;
  $("caption").textContent = question.text;
  setTranscript("", "");
  $("typed").hidden = !state.typed;
  $("live-box").hidden = state.typed;
  buttons();
  const spoken = first && state.welcome ? `${state.welcome} ${question.spoken}` : question.spoken;
  let said = true;
  try {
    said = await speak(spoken);
  } catch (err) {
    failed(err);
  }
  if (!said || !listen || state.question !== question || state.recording) return;
  await startAnswer();
}

function buttons() {
  const rec = Boolean(state.recording);
  $("answer").disabled = rec || state.typed;
  $("stop").disabled = !rec;
  $("answer").hidden = $("stop").hidden = state.typed; // typed answers: nothing to record
  $("skip").disabled = !state.question;
  $("repeat").disabled = !state.question;
}

function setTranscript(final, partial) {
  const p = $("transcript");
  p.querySelector(".final").textContent = final;
  p.querySelector(".partial").textContent = partial;
}

// --- a spoken answer ------------------------------------------------------------------------

async function openMic() {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
  });
  const ctx = new AudioContext();
  await ctx.audioWorklet.addModule("/static/mic-worklet.js");
  const source = ctx.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(ctx, "mic-pcm");
  const mute = ctx.createGain();
  mute.gain.value = 0;
  source.connect(node).connect(mute).connect(ctx.destination);
  return {
    node,
    close() {
      node.port.onmessage = null;
      stream.getTracks().forEach((t) => t.stop());
      ctx.close();
    },
  };
}

function typedMode(why) {
  state.typed = true;
  $("typed").hidden = false;
  $("live-box").hidden = true;
  $("typed-note").textContent = why;
  buttons();
  $("typed-text").focus();
}

async function startAnswer({ fresh = false } = {}) {
  const question = state.question;
  if (state.recording || !question || question.sent) return;
  if (state.typed) return typedMode($("typed-note").textContent);
  let mic;
  try {
    if (!navigator.mediaDevices || !window.AudioWorkletNode) throw new Error("this browser cannot record");
    mic = await openMic();
  } catch (err) {
    return typedMode(`No microphone (${err.name || err.message}): type your answer instead.`);
  }
  if (state.question !== question || question.sent || state.recording) {
    // Skipped, typed or scored while the microphone opened: record nothing for it.
    mic.close();
    return;
  }
  const kept = state.unsent && state.unsent.turn === question.turn && !fresh ? state.unsent.pending : [];
  state.unsent = null;
  const rec = { mic, pending: kept, ws: null, turn: question.turn, ended: false, tries: 0, fresh };
  state.recording = rec;
  // What the tests and the bench look at: the events, when each came, and when each
  // 100 ms of audio was captured (to time the score card from the end of speech).
  const live = { frames: 0, events: [], times: [], captured: [], samples: 0, cards: [] };
  window.interviewsenseLive = live;
  mic.node.port.onmessage = (e) => {
    live.samples += e.data.pcm.byteLength / 2;
    live.captured.push([performance.now(), live.samples]);
    $("level-meter").value = Math.max(-70, e.data.db);
    if (rec.ended) return;
    rec.pending.push(e.data.pcm);
    flush(rec);
  };
  buttons();
  connect(rec);
}

function flush(rec) {
  if (!rec.ws || rec.ws.readyState !== WebSocket.OPEN || !rec.ready) return;
  while (rec.pending.length) {
    rec.ws.send(rec.pending.shift());
    window.interviewsenseLive.frames += 1;
  }
}

function liveUrl(rec) {
  const q = new URLSearchParams({ user_id: state.userId, turn: String(rec.turn) });
  for (const name of ["silence_s", "max_s"]) if (params.get(name)) q.set(name, params.get(name));
  if (rec.fresh) q.set("fresh", "1");
  if (token()) q.set("token", token());
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/v1/sessions/${encodeURIComponent(state.sessionId)}/live?${q}`;
}

// About a minute of tries (0.5 s, doubling to 4 s apart) before a lost connection is given up.
const RECONNECT_TRIES = 18;

function connect(rec) {
  const ws = new WebSocket(liveUrl(rec));
  rec.ws = rec.ready = null;
  rec.ws = ws;
  rec.fresh = false; // a reconnect resumes what this connection recorded
  ws.binaryType = "arraybuffer";
  ws.onmessage = (e) => onLive(rec, JSON.parse(e.data));
  ws.onclose = () => {
    if (rec.done) return;
    if (rec.scoring) return awaitScored(rec); // lost while the server scores: it goes on
    if (state.recording !== rec) return;
    if (rec.tries++ >= RECONNECT_TRIES) {
      // What the microphone heard while offline is kept here and sent first when this
      // answer goes on (a review: it was dropped, though the page said it was kept).
      if (rec.pending.length) state.unsent = { turn: rec.turn, pending: rec.pending };
      stopMic(rec);
      say("The live connection was lost. Your answer so far is kept; press Answer to go on.");
      return;
    }
    say("The connection was lost; reconnecting (your answer so far is kept)…");
    setTimeout(() => connect(rec), Math.min(4000, 500 * 2 ** rec.tries));
  };
}

function stopMic(rec) {
  rec.ended = true;
  if (!rec.closed) {
    rec.closed = true;
    rec.mic.close();
  }
  $("level-meter").value = -70;
  if (state.recording === rec) state.recording = null;
  buttons();
}

function onLive(rec, msg) {
  window.interviewsenseLive.events.push(msg.type);
  window.interviewsenseLive.times.push([msg.type, performance.now()]);
  if (rec.done) return; // skipped, repeated, or already scored
  if (msg.type === "ready") {
    rec.ready = rec.wasReady = true;
    rec.tries = 0;
    window.interviewsenseLive.resumed_s = msg.resumed_s;
    say(msg.resumed_s > 0 ? `The ${Math.round(msg.resumed_s)} s you had said are kept: go on.` : "");
    flush(rec);
    if (rec.stopOnReady) rec.ws.send(JSON.stringify({ type: "stop" }));
  } else if (msg.type === "transcript") {
    setTranscript(msg.final, msg.partial);
    $("clock").textContent = `${Math.floor(msg.t)} s`;
  } else if (msg.type === "end") {
    stopMic(rec);
    rec.scoring = msg.reason !== "discard";
    say("Scoring your answer…");
  } else if (msg.type === "final") {
    setTranscript(msg.text, "");
    $("transcript").dataset.final = msg.text;
  } else if (msg.type === "provisional") {
    if (msg.turn === rec.turn) provisional(rec, msg.answer);
  } else if (msg.type === "scored") {
    rec.done = true;
    say("");
    scored(msg, rec.provisional);
  } else if (msg.type === "error") {
    // Another connection still records this answer. After this recording was connected, it
    // is most often its own old connection, which the server has not yet seen drop: the
    // socket closes and onclose reconnects. Before, it is another tab or window (a review:
    // the second tab kept its microphone open and said "reconnecting" all through).
    if (msg.busy && !rec.scoring && state.recording === rec) {
      if (rec.wasReady && rec.tries < RECONNECT_TRIES) return;
      if (!rec.wasReady) {
        rec.done = true;
        stopMic(rec);
        say("Another tab or window is recording this answer: finish it there, or close it and press Answer here.");
        return;
      }
    }
    rec.done = true;
    stopMic(rec);
    if (!$("provisional").hidden) show("interview"); // the provisional score is void
    if (msg.status === 409) return recover({ elsewhere: true });
    failed({ message: msg.error, hint: msg.hint });
    // The answer's fault (no speech heard, too short) or a busy server: Answer again, with
    // the microphone. Only the server or the recording failing moves the page to typed
    // answers (a review: one silent answer typed the rest of the session).
    if ((msg.status >= 400 && msg.status < 500) || msg.status === 503) return;
    typedMode("The live answer failed: type your answer instead.");
  }
}

function stopAnswer() {
  const rec = state.recording;
  if (!rec) return;
  if (rec.ws && rec.ws.readyState === WebSocket.OPEN && rec.ready) {
    flush(rec);
    rec.ws.send(JSON.stringify({ type: "stop" }));
  }
  rec.stopOnReady = true; // after the frames recorded so far; again after a reconnect
  stopMic(rec);
}

function dropAnswer() {
  // Skip or repeat: the server drops what it recorded of this answer.
  const rec = state.recording;
  if (!rec) return;
  rec.done = true;
  stopMic(rec);
  if (rec.ws) sendWhenOpen(rec.ws, { type: "discard" });
}

function sendWhenOpen(ws, msg) {
  // A message the server must get even when the socket is still connecting.
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  else if (ws.readyState === WebSocket.CONNECTING) ws.addEventListener("open", () => ws.send(JSON.stringify(msg)));
}

// --- typed answers, skip, repeat ---------------------------------------------------------

async function sendTyped(text) {
  // Whether the server took it; the caller clears the typed answer only then.
  const q = state.question;
  if (!q || q.sent) return false;
  q.sent = true; // answered (or skipped): no recording starts for it from here on
  try {
    const step = await api(`/v1/sessions/${encodeURIComponent(state.sessionId)}/answers?user_id=${state.userId}`, {
      method: "POST", body: { transcript: text, turn: q.turn },
    });
    if (step.skipped) moveOn(step);
    else scored(step);
    return true;
  } catch (err) {
    q.sent = false;
    if (err.status === 409) {
      await recover({ elsewhere: true });
      return false;
    }
    failed(err);
    return false;
  }
}

function moveOn(step) {
  // A skipped question has no score card: on to the next question, or the summary.
  state.question = null;
  state.next = step.next;
  state.done = step.done;
  state.summary = step.summary;
  if (step.done || !step.next) return summary();
  ask(step.next);
}

async function skip() {
  if (!state.question) return;
  hush();
  dropAnswer();
  await sendTyped("");
}

async function repeat() {
  if (!state.question) return;
  const wasRecording = Boolean(state.recording);
  dropAnswer();
  setTranscript("", "");
  let said = true;
  try {
    said = await speak(state.question.spoken);
  } catch (err) {
    failed(err);
  }
  if (!said) return; // skipped, or repeated again, while it was said
  if (wasRecording || !state.typed) await startAnswer({ fresh: true });
}

// --- the score card and the summary --------------------------------------------------------

function scoreText(v) {
  return v === null || v === undefined ? "—" : String(v);
}

function evidence(answer) {
  const items = [];
  const star = (answer.scores.content && answer.scores.content.star) || {};
  for (const [part, found] of Object.entries(star)) {
    if (found.found && found.sentence) items.push([`${part[0].toUpperCase()}${part.slice(1)}: `, found.sentence]);
  }
  const d = answer.scores.delivery || {};
  for (const p of (d.long_pauses || []).slice(0, 3)) {
    items.push([`A ${p.duration.toFixed(1)} s pause at ${p.start.toFixed(1)} s`, p.after ? ` before “${p.after}”` : "", p.start]);
  }
  if (d.fillers && d.fillers.count) items.push([`${d.fillers.count} filler words`, ""]);
  return items.slice(0, 6);
}

function fillScores(ids, a) {
  // The overall score, its band, the three parts and the top feedback lines of an answer.
  $(ids.overall).textContent = String(a.scores.overall);
  const band = $(ids.band);
  band.textContent = a.scores.band;
  band.className = `band ${a.scores.band.replace(/\s+/g, "-")}`;
  $(ids.content).textContent = scoreText(a.scores.content.score);
  const d = a.scores.delivery;
  // As report/data.py delivery_gap: no word times (typed), or too little speech for a pace;
  // its words are the reports', put in the page by the server (serve/page.py).
  const missing = d.score !== null && d.score !== undefined ? d.missing || [] : [];
  const said = document.body.dataset;
  const gap = missing.includes("long_pauses") ? said.untimedDelivery : missing.includes("wpm") ? said.shortDelivery : "";
  const note = Object.assign(document.createElement("small"), { className: "note", textContent: ` (${gap})` });
  $(ids.delivery).replaceChildren(scoreText(d.score), ...(gap ? [note] : []));
  $(ids.voice).textContent = scoreText(a.scores.voice.score);
  // The cap that holds the score under its parts, said as the terminal says it.
  const caps = [...(a.scores.caps || [])].sort((x, y) => x.points - y.points);
  $(ids.cap).hidden = !caps.length;
  $(ids.cap).textContent = caps.length ? `At most ${caps[0].points}: ${caps[0].why}.` : "";
  $(ids.feedback).replaceChildren(...a.feedback.slice(0, 3).map((line) => {
    const li = document.createElement("li");
    li.textContent = line;
    return li;
  }));
}

function provisional(rec, a) {
  // Scored from the live transcript while Whisper's final pass runs: shown at once, marked
  // provisional, with no Next button (the next question comes with the final score).
  rec.provisional = a.scores.overall;
  show("provisional");
  say("");
  fillScores({
    overall: "provisional-overall", band: "provisional-band", content: "provisional-content",
    delivery: "provisional-delivery", voice: "provisional-voice", feedback: "provisional-feedback",
    cap: "provisional-cap",
  }, a);
  $("provisional-note").textContent = "Provisional, from the live transcript: checking the transcript…";
  $("provisional").focus();
  const live = window.interviewsenseLive;
  if (live) {
    live.cards.push({ kind: "provisional", overall: a.scores.overall, note: $("provisional-note").textContent, final_hidden: $("card").hidden });
    requestAnimationFrame(() => { live.provisionalShown = performance.now(); }); // painted
  }
}

async function awaitScored(rec) {
  // The connection dropped after the answer ended: the server scores and records it
  // anyway, so wait for it in the session (never show the provisional score as final).
  say("The connection was lost while your answer was being checked; waiting for the score…");
  for (let i = 0; i < 90 && !rec.done; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    let view;
    try {
      view = await api(`/v1/sessions/${encodeURIComponent(state.sessionId)}?user_id=${state.userId}`);
    } catch {
      continue;
    }
    const turn = view.session.turns.find((t) => t.index === rec.turn);
    if (rec.done) return;
    if (turn && turn.answer) {
      rec.done = true;
      say("");
      return scored({ answer: turn.answer, next: view.question, done: view.status === "complete", summary: view.session.summary }, rec.provisional);
    }
  }
  if (!rec.done) {
    rec.done = true;
    recover().catch(failed); // not scored: the question still waits, its answer kept
  }
}

function scored(step, provisionalScore) {
  const a = step.answer;
  state.answers.push(a);
  state.question = null;
  state.next = step.next;
  state.done = step.done;
  state.summary = step.summary;
  show("card");
  $("card-question").textContent = (step.question && step.question.text) || (state.asked && state.asked.text) || "";
  fillScores({
    overall: "overall", band: "band", content: "content-score",
    delivery: "delivery-score", voice: "voice-score", feedback: "feedback", cap: "cap",
  }, a);
  const check = $("score-check");
  check.hidden = provisionalScore === undefined;
  check.textContent = provisionalScore === undefined ? ""
    : provisionalScore === a.scores.overall
      ? `Checked against the full transcript: the score stays ${a.scores.overall}.`
      : `Checked against the full transcript: the score changed from ${provisionalScore} to ${a.scores.overall}.`;
  const recorded = Boolean(a.audio && a.audio.path);
  $("evidence").replaceChildren(...evidence(a).map(([label, quote, at]) => {
    const li = document.createElement("li");
    li.append(label);
    if (quote) {
      const q = document.createElement("q");
      q.textContent = quote;
      li.append(q);
    }
    if (recorded && at !== undefined) {
      const play = document.createElement("button");
      play.type = "button";
      play.className = "jump";
      play.textContent = `Play from ${Math.max(0, at - 1).toFixed(1)} s`;
      play.onclick = () => playFrom(Math.max(0, at - 1));
      li.append(" ", play);
    }
    return li;
  }));
  const unchecked = (a.scores.content && a.scores.content.unchecked) || "";
  $("unchecked").hidden = !unchecked;
  $("unchecked").textContent = unchecked ? `Not checked: ${unchecked}.` : "";
  loadRecording(recorded ? a.audio.path.split("/").pop() : null);
  $("card-export-box").hidden = !step.done;
  if (step.done) exportLink($("card-export"));
  $("next").textContent = step.done ? "See the summary " : "Next question ";
  $("next").append(Object.assign(document.createElement("kbd"), { textContent: "N" }));
  $("card").focus();
  const live = window.interviewsenseLive;
  if (live) {
    if (live.cards) live.cards.push({ kind: "final", overall: a.scores.overall, check: check.textContent, provisional_hidden: $("provisional").hidden });
    requestAnimationFrame(() => { live.shown = performance.now(); }); // painted
  }
}

async function loadRecording(name) {
  // Fetched with the token (an <audio src> cannot send it), then played from a blob.
  const audio = $("recording");
  if (audio.src.startsWith("blob:")) URL.revokeObjectURL(audio.src);
  audio.removeAttribute("src");
  $("recording-box").hidden = true;
  if (!name) return;
  const headers = token() ? { Authorization: `Bearer ${token()}` } : {};
  const url = `/v1/sessions/${encodeURIComponent(state.sessionId)}/audio/${name}?user_id=${state.userId}`;
  try {
    const resp = await fetch(url, { headers });
    if (!resp.ok) return;
    audio.src = URL.createObjectURL(await resp.blob());
    $("recording-box").hidden = false;
  } catch {
    // the card stands without the recording
  }
}

function playFrom(seconds) {
  const audio = $("recording");
  audio.currentTime = seconds;
  audio.play().catch(() => {});
}

function next() {
  if ($("card").hidden) return;
  if (state.done || !state.next) return summary();
  ask(state.next);
}

function summary() {
  show("summary");
  // Over: nothing left to resume (a review: "Practise again" still offered it). The kept
  // id goes when the page next loads and finds no question waiting (offerResume).
  $("resume").hidden = true;
  const s = state.summary || {};
  const rows = [["Overall", s.overall], ["Content", s.content], ["Delivery", s.delivery], ["Voice", s.voice]];
  $("summary-scores").replaceChildren(...rows.map(([k, v]) => {
    const div = document.createElement("div");
    div.append(Object.assign(document.createElement("dt"), { textContent: k }));
    div.append(Object.assign(document.createElement("dd"), { textContent: scoreText(v) }));
    return div;
  }));
  const assessment = s.assessment || {};
  const parts = [];
  for (const [title, items] of [["Strengths", assessment.strengths], ["To work on", assessment.gaps]]) {
    if (!items || !items.length) continue;
    const list = document.createElement("ul");
    list.replaceChildren(...items.map((t) => Object.assign(document.createElement("li"), { textContent: t })));
    parts.push(Object.assign(document.createElement("h3"), { textContent: title }), list);
  }
  $("assessment").replaceChildren(...parts);
  $("skipped-note").hidden = !s.skipped;
  $("skipped-note").textContent = s.skipped ? `${s.skipped} question${s.skipped === 1 ? "" : "s"} skipped (not in the scores).` : "";
  reportLink($("report"));
  exportLink($("export"));
  $("summary").focus();
}

function reportLink(a) {
  // The HTML report in a new tab. A tab cannot send the server token, so with one the page
  // asks for a short-lived link signed for this report only (POST …/report/link).
  const sid = encodeURIComponent(state.sessionId);
  const query = `format=html&user_id=${state.userId}`;
  a.href = `/v1/sessions/${sid}/report?${query}`;
  a.onclick = async (e) => {
    if (!token()) return; // a plain link: the tab opens it
    e.preventDefault();
    const tab = window.open("", "_blank"); // now, while the click still counts as the user's
    if (tab) tab.opener = null;
    try {
      const link = await api(`/v1/sessions/${sid}/report/link?${query}`, { method: "POST" });
      const url = new URL(link.url, location.href).href;
      if (tab) tab.location.replace(url);
      else location.assign(url); // pop-ups blocked: open it here
    } catch (err) {
      if (tab) tab.close();
      failed(err);
    }
  };
}

function exportLink(a) {
  // "Download my data": the session JSON and the recordings as a zip (docs/web.md).
  const sid = encodeURIComponent(state.sessionId);
  a.href = `/v1/sessions/${sid}/export.zip?user_id=${state.userId}`;
  a.download = `interviewsense-${state.sessionId}.zip`;
  a.onclick = async (e) => {
    if (!token()) return; // a plain link: the browser downloads it
    e.preventDefault(); // a link cannot send the token: fetch it, then save the blob
    try {
      const resp = await fetch(a.href, { headers: { Authorization: `Bearer ${token()}` } });
      if (!resp.ok) throw new Error(`the download failed (HTTP ${resp.status})`);
      const saved = Object.assign(document.createElement("a"), {
        href: URL.createObjectURL(await resp.blob()), download: a.download,
      });
      saved.click();
      setTimeout(() => URL.revokeObjectURL(saved.href), 60_000);
    } catch (err) {
      failed(err);
    }
  };
}

// --- start, resume ------------------------------------------------------------------------

async function start(event) {
  event.preventDefault();
  if (token()) sessionStorage.setItem("interviewsense.token", token());
  state.persona = $("persona").value;
  state.clientTts = $("client-tts").checked;
  const body = {
    user_id: state.userId,
    interview_type: $("type").value,
    persona: state.persona,
    client_tts: state.clientTts,
    role: $("role").value.trim(),
    questions: Number($("questions").value) || 3,
  };
  if ($("level").value) body.level = $("level").value;
  $("start").disabled = true;
  try {
    const started = await api("/v1/sessions/start", { method: "POST", body });
    state.sessionId = started.session_id;
    state.welcome = started.welcome;
    state.answers = [];
    state.typed = false; // a new session tries the microphone again
    localStorage.setItem(KEPT, JSON.stringify({ session_id: state.sessionId, persona: state.persona }));
    await ask(started.question, { first: true });
  } catch (err) {
    failed(err);
  } finally {
    $("start").disabled = false;
  }
}

async function recover({ elsewhere = false, lastCard = false } = {}) {
  // The server has moved on (the answer was scored while the page was away): show where it
  // is. ``elsewhere``: another tab or window answers this session, so this page records
  // nothing on its own. ``lastCard``: a resumed page shows the last scored answer first.
  const view = await api(`/v1/sessions/${encodeURIComponent(state.sessionId)}?user_id=${state.userId}`);
  state.clientTts = view.client_tts;
  state.persona = view.session.persona || state.persona;
  const last = [...view.session.turns].reverse().find((t) => t.answer);
  if (lastCard && last) {
    return scored({ answer: last.answer, question: last.question, next: view.question, done: !view.question, summary: view.session.summary });
  }
  if (view.question) {
    await ask(view.question, { listen: !elsewhere });
    if (elsewhere) {
      // A typed answer not sent stays in the box, but it was for the question before: said,
      // so it is not sent to this one by a click (a review).
      const unsent = state.typed && $("typed-text").value.trim();
      const next = unsent
        ? "Your text was not sent: it is still in the box, written for the question before"
        : state.typed ? "Type your answer to the question now waiting" : "Press Answer when you are ready";
      say(`This session moved on in another tab or window. ${next}.`);
    }
    return;
  }
  state.summary = view.session.summary;
  summary();
}

async function offerResume() {
  const kept = JSON.parse(localStorage.getItem(KEPT) || "null");
  if (!kept) return;
  try {
    const view = await api(`/v1/sessions/${encodeURIComponent(kept.session_id)}?user_id=${state.userId}`);
    // A session started while the server was slow to answer is this page's now: Resume would
    // leave it (a review: a slow server offered Resume over a new interview).
    if (state.sessionId) return;
    if (!view.question) return localStorage.removeItem(KEPT);
    $("resume").hidden = false;
    $("resume").onclick = () => {
      state.sessionId = kept.session_id;
      recover({ lastCard: true }).catch(failed);
    };
  } catch (err) {
    if (state.sessionId) return; // a new session started meanwhile: nothing to offer or say
    // Forgotten only when the server says the session is gone; a token not yet given (a
    // new tab) or a server not running keeps it for later (a review: Resume was lost).
    if (err.status === 404) return localStorage.removeItem(KEPT);
    if (err.status === 401) {
      $("token").addEventListener("change", () => offerResume(), { once: true });
      return;
    }
    failed(err);
  }
}

// --- keys -------------------------------------------------------------------------------------

function onKey(e) {
  const tag = (e.target && e.target.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key.toLowerCase();
  // Enter or Space on a focused button, link or player does what that control does.
  if ((key === "enter" || key === " ") && ["BUTTON", "A", "AUDIO", "SUMMARY"].includes(tag)) return;
  if (key === " " && !$("interview").hidden) {
    e.preventDefault(); // not a click on the focused button too
    if (state.recording) stopAnswer();
    else startAnswer();
  } else if (key === "s" && !$("interview").hidden) skip();
  else if (key === "r" && !$("interview").hidden) repeat();
  else if ((key === "n" || key === "enter") && !$("card").hidden) {
    e.preventDefault();
    next();
  }
}

$("setup-form").addEventListener("submit", start);
$("answer").addEventListener("click", () => startAnswer());
$("stop").addEventListener("click", stopAnswer);
$("skip").addEventListener("click", skip);
$("repeat").addEventListener("click", repeat);
$("next").addEventListener("click", next);
$("again").addEventListener("click", () => {
  show("setup");
  $("start").focus();
});
$("typed").addEventListener("submit", (e) => {
  e.preventDefault();
  const box = $("typed-text");
  const text = box.value.trim();
  if (!text) return say("Type your answer first, or press Skip to leave this question.");
  // Kept in the box until the server has it: a failed send loses nothing (a review).
  sendTyped(text).then((taken) => {
    if (taken && box.value.trim() === text) box.value = "";
  });
});
document.addEventListener("keydown", onKey);
offerResume();
