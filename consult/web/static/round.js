/* The round page's thread tabs: switch to a thread already on the page without a reload.
 * Without this script (or for a thread the page has not loaded) the tabs are plain links: the server shows
 * the chosen thread.
 * And a comment that live.js has just put on the page in brief is replaced by the server's own rendering of
 * it (the page's template, through the same policy: organisation, time, buttons); if the fetch fails the
 * brief one stays, and a reload shows it in full. */
(function () {
  "use strict";
  document.querySelectorAll("nav.tabs a[data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function (event) {
      var key = tab.getAttribute("data-tab");
      var section = key.split(":")[0];
      var panel = document.querySelector('[data-panel="' + key + '"]');
      if (!panel || panel.getAttribute("data-loaded") === "false") return;  // not on the page: the link loads it
      event.preventDefault();
      document.querySelectorAll('[data-panel^="' + section + ':"]').forEach(function (other) {
        other.hidden = other !== panel;
      });
      tab.parentNode.querySelectorAll("a[data-tab]").forEach(function (other) {
        if (other === tab) other.setAttribute("aria-current", "page");
        else other.removeAttribute("aria-current");
      });
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", tab.href);
    });
  });
})();
(function () {
  "use strict";
  var live = document.querySelector("[data-live-round]");
  if (!live || typeof window.fetch !== "function") return;
  var roundId = live.getAttribute("data-live-round");
  document.addEventListener("consult:event", function (event) {
    var pushed = event.detail;
    if (!pushed || pushed.type !== "comment.posted" || !pushed.comment) return;
    var item = document.getElementById("comment-" + pushed.comment.id);
    if (!item || !item.classList.contains("fresh")) return;  // not shown here, or already the page's own
    var depth = Number(item.getAttribute("data-depth")) || 0;
    window.fetch("/rounds/" + roundId + "/comments/" + pushed.comment.id + "/fragment?depth=" + depth,
                 { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || !item.parentNode) return;
        var holder = document.createElement("ol");
        holder.innerHTML = html;  // the server's template, rendered for this viewer
        var full = holder.querySelector("li.comment");
        if (!full) return;
        full.classList.add("fresh");
        item.parentNode.replaceChild(full, item);
      })
      .catch(function () {});
  });
})();
