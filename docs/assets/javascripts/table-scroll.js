// Tables wider than the screen scroll inside their own box (Material makes the table itself the
// scroller); on a phone nothing shows that they do. A table that overflows gets a visible hint
// above it and a shadow on the side with more to see; the shadow goes once the reader has
// scrolled to the end, the hint once the table fits (a wider window).
(function () {
  "use strict";

  function scroller(table) {
    var style = getComputedStyle(table).overflowX;
    if (style === "auto" || style === "scroll") return table;
    return table.closest(".md-typeset__scrollwrap") || table;
  }

  function mark(table) {
    var box = scroller(table);
    var outer = table.closest(".md-typeset__scrollwrap") || table;
    var hint = outer.previousElementSibling;
    var has = !!hint && hint.classList.contains("bng-scroll-hint");
    var overflows = box.scrollWidth > box.clientWidth + 1;
    // A data attribute, not a class: Material styles tables by `table:not([class])`.
    var atEnd = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
    if (overflows) box.setAttribute("data-bng-scrolls", atEnd ? "end" : "more");
    else box.removeAttribute("data-bng-scrolls");
    if (overflows && !has) {
      hint = document.createElement("p");
      hint.className = "bng-scroll-hint";
      hint.textContent = "Wide table: swipe or scroll sideways to see every column \u2192";
      outer.parentNode.insertBefore(hint, outer);
    } else if (!overflows && has) {
      hint.remove();
    }
    if (!box.dataset.bngScroll) {
      box.dataset.bngScroll = "1";
      box.addEventListener("scroll", function () { mark(table); }, { passive: true });
    }
  }

  function markAll() {
    document.querySelectorAll(".md-typeset table").forEach(mark);
  }

  window.addEventListener("resize", markAll);
  // Material's instant navigation swaps pages without a load event: document$ says when.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(markAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAll);
  } else {
    markAll();
  }
})();
