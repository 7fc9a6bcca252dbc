/* The round page's thread tabs: switch between a section's plenary and caucus threads without a reload.
 * Without this script the tabs are plain links and the server shows the chosen thread. */
(function () {
  "use strict";
  document.querySelectorAll("nav.tabs a[data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function (event) {
      var key = tab.getAttribute("data-tab");
      var section = key.split(":")[0];
      var panel = document.querySelector('[data-panel="' + key + '"]');
      if (!panel) return;
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
