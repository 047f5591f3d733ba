// Bibliography page filter (progressive enhancement: without JavaScript the grouped list stays).
// Re-run on every page view, including Material's instant navigation.
(function () {
  "use strict";

  function setUp() {
    var filter = document.querySelector(".bng-bib-filter");
    if (!filter || filter.dataset.ready) return;
    filter.dataset.ready = "1";
    filter.hidden = false;
    var text = filter.querySelector(".bng-bib-filter__text");
    var citedOnly = filter.querySelector(".bng-bib-filter__cited");
    var count = filter.querySelector(".bng-bib-filter__count");
    var entries = Array.prototype.slice.call(document.querySelectorAll(".bng-bib__entry"));
    var haystacks = entries.map(function (li) { return li.textContent.toLowerCase(); });
    // The "cited on the site only" box exists only in the editors' view (bng-citations editors_view).
    var cited = entries.map(function (li) { return !!li.querySelector(".bng-bib__cited"); });
    var timer = null;

    function apply() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      entries.forEach(function (li, i) {
        var visible = (!citedOnly || !citedOnly.checked || cited[i]) &&
          words.every(function (w) { return haystacks[i].indexOf(w) !== -1; });
        li.hidden = !visible;
        if (visible) shown += 1;
      });
      document.querySelectorAll("ul.bng-bibliography").forEach(function (list) {
        var any = list.querySelector(".bng-bib__entry:not([hidden])") !== null;
        list.hidden = !any;
        var heading = list.previousElementSibling;
        if (heading && /^H[2-6]$/.test(heading.tagName)) heading.hidden = !any;
      });
      count.textContent = shown + " of " + entries.length + " shown";
    }

    text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, 120);
    });
    if (citedOnly) citedOnly.addEventListener("change", apply);
    apply();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setUp);  // Material for MkDocs: fires on load and after instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
