/* consult live updates: follows the round on this page over Socket.IO, applies each event once, in order.
 *
 * The server pushes every sequence number of the round (with event: null where this viewer may not see
 * it), so a gap is always noticed. On (re)connect the page asks for what it missed since the last
 * sequence it applied; the same event arriving by push and by replay is applied once. Pages work without
 * this script; it only adds what happens after the page was loaded.
 */
(function (root) {
  "use strict";

  /** Ordered, de-duplicated delivery of one round's events to `apply` (the same rules as consult.live.client). */
  function Sequencer(lastSeq, apply) {
    this.lastSeq = lastSeq;
    this.apply = apply;
    this.pending = new Map();
    this.gapSince = null;
    this.mustReload = false;
  }

  Sequencer.prototype.offer = function (seq, event) {
    if (seq <= this.lastSeq) return;
    this.pending.set(seq, event);
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
    this.gapSince = this.pending.size ? (this.gapSince || Date.now()) : null;
  };

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { Sequencer: Sequencer };
    return;
  }

  // ---- In the browser -------------------------------------------------------------------------------
  var main = document.querySelector("[data-live-round]");
  if (!main || typeof root.io !== "function") return;
  var roundId = Number(main.getAttribute("data-live-round"));
  var announcer = document.getElementById("live-announcer");
  var presence = document.getElementById("presence");
  var labels = JSON.parse(document.getElementById("live-labels").textContent);

  function say(text) {
    if (!announcer) return;
    announcer.textContent = "";
    root.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function showComment(comment) {
    if (document.getElementById("comment-" + comment.id)) return;  // already on the page (posted here)
    var list = document.querySelector('[data-thread="' + comment.section + ":" + comment.channel + '"]');
    if (!list) return;
    var item = document.createElement("li");
    item.id = "comment-" + comment.id;
    item.className = "comment depth-0 fresh";
    var meta = document.createElement("p");
    meta.className = "meta";
    var author = document.createElement("strong");
    author.className = "author";
    author.textContent = comment.author.name;
    meta.appendChild(author);
    meta.appendChild(document.createTextNode(" · " + comment.author.constituency));
    item.appendChild(meta);
    var body = document.createElement("div");
    body.className = "body";
    body.innerHTML = comment.body_html || "";  // sanitised by the server (nh3) when it was posted
    item.appendChild(body);
    list.appendChild(item);
    say(labels.new_comment.replace("{author}", comment.author.name).replace("{section}", comment.section));
  }

  function apply(event) {
    if (event.type === "comment.posted" && event.comment) showComment(event.comment);
    else if (event.type === "stage.entered") say(labels.stage.replace("{stage}", event.payload.title));
    document.dispatchEvent(new CustomEvent("consult:event", { detail: event }));
  }

  var sequencer = new Sequencer(Number(main.getAttribute("data-last-seq")) || 0, apply);
  var socket = root.io({ transports: ["websocket", "polling"] });

  function join() {
    socket.emit("join", { round_id: roundId, last_seq: sequencer.lastSeq }, function (answer) {
      if (answer && answer.error) return;
      sequencer.settle(answer);
      if (sequencer.mustReload) {
        var banner = document.getElementById("live-reload");
        if (banner) banner.hidden = false;
      }
    });
  }

  socket.on("connect", join);
  socket.on("event", function (push) {
    if (push.round_id === roundId) sequencer.offer(push.seq, push.event);
  });
  socket.on("presence", function (message) {
    if (message.round_id !== roundId || !presence) return;
    var parts = Object.keys(message.counts).sort().map(function (k) { return k + " " + message.counts[k]; });
    presence.textContent = parts.join(" · ");
  });
  root.setInterval(function () {
    if (sequencer.gapSince && Date.now() - sequencer.gapSince > 1000 && socket.connected) {
      socket.emit("catch_up", { round_id: roundId, last_seq: sequencer.lastSeq }, function (answer) {
        if (answer && !answer.error) sequencer.settle(answer);
      });
    }
  }, 1000);
})(typeof window !== "undefined" ? window : globalThis);
