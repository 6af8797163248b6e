/* qbank review page: pictures from the inlined map, filters by flag and source, search. */
(function () {
  "use strict";
  var media = {};
  try {
    media = JSON.parse(document.getElementById("qb-media").textContent || "{}");
  } catch (e) { media = {}; }
  Array.prototype.forEach.call(document.querySelectorAll("img[data-media]"), function (img) {
    var uri = media[img.getAttribute("data-media")];
    if (uri) { img.src = uri; }
  });

  var flagSelect = document.getElementById("flag-filter");
  var sourceSelect = document.getElementById("source-filter");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var nothing = document.getElementById("nothing");
  var none = flagSelect.getAttribute("data-none");
  var questions = Array.prototype.map.call(document.querySelectorAll("article.question"), function (el) {
    var flags = [], sources = [];
    try { flags = JSON.parse(el.getAttribute("data-flags") || "[]"); } catch (e) { flags = []; }
    try { sources = JSON.parse(el.getAttribute("data-sources") || "[]"); } catch (e) { sources = []; }
    return { el: el, flags: flags, sources: sources, text: null };
  });

  function fold(text) {
    text = String(text);
    if (text.normalize) { text = text.normalize("NFKC"); }
    return text.toLowerCase();
  }

  function apply() {
    var flag = flagSelect.value, source = sourceSelect.value;
    var terms = fold(search.value).split(/\s+/).filter(Boolean);
    var count = 0;
    questions.forEach(function (q) {
      var ok = !flag || (flag === none ? q.flags.length === 0 : q.flags.indexOf(flag) >= 0);
      ok = ok && (!source || q.sources.indexOf(source) >= 0);
      if (ok && terms.length) {
        if (q.text === null) { q.text = fold(q.el.textContent); }
        ok = terms.every(function (t) { return q.text.indexOf(t) >= 0; });
      }
      q.el.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
    nothing.hidden = count > 0;
  }

  function choose(select, value) {
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === value) { select.value = value; return true; }
    }
    return false;
  }

  function reset() {
    flagSelect.value = ""; sourceSelect.value = ""; search.value = "";
    apply();
  }

  document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); });
  flagSelect.addEventListener("change", apply);
  sourceSelect.addEventListener("change", apply);
  search.addEventListener("input", apply);
  document.getElementById("reset").addEventListener("click", reset);

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-flag], [data-source]") : null;
    if (!target) { return; }
    if (target.hasAttribute("data-flag")) {
      if (choose(flagSelect, target.getAttribute("data-flag"))) {
        apply();
        document.getElementById("questions").scrollIntoView();
      }
    } else if (choose(sourceSelect, target.getAttribute("data-source"))) {
      event.preventDefault();
      apply();
      document.getElementById("questions").scrollIntoView();
    }
  });

  function reveal() {
    /* a link to a question the filters hide: show everything again */
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.hidden && el.classList.contains("question")) {
      reset();
      el.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", reveal);
  apply();
  reveal();
}());
