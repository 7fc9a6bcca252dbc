// Open-loop load for bench/live.py and tests/resilience/test_load.py, with the official socket.io-client.
//
//   node bench/clients.js follow CONFIG   many followers in this one process; prints "ready {...}" once
//                                         all are connected and joined, then, on SIGTERM or when stdin
//                                         closes, one line "report {...}" of every arrival
//   node bench/clients.js post CONFIG     comment POSTs at a fixed rate, each fired at its planned time
//                                         whatever the earlier ones' answers; prints "report {...}"
//
// CONFIG is one JSON object (see bench/live.py). Times are wall-clock milliseconds (Date.now()), the
// clock Python's time.time() reads, so send and receipt times compare across processes.
"use strict";

const { io } = require("socket.io-client");

const [mode, raw] = process.argv.slice(2);
const config = JSON.parse(raw);

// The number a message carries: its comment's body starts with "<marker> <number> ".
function numberOf(message) {
  const body = (((message || {}).event || {}).comment || {}).body || "";
  const words = body.split(" ", 2);
  return words[0] === config.marker ? Number(words[1]) : null;
}

function follow() {
  const started = Date.now();
  const followers = [];
  let pending = config.count;
  let failures = 0;
  let next = 0;
  const joinErrors = [];

  function finish() {
    if (--pending === 0) {
      const joined = followers.filter((f) => f.joined).length;
      console.log("ready " + JSON.stringify({ joined, failures, ms: Date.now() - started,
                                              errors: joinErrors.slice(0, 5) }));
    } else if (next < config.count) {
      start(next++);
    }
  }

  function start(index) {
    const url = config.urls[index % config.urls.length];
    const follower = { arrivals: [], joined: false, lastSeq: -1, outOfOrder: 0 };
    followers.push(follower);
    const socket = io(url, { forceNew: true, transports: ["websocket"], reconnection: false,
                             timeout: 60000, auth: config.tokens ? { token: config.tokens[index % config.tokens.length] } : undefined });
    follower.socket = socket;
    socket.on(config.event, (message) => {
      const number = numberOf(message);
      if (number === null) return;
      const seq = message.seq;
      if (typeof seq === "number") {
        if (seq < follower.lastSeq) follower.outOfOrder++;
        follower.lastSeq = Math.max(seq, follower.lastSeq);
      }
      follower.arrivals.push([number, Date.now()]);
    });
    let settled = false;
    const settle = (ok, error) => {
      if (settled) return;
      settled = true;
      follower.joined = ok;
      if (!ok) {
        failures++;
        if (joinErrors.length < 5) joinErrors.push(String(error));
      }
      finish();
    };
    socket.on("connect", () => {
      socket.timeout(60000).emit("join", config.join, (error, answer) => {
        if (error) settle(false, "join: no answer");
        else if (answer && answer.error) settle(false, "join: " + JSON.stringify(answer.error));
        else settle(true);
      });
    });
    socket.on("connect_error", (error) => settle(false, "connect: " + error.message));
  }

  // A bounded number of connections under way at once, as browsers arriving over a few seconds.
  for (; next < Math.min(config.parallel || 50, config.count); next++) start(next);

  let reported = false;
  function report() {
    if (reported) return;
    reported = true;
    const out = followers.map((f) => ({ joined: f.joined, outOfOrder: f.outOfOrder, arrivals: f.arrivals }));
    process.stdout.write("report " + JSON.stringify(out) + "\n", () => {
      for (const f of followers) f.socket.close();
      process.exit(0);
    });
  }
  // How many messages have arrived so far, for the driver to see when deliveries stop.
  setInterval(() => {
    console.log("got " + followers.reduce((sum, f) => sum + f.arrivals.length, 0));
  }, 200).unref();
  process.on("SIGTERM", report);
  process.stdin.on("end", report);
  process.stdin.resume();
}

async function post() {
  const results = [];
  const body = "x".repeat(config.padding || 0);
  const started = Date.now() + 50;
  const total = Math.round(config.rate * config.seconds);
  const inFlight = [];
  let peak = 0;
  let outstanding = 0;
  for (let number = 0; number < total; number++) {
    const planned = started + (number * 1000) / config.rate;
    const wait = planned - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const writer = number % config.tokens.length;
    const url = config.urls[number % config.urls.length] + config.path;
    const sent = Date.now();
    const record = { number, sent, status: null, ms: null, retryAfter: null };
    results.push(record);
    outstanding++;
    peak = Math.max(peak, outstanding);
    const headers = { "Content-Type": "application/json" };
    if (config.tokens[writer]) headers.Authorization = "Bearer " + config.tokens[writer];
    inFlight.push(fetch(url, { method: "POST", headers, signal: AbortSignal.timeout(config.timeoutMs || 60000),
                               body: JSON.stringify({ section: config.section, body: `${config.marker} ${number} ${body}` }) })
      .then(async (response) => {
        record.status = response.status;
        record.retryAfter = response.headers.get("retry-after");
        await response.arrayBuffer();
      })
      .catch((error) => { record.status = 0; record.error = String(error.name || error); })
      .finally(() => { record.ms = Date.now() - sent; outstanding--; }));
  }
  await Promise.all(inFlight);
  console.log("report " + JSON.stringify({ results, peakInFlight: peak }));
}

if (mode === "follow") follow();
else if (mode === "post") post();
else { console.error("usage: node bench/clients.js follow|post CONFIG"); process.exit(2); }
