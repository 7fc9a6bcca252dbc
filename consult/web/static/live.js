/* consult live updates: follows the round on this page over Socket.IO, applies each event once, in order.
 *
 * The server pushes every sequence number of the round (with event: null where this viewer may not see
 * it), so a gap is always noticed. On (re)connect the page asks for what it missed since the last
 * sequence it applied; the same event arriving by push and by replay is applied once. The server's
 * heartbeat names the round's latest sequence, so a lost last push is a gap too. A join the server
 * refuses while busy is retried with back-off; the reader is told (a status line, announced) while live
 * updates are paused and when they stopped. Pages work without this script; it only adds what happens
 * after the page was loaded.
 */
(function (root) {
  "use strict";

  /** Ordered, de-duplicated delivery of one round's events to `apply` (the same rules as consult.live.client). */
  function Sequencer(lastSeq, apply) {
    this.lastSeq = lastSeq;
    this.apply = apply;
    this.pending = new Map();
    this.latest = lastSeq;  // the highest sequence number the server said exists
    this.gapSince = null;
    this.mustReload = false;
  }

  Sequencer.prototype.offer = function (seq, event) {
    if (seq <= this.lastSeq) return;
    this.pending.set(seq, event);
    this.drain();
  };

  /** A heartbeat: the round has reached `seq`; if this page has not, that is a gap to fill. */
  Sequencer.prototype.behind = function (seq) {
    this.latest = Math.max(this.latest, seq);
    this.drain();
  };

  Sequencer.prototype.settle = function (answer) {
    if (answer.reload) { this.mustReload = true; return; }
    var self = this;
    answer.events.forEach(function (event) {
      if (event.seq > self.lastSeq) self.pending.set(event.seq, event);
    });
    Array.from(this.pending.keys()).filter(function (s) { return s <= answer.through; })
      .sort(function (a, b) { return a - b; })
      .forEach(function (seq) {
        var event = self.pending.get(seq);
        self.pending.delete(seq);
        if (seq > self.lastSeq && event) self.apply(event);
        self.lastSeq = Math.max(self.lastSeq, seq);
      });
    this.lastSeq = Math.max(this.lastSeq, answer.through);
    this.drain();
  };

  Sequencer.prototype.drain = function () {
    while (this.pending.has(this.lastSeq + 1)) {
      this.lastSeq += 1;
      var event = this.pending.get(this.lastSeq);
      this.pending.delete(this.lastSeq);
      if (event) this.apply(event);
    }
    var self = this;
    Array.from(this.pending.keys()).forEach(function (s) { if (s <= self.lastSeq) self.pending.delete(s); });
    this.pending.forEach(function (event, s) { self.latest = Math.max(self.latest, s); });
    this.latest = Math.max(this.latest, this.lastSeq);
    var missing = this.pending.size > 0 || this.latest > this.lastSeq;
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

  var sequencer = new Sequencer(Number(main.getAttribute("data-last-seq")) || 0, apply);
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
    socket.timeout(10000).emit("join", { round_id: roundId, last_seq: sequencer.lastSeq }, function (err, answer) {
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
    if (beat.round_id === roundId) sequencer.behind(beat.seq);
  });
  socket.on("event", function (push) {
    if (push.round_id === roundId) sequencer.offer(push.seq, push.event);
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
      socket.emit("catch_up", { round_id: roundId, last_seq: sequencer.lastSeq }, function (answer) {
        if (answer && !answer.error) sequencer.settle(answer);
      });
    }
  }, 1000);
})(typeof window !== "undefined" ? window : globalThis);
