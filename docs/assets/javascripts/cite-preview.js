// Citations on a phone. A tap on "[3]" used to jump to the reference list at the end of the page,
// and the reader had to find the way back; hover previews (Material's tooltips) do not exist on a
// touch screen. On a coarse pointer a tap now opens the reference in a small panel under the
// citation, with a link to the list for those who want it. Following a back-link (↩) closes the
// panel. Desktop behaviour (hover tooltip, click jumps) is unchanged.
(function () {
  "use strict";

  var touch = window.matchMedia("(pointer: coarse)");
  var panel = null;
  var opener = null;

  function close() {
    if (!panel) return;
    panel.remove();
    panel = null;
    if (opener) opener.setAttribute("aria-expanded", "false");
    opener = null;
  }

  function open(link) {
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    var entry = target && target.querySelector(".bng-ref");
    if (!entry) return false;
    close();
    panel = document.createElement("div");
    panel.className = "bng-cite-preview";
    panel.id = "bng-cite-preview";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Reference " + link.textContent);
    var body = entry.cloneNode(true);
    body.removeAttribute("id");
    panel.appendChild(body);
    var actions = document.createElement("p");
    actions.className = "bng-cite-preview__actions";
    var jump = document.createElement("a");
    jump.href = link.hash;
    jump.textContent = "Go to the reference list";
    jump.addEventListener("click", close);
    var shut = document.createElement("button");
    shut.type = "button";
    shut.className = "bng-cite-preview__close";
    shut.textContent = "Close";
    shut.addEventListener("click", function () {
      var back = opener;
      close();
      if (back) back.focus();
    });
    actions.appendChild(jump);
    actions.appendChild(shut);
    panel.appendChild(actions);
    // After the citation's sentence container, so it reads in order and scrolls with the text.
    var block = link.closest("p, li, td, dd, div") || link.parentNode;
    block.insertAdjacentElement("afterend", panel);
    opener = link;
    link.setAttribute("aria-expanded", "true");
    link.setAttribute("aria-controls", panel.id);
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.bng-cite__ref");
    if (link && touch.matches) {
      if (open(link)) {
        event.preventDefault();
        event.stopPropagation();
      }
      return;
    }
    if (event.target.closest && event.target.closest(".bng-ref__back a")) {
      close();
      return;
    }
    if (panel && !panel.contains(event.target)) close();
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel) {
      var back = opener;
      close();
      if (back) back.focus();
    }
  });

  // A back-link or any other jump within the page closes the panel, and so does a new page.
  window.addEventListener("hashchange", close);
  if (typeof document$ !== "undefined") document$.subscribe(close);
})();
