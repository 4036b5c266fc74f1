// Enhancements only: the page reads completely without them.
(function () {
  "use strict";
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var lines = document.querySelectorAll("#" + button.dataset.copy + " .code");
      var text = Array.prototype.map.call(lines, function (l) { return l.textContent; }).join("\n");
      var show = function (ok) {
        button.textContent = ok ? "Copied" : "Copy failed";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(
          function () { show(true); },
          function () { show(fallback(text)); }
        );
      } else {
        show(fallback(text));
      }
    });
  });
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  var toggle = document.querySelector("[data-toggle-all]");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var all = document.querySelectorAll("article.workflow > details");
      var open = toggle.textContent === "Expand all";
      all.forEach(function (d) { d.open = open; });
      toggle.textContent = open ? "Collapse all" : "Expand all";
    });
  }
  // A link to a step inside a collapsed workflow opens it.
  function reveal() {
    if (!location.hash) return;
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var target = document.getElementById(id);
    var details = target && target.closest("details");
    if (details) details.open = true;
  }
  window.addEventListener("hashchange", reveal);
  reveal();
})();
