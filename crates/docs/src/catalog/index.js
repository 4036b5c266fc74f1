// Search and filters for the catalog's index: everything happens in the page, offline.
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var q = document.getElementById("q");
  var provider = document.getElementById("provider");
  var tag = document.getElementById("tag");
  var shown = document.getElementById("shown");
  var none = document.getElementById("no-match");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#catalog tbody tr"));
  var workflows = rows.filter(function (row) { return row.classList.contains("workflow"); }).length;
  document.documentElement.classList.add("js");
  form.hidden = false;

  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var p = provider.value;
    var t = tag.value;
    var count = 0;
    var any = false;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-text");
      var ok = has(row.getAttribute("data-providers"), p) &&
        has(row.getAttribute("data-tags"), t) &&
        words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      any = any || ok;
      if (ok && row.classList.contains("workflow")) count += 1;
    });
    shown.textContent = count + " of " + workflows + " workflows shown";
    none.hidden = any;
  }

  // Whether a `|`-separated list holds the value (any list does when no value is chosen).
  function has(list, value) {
    return !value || ("|" + list + "|").indexOf("|" + value + "|") >= 0;
  }

  function choose(select, value) {
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === value) { select.selectedIndex = i; return; }
    }
  }

  var preset = new URLSearchParams(location.search || location.hash.slice(1));
  if (preset.get("q")) q.value = preset.get("q");
  if (preset.get("provider")) choose(provider, preset.get("provider"));
  if (preset.get("tag")) choose(tag, preset.get("tag"));

  q.addEventListener("input", apply);
  provider.addEventListener("change", apply);
  tag.addEventListener("change", apply);
  document.getElementById("catalog").addEventListener("click", function (event) {
    var chip = event.target.closest("button[data-tag]");
    if (!chip) return;
    choose(tag, chip.getAttribute("data-tag"));
    apply();
  });
  apply();
})();
