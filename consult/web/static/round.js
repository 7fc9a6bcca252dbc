/* The round page's thread tabs: switch to a thread already on the page without a reload.
 * Without this script (or for a thread the page has not loaded) the tabs are plain links: the server shows
 * the chosen thread. */
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
