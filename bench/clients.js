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
//
// Order is counted as consult's page counts it: a push of consult's names its audience and its number in
// that audience, and goes through the page's own Sequencer (consult/web/static/live.js), which applies each
// audience's events in their order, holding back one that arrives before its predecessor. A comment is
// received when the Sequencer applies it (its latency includes any wait for an earlier one); out of order
// is an event applied after a later one of its audience (never, if the Sequencer and the numbers hold);
// reordered counts arrivals on the wire before an earlier number of their audience (several processes
// publishing through Redis), which the page put right; a number of an audience pushed twice counts as a
// duplicate, though the page would drop it. Without a catch-up here, a gap that never fills
// leaves the rest of that audience unapplied: a lost push counts loudly, with all that follows it.
// The bare server's messages carry no audience: they are taken in the order they arrive, as before.
"use strict";

const http = require("node:http");
const { io } = require("socket.io-client");
const { Sequencer } = require("../consult/web/static/live.js");

const [mode, raw] = process.argv.slice(2);
const config = JSON.parse(raw);

// The number an event carries: its comment's body starts with "<marker> <number> ".
function numberOf(event) {
  const body = ((event || {}).comment || {}).body || "";
  const words = body.split(" ", 2);
  return words[0] === config.marker ? Number(words[1]) : null;
}

// The error codes worth trying again, and the wait before attempt n: as in consult/web/static/live.js.
const RETRYABLE = { unavailable: true, server_error: true, timeout: true };
function backoff(attempt) {
  return Math.round(Math.min(500 * 2 ** attempt, 30000) * (0.75 + 0.5 * Math.random()));
}

