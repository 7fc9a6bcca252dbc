/* consult live updates: follows the round on this page over Socket.IO, applies each event once, in order.
 *
 * Each event comes numbered within its audience (the plenary's, one caucus's, the secretariat's), and only
 * to those who see that audience: nobody can count what they may not see. The page keeps one number per
 * audience (its cursor), so a gap in what it sees is always noticed. On (re)connect the page asks for what
 * it missed past its cursor; the same event arriving by push and by replay is applied once. The server's
 * heartbeat names each audience's latest number, so a lost last push is a gap too. A join the server
 * refuses while busy is retried with back-off; the reader is told (a status line, announced) while live
 * updates are paused and when they stopped. Pages work without this script; it only adds what happens
 * after the page was loaded.
 */
(function (root) {
  "use strict";

  /** Ordered, de-duplicated delivery of one round's events to `apply` (the same rules as consult.live.client):
   * `cursor` is {audience: the last number held}. */
  function Sequencer(cursor, apply) {
    this.apply = apply;
    this.streams = {};
    this.gapSince = null;
    this.mustReload = false;
    var self = this;
    Object.keys(cursor || {}).forEach(function (audience) { self.stream(audience, Number(cursor[audience]) || 0); });
  }

  /** One audience's state: the last number applied, what arrived early, the latest number announced. */
  Sequencer.prototype.stream = function (audience, last) {
    if (!Object.prototype.hasOwnProperty.call(this.streams, audience)) {
      this.streams[audience] = { last: last || 0, latest: last || 0, pending: new Map() };
    }
    return this.streams[audience];
  };

  /** What a join or a catch-up says is held: each audience's last number applied. */
  Sequencer.prototype.cursor = function () {
    var streams = this.streams, held = {};
    Object.keys(streams).forEach(function (audience) { held[audience] = streams[audience].last; });
    return held;
  };

  Sequencer.prototype.offer = function (audience, seq, event) {
    var stream = this.stream(audience);
    if (seq > stream.last) stream.pending.set(seq, event);
    this.drain();
  };

  /** A heartbeat: each audience has reached its number; where this page has not, that is a gap to fill. */
  Sequencer.prototype.behind = function (heads) {
    var self = this;
    Object.keys(heads || {}).forEach(function (audience) {
      var stream = self.stream(audience);
      stream.latest = Math.max(stream.latest, heads[audience]);
    });
    this.drain();
  };

  /** A replay: its events in the log's order, then everything up to `heads` is held. */
  Sequencer.prototype.settle = function (answer) {
    if (answer.reload) { this.mustReload = true; return; }
    var self = this;
    answer.events.forEach(function (event) {
      var stream = self.stream(event.audience);
      if (event.seq > stream.last) stream.pending.set(event.seq, event);
      self.drain();
    });
    Object.keys(answer.heads || {}).forEach(function (audience) {
      var stream = self.stream(audience), head = answer.heads[audience];
      Array.from(stream.pending.keys()).filter(function (s) { return s <= head; })
        .sort(function (a, b) { return a - b; })
        .forEach(function (seq) {
          var event = stream.pending.get(seq);
          stream.pending.delete(seq);
          if (seq > stream.last) { self.apply(event); stream.last = seq; }
        });
      stream.last = Math.max(stream.last, head);
    });
    this.drain();
  };

  Sequencer.prototype.drain = function () {
    var self = this, missing = false;
    Object.keys(this.streams).forEach(function (audience) {
      var stream = self.streams[audience];
      while (stream.pending.has(stream.last + 1)) {
        stream.last += 1;
        var event = stream.pending.get(stream.last);
        stream.pending.delete(stream.last);
        self.apply(event);
      }
      Array.from(stream.pending.keys()).forEach(function (s) { if (s <= stream.last) stream.pending.delete(s); });
      stream.pending.forEach(function (event, s) { stream.latest = Math.max(stream.latest, s); });
      stream.latest = Math.max(stream.latest, stream.last);
      missing = missing || stream.pending.size > 0 || stream.latest > stream.last;
    });
    this.gapSince = missing ? (this.gapSince || Date.now()) : null;
  };

  /** Error codes worth trying again (the server is busy or broke for a moment). */
  var RETRYABLE = { unavailable: true, server_error: true, timeout: true };

  /** Milliseconds before join attempt `attempt` (0, 1, ...): 0.5 s doubling to 30 s, with jitter. */
  function backoff(attempt, random) {
    var base = Math.min(500 * Math.pow(2, attempt), 30000);
    return Math.round(base * (0.75 + 0.5 * (random === undefined ? Math.random() : random)));
  }

  /** "{author} said" with {author} filled in; unknown names stay as they are. */
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  /** A reaction tally as the page writes it: "Agree: workers 2, employers 1 · Question: government 1". */
  function tallyText(tally, kinds, names) {
    return Object.keys(tally || {}).map(function (kind) {
      var by = tally[kind];
      var parts = Object.keys(by).map(function (constituency) {
        return named(names, constituency) + " " + by[constituency];
      });
      return ((kinds && kinds[kind]) || kind) + ": " + parts.join(", ");
    }).join(" · ");
  }

  /** Presence by constituency: "employers 1 · workers 2", each constituency named in the page's language. */
  function presenceText(counts, names) {
    return Object.keys(counts || {}).sort().map(function (k) { return named(names, k) + " " + counts[k]; }).join(" · ");
  }

  /** An author's name; a pseudonym pushed in English ("Worker representative 3") in the page's language. */
  function authorName(author) {
    var name = String((author && author.name) || "");
    if (author && author.id == null) {
      var numbered = /^Worker representative (\d+)$/.exec(name);
      if (numbered && labels.pseudonym) return fill(labels.pseudonym, { number: numbered[1] });
      if (name === "Worker representative" && labels.pseudonym_plain) return labels.pseudonym_plain;
      if (author.organisation && name === "A representative of " + author.organisation && labels.representative_of) {
        return fill(labels.representative_of, { organisation: author.organisation });
      }
    }
    return name;
  }

  /** A code's name in the page's language (constituencies, sections, stages), or the code itself. */
  function named(names, key) {
    return (names && Object.prototype.hasOwnProperty.call(names, key)) ? names[key] : key;
  }

  var DEFAULT_LABELS = {
    new_comment: "New comment by {author} on {section}",
    new_reply: "New reply by {author} on {section}",
    edited: "{author} edited a comment on {section}",
    hidden: "The secretariat hid a comment on {section}",
    hidden_tombstone: "Hidden by the secretariat",
    reacted: "Reactions changed on a comment on {section}",
    presence: "Here now: {counts}",
    stage: "The round entered the {stage} stage",
    edited_mark: "Edited",
    live_retrying: "Live updates paused: trying to reconnect",
    live_failed: "Live updates stopped: reload the page to see what is new",
    live_back: "Live updates resumed",
    kinds: { agree: "Agree", disagree: "Disagree", question: "Question" }
  };

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { Sequencer: Sequencer, fill: fill, tallyText: tallyText, presenceText: presenceText,
                       DEFAULT_LABELS: DEFAULT_LABELS, backoff: backoff, RETRYABLE: RETRYABLE };
    return;
  }

  // ---- In the browser -------------------------------------------------------------------------------
  var main = document.querySelector("[data-live-round]");
  if (!main || typeof root.io !== "function") return;
  var roundId = Number(main.getAttribute("data-live-round"));
  var announcer = document.getElementById("live-announcer");
  var presence = document.getElementById("presence");
  var status = document.getElementById("live-status");

  /** The page's translated labels (#live-labels, then #live-labels-page), over English defaults; both optional. */
  function readLabels() {
    var labels = {};
    Object.keys(DEFAULT_LABELS).forEach(function (k) { labels[k] = DEFAULT_LABELS[k]; });
    ["live-labels", "live-labels-page"].forEach(function (id) {
      var element = document.getElementById(id);
      if (!element) return;
      try {
        var found = JSON.parse(element.textContent);
        Object.keys(found).forEach(function (k) { labels[k] = found[k]; });
      } catch (ignored) { /* a broken label block leaves the defaults */ }
    });
    return labels;
  }
  var labels = readLabels();

  function say(text) {
    if (!announcer || !text) return;
    announcer.textContent = "";
    root.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function depthOf(item) { return Number(item.getAttribute("data-depth")) || 0; }

  function newItem(comment, depth) {
    var item = document.createElement("li");
    item.id = "comment-" + comment.id;
    item.setAttribute("data-depth", String(depth));
    item.className = "comment depth-" + depth + (comment.parent_id ? " reply" : "") + " fresh";
    var meta = document.createElement("p");
    meta.className = "meta";
    var author = document.createElement("strong");
    author.className = "author";
    author.textContent = authorName(comment.author);
    meta.appendChild(author);
    meta.appendChild(document.createTextNode(" · " + named(labels.constituencies, comment.author.constituency)));
    item.appendChild(meta);
    var body = document.createElement("div");
    body.className = "body";
    body.innerHTML = comment.body_html || "";  // sanitised by the server (nh3) when it was posted
    item.appendChild(body);
    var tally = document.createElement("p");
    tally.className = "reactions";
    tally.setAttribute("data-reactions", String(comment.id));
    tally.hidden = true;
    item.appendChild(tally);
    return item;
  }

  function showComment(comment) {
    if (document.getElementById("comment-" + comment.id)) return;  // already on the page (posted here)
    var values = { author: authorName(comment.author), section: named(labels.sections, comment.section) };
    var parent = comment.parent_id ? document.getElementById("comment-" + comment.parent_id) : null;
    if (parent) {
      // After the parent's last reply: the thread is flat, each item knows its depth.
      var depth = Math.min(depthOf(parent) + 1, 3);
      var after = parent;
      while (after.nextElementSibling && depthOf(after.nextElementSibling) > depthOf(parent)) {
        after = after.nextElementSibling;
      }
      after.parentNode.insertBefore(newItem(comment, depth), after.nextSibling);
      say(fill(labels.new_reply, values));
      return;
    }
    if (comment.parent_id) return;  // a reply to a comment this page does not show
    var list = document.querySelector('[data-thread="' + comment.section + ":" + comment.channel + '"]');
    if (!list || list.getAttribute("data-latest") === "false") return;  // a page of older comments
    list.appendChild(newItem(comment, 0));
    var empty = list.parentNode.querySelector(".empty");  // "No comments yet." goes with the first comment
    if (empty) empty.hidden = true;
    say(fill(labels.new_comment, values));
  }

  function showEdit(comment) {
    var item = document.getElementById("comment-" + comment.id);
    var body = item && item.querySelector(".body");
    if (!body || comment.body_html == null) return;
    body.innerHTML = comment.body_html;  // sanitised by the server
    var mark = item.querySelector(".edited");
    if (!mark) {
      mark = document.createElement("p");
      mark.className = "edited";
      body.parentNode.insertBefore(mark, body.nextSibling);
    }
    mark.textContent = labels.edited_mark;
    say(fill(labels.edited, { author: authorName(comment.author), section: named(labels.sections, comment.section) }));
  }

  function showHidden(event) {
    var comment = event.comment;
    var item = comment && document.getElementById("comment-" + comment.id);
    if (!item) return;
    var reason = event.payload.reason || comment.hidden_reason || "";
    var tombstone = document.createElement("p");
    tombstone.className = "tombstone";
    tombstone.textContent = labels.hidden_tombstone + (reason ? ": " + reason : "");
    var body = item.querySelector(".body");
    if (comment.body_html == null && body) {
      body.parentNode.replaceChild(tombstone, body);  // the text is withheld from this viewer now
      Array.prototype.forEach.call(item.querySelectorAll(".edited, .history"), function (e) { e.remove(); });
    } else if (body) {
      body.parentNode.insertBefore(tombstone, body.nextSibling);
    }
    var actions = item.querySelector(".actions");
    if (actions) actions.remove();
    say(fill(labels.hidden, { section: named(labels.sections, comment.section) }));
  }

  function showTally(event) {
    var tally = document.querySelector('[data-reactions="' + event.payload.comment_id + '"]');
    if (!tally) return;
    var text = tallyText(event.payload.tally, labels.kinds, labels.constituencies);
    tally.textContent = text;
    tally.hidden = !text;
    say(fill(labels.reacted, { section: event.comment ? named(labels.sections, event.comment.section) : "" }));
  }

  function apply(event) {
    if (event.type === "comment.posted" && event.comment) showComment(event.comment);
    else if (event.type === "comment.edited" && event.comment) showEdit(event.comment);
    else if (event.type === "comment.hidden") showHidden(event);
    else if (event.type === "comment.reacted") showTally(event);
    else if (event.type === "stage.entered") say(fill(labels.stage, { stage: named(labels.stages, event.payload.stage) === event.payload.stage
      ? event.payload.title : named(labels.stages, event.payload.stage) }));
    document.dispatchEvent(new CustomEvent("consult:event", { detail: event }));
  }

  function pageCursor() {
    try { return JSON.parse(main.getAttribute("data-cursor") || "{}"); } catch (ignored) { return {}; }
  }
  var sequencer = new Sequencer(pageCursor(), apply);
  var socket = root.io({ transports: ["websocket", "polling"] });

  /** The status line: shown (and announced) while live updates are paused or stopped, hidden when live. */
  var paused = false;
  function showStatus(text) {
    if (status) {
      status.textContent = text || "";
      status.hidden = !text;
    }
    if (text) say(text);
    else if (paused) say(labels.live_back);
    paused = Boolean(text);
  }

  var MAX_JOIN_ATTEMPTS = 8;
  var joinAttempt = 0;
  var joinTimer = null;

  function join() {
    if (joinTimer) { root.clearTimeout(joinTimer); joinTimer = null; }
    socket.timeout(10000).emit("join", { round_id: roundId, cursor: sequencer.cursor() }, function (err, answer) {
      var code = err ? "timeout" : (answer && answer.error ? answer.error.code : null);
      if (!err && !answer) code = "server_error";
      if (code) {
        joinAttempt += 1;
        if (!RETRYABLE[code] || joinAttempt >= MAX_JOIN_ATTEMPTS) { showStatus(labels.live_failed); return; }
        showStatus(labels.live_retrying);
        joinTimer = root.setTimeout(function () { if (socket.connected) join(); }, backoff(joinAttempt - 1));
        return;
      }
      joinAttempt = 0;
      showStatus("");
      sequencer.settle(answer);
      if (sequencer.mustReload) {
        var banner = document.getElementById("live-reload");
        if (banner) banner.hidden = false;
      }
    });
  }

  socket.on("connect", function () { joinAttempt = 0; join(); });
  socket.on("disconnect", function () { showStatus(labels.live_retrying); });
  socket.on("connect_error", function () { showStatus(labels.live_retrying); });
  socket.on("heartbeat", function (beat) {
    if (beat.round_id === roundId) sequencer.behind(beat.heads);
  });
  socket.on("event", function (push) {
    if (push.round_id === roundId) sequencer.offer(push.audience, push.seq, push.event);
  });
  socket.on("presence", function (message) {
    if (message.round_id !== roundId || !presence) return;
    var text = presenceText(message.counts, labels.constituencies);
    if (text === presence.textContent) return;
    presence.textContent = text;
    say(fill(labels.presence, { counts: text }));
  });
  root.setInterval(function () {
    if (sequencer.gapSince && Date.now() - sequencer.gapSince > 1000 && socket.connected) {
      socket.emit("catch_up", { round_id: roundId, cursor: sequencer.cursor() }, function (answer) {
        if (answer && !answer.error) sequencer.settle(answer);
      });
    }
  }, 1000);
})(typeof window !== "undefined" ? window : globalThis);