function follow() {
  const started = Date.now();
  const followers = [];
  let pending = config.count;
  let failures = 0;
  let retries = 0;
  let next = 0;
  const joinErrors = [];

  function finish() {
    if (--pending === 0) {
      const joined = followers.filter((f) => f.joined).length;
      console.log("ready " + JSON.stringify({ joined, failures, retries, ms: Date.now() - started,
                                              errors: joinErrors.slice(0, 5) }));
    } else if (next < config.count) {
      start(next++);
    }
  }

  function start(index) {
    const url = config.urls[index % config.urls.length];
    const follower = { arrivals: [], joined: false, lastSeq: -1, outOfOrder: 0, reordered: 0, applied: {}, wire: {},
                       pushed: new Set(), pushedTwice: 0 };
    // consult's pushes, in each audience's order as the page applies them (see the top of this file).
    follower.sequencer = new Sequencer({}, (event) => {
      const last = follower.applied[event.audience];
      if (last !== undefined && event.seq <= last) follower.outOfOrder++;
      follower.applied[event.audience] = Math.max(event.seq, last === undefined ? 0 : last);
      const number = numberOf(event);
      if (number !== null) follower.arrivals.push([number, Date.now()]);
    });
    followers.push(follower);
    const options = { forceNew: true, transports: ["websocket"], reconnection: false, timeout: 60000 };
    if (config.tokens) options.auth = { token: config.tokens[index % config.tokens.length] };
    // Behind a proxy that keeps each client address on one backend, followers come from several addresses.
    if (config.localAddresses) options.localAddress = config.localAddresses[index % config.localAddresses.length];
    const socket = io(url, options);
    follower.socket = socket;
    socket.on(config.event, (message) => {
      const seq = message.seq;
      if (typeof message.audience === "string" && typeof seq === "number") {
        const key = message.audience + ":" + seq;
        if (follower.pushed.has(key)) follower.pushedTwice++;  // the page would drop it; the server sent it twice
        follower.pushed.add(key);
        const before = follower.wire[message.audience] || 0;
        if (seq < before) follower.reordered++;
        follower.wire[message.audience] = Math.max(seq, before);
        follower.sequencer.offer(message.audience, seq, message.event);
        return;
      }
      const number = numberOf(message.event);  // the bare server's: in the order it arrives
      if (number === null) return;
      if (typeof seq === "number") {
        if (seq < follower.lastSeq) follower.outOfOrder++;
        follower.lastSeq = Math.max(seq, follower.lastSeq);
      }
      follower.arrivals.push([number, Date.now()]);
    });
    let settled = false;
    let attempt = 0;
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
    // Refused while the server is busy: try again with back-off, as consult's live.js does.
    const retry = (error, again) => {
      if (++attempt > (config.attempts || 8)) return settle(false, error);
      retries++;
      setTimeout(again, backoff(attempt - 1));
    };
    const join = () => {
      socket.timeout(30000).emit("join", config.join, (error, answer) => {
        if (error) retry("join: no answer", join);
        else if (answer && answer.error && RETRYABLE[answer.error.code]) retry("join: " + answer.error.code, join);
        else if (answer && answer.error) settle(false, "join: " + JSON.stringify(answer.error));
        else {
          if (answer && answer.heads) follower.sequencer.settle(answer);  // consult's: what the join replayed
          settle(true);
        }
      });
    };
    socket.on("connect", join);
    socket.on("connect_error", (error) => {
      const code = ((error.data || {}).error || {}).code;
      if (code === undefined || RETRYABLE[code]) retry("connect: " + error.message, () => socket.connect());
      else settle(false, "connect: " + error.message);
    });
  }

  // A bounded number of connections under way at once, as browsers arriving over a few seconds.
  for (; next < Math.min(config.parallel || 50, config.count); next++) start(next);

  let reported = false;
  function report() {
    if (reported) return;
    reported = true;
    const out = followers.map((f) => ({ joined: f.joined, outOfOrder: f.outOfOrder, reordered: f.reordered,
                                        pushedTwice: f.pushedTwice,
                                        arrivals: f.arrivals }));
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

// One POST, answered or not: resolves with the record of its status, time and Retry-After.
function send(url, agent, token, payload, timeoutMs) {
  return new Promise((resolve) => {
    const record = { status: null, retryAfter: null };
    const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) };
    if (token) headers.Authorization = "Bearer " + token;
    const request = http.request(url, { method: "POST", agent, headers, timeout: timeoutMs }, (response) => {
      record.status = response.statusCode;
      record.retryAfter = response.headers["retry-after"] || null;
      response.resume();
      response.on("end", () => resolve(record));
      response.on("error", () => resolve(record));
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", (error) => { record.status = record.status || 0; record.error = error.message; resolve(record); });
    request.end(payload);
  });
}

async function post() {
  const results = [];
  const padding = "x".repeat(config.padding || 0);
  const writers = config.tokens.map((token, index) => ({
    token,
    agent: new http.Agent({ keepAlive: true, localAddress: config.localAddresses
      ? config.localAddresses[index % config.localAddresses.length] : undefined }),
  }));
  const started = Date.now() + 50;
  const total = Math.round(config.rate * config.seconds);
  const inFlight = [];
  let peak = 0;
  let outstanding = 0;
  for (let number = 0; number < total; number++) {
    const planned = started + (number * 1000) / config.rate;
    const wait = planned - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const writer = writers[number % writers.length];
    const url = config.urls[number % config.urls.length] + config.path;
    const payload = JSON.stringify({ section: config.section, body: `${config.marker} ${number} ${padding}` });
    const sent = Date.now();
    outstanding++;
    peak = Math.max(peak, outstanding);
    inFlight.push(send(url, writer.agent, writer.token, payload, config.timeoutMs || 60000).then((record) => {
      outstanding--;
      results.push({ number, sent, ms: Date.now() - sent, ...record });
    }));
  }
  await Promise.all(inFlight);
  for (const writer of writers) writer.agent.destroy();
  console.log("report " + JSON.stringify({ results, peakInFlight: peak }));
}

if (mode === "follow") follow();
else if (mode === "post") post();
else { console.error("usage: node bench/clients.js follow|post CONFIG"); process.exit(2); }
