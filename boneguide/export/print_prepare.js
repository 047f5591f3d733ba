// Prepares the print-site page for Chromium's PDF printer; run by boneguide/export/pdf.py after load.
// Written against the DOM because these are DOM jobs (unique ids, heading levels, named pages);
// doing them with regular expressions on HTML is how print-site itself misses some ids.
// Argument: {title, siteUrl, onlinePages: {pageKey: url} of pages left out}. Returns a report for Python.
(options) => {
  const report = { dangling: [], duplicates: [], overflowing: [], chapters: [], tocTargets: [] };
  const root = document.getElementById("print-site-page");
  if (!root) {
    report.error = "no #print-site-page element: the print-site plugin did not run";
    return report;
  }
  document.title = options.title;

  const pageSections = [...root.querySelectorAll("section.print-page[id]:not(.md-section)")];
  const navSections = [...root.querySelectorAll("section.print-page.md-section[id]")];
  const navDepth = (el) => {
    let depth = 0;
    for (let p = el.parentElement; p && p !== root; p = p.parentElement) {
      if (p.matches("section.print-page.md-section")) depth += 1;
    }
    return depth;
  };
  const span = (className, text = "") => {
    const el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  };

  // 1. Closed <details> would hide their text on paper.
  root.querySelectorAll("details").forEach((d) => d.setAttribute("open", ""));

  // 2. Ids unique across the joined pages: print-site prefixes ids on a few tags only, but rewrites
  //    every "#x" link to "#<page>-x". Prefix the rest the same way (and their <label for>).
  for (const section of pageSections) {
    const key = section.id;
    for (const el of section.querySelectorAll("[id]")) {
      if (el.id.startsWith(key + "-")) continue;
      const renamed = key + "-" + el.id;
      section.querySelectorAll(`label[for="${CSS.escape(el.id)}"]`).forEach((l) => l.setAttribute("for", renamed));
      el.id = renamed;
    }
  }
  // Pages left out of the PDF (tag indexes) are still online: send their links there.
  const outside = Object.entries(options.onlinePages || {}).sort((a, b) => b[0].length - a[0].length);
  for (const a of root.querySelectorAll('a[href^="#"]')) {
    const target = decodeURIComponent(a.getAttribute("href").slice(1));
    if (!target || document.getElementById(target)) continue;
    const match = outside.find(([key]) => target === key || target.startsWith(key + "-"));
    if (match) a.setAttribute("href", match[1] + (target === match[0] ? "" : "#" + target.slice(match[0].length + 1)));
  }
  const seen = new Map();
  for (const el of root.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  for (const [id, count] of seen) if (count > 1) report.duplicates.push(`${id} (${count} times)`);
  for (const a of root.querySelectorAll('a[href^="#"]')) {
    const target = decodeURIComponent(a.getAttribute("href").slice(1));
    if (target && !document.getElementById(target)) {
      const page = a.closest("section.print-page[id]");
      report.dangling.push(`${page ? page.id : "?"}: ${a.getAttribute("href")} ("${a.textContent.trim().slice(0, 60)}")`);
    }
  }

  // 3. Heading levels follow the navigation, so the PDF outline nests parts > chapters > sections.
  const retag = (el, level, originalLevel) => {
    const heading = document.createElement("h" + Math.min(level, 6));
    for (const attr of el.attributes) heading.setAttribute(attr.name, attr.value);
    heading.classList.add("bng-h" + originalLevel);
    heading.append(...el.childNodes);
    el.replaceWith(heading);
    return heading;
  };
  for (const section of navSections) {
    const title = section.querySelector(":scope > h1");
    if (title) retag(title, 1 + navDepth(section), 1).classList.add("bng-part-title");
  }
  for (const section of pageSections) {
    const shift = navDepth(section);
    for (const h of section.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
      const level = Number(h.tagName[1]);
      retag(h, level + shift, level);
    }
  }

  // 4a. Links to files of the site (references.bib, data) cannot open from a PDF: point them at the
  //     published site, where those files live.
  if (options.siteUrl) {
    const printPage = new URL("print_page/", options.siteUrl);
    for (const a of root.querySelectorAll("a[href]")) {
      const href = a.getAttribute("href");
      if (/^(#|[a-z][a-z0-9+.-]*:)/i.test(href)) continue;
      a.setAttribute("href", new URL(href, printPage).href);
    }
  }

  // 4b. Paper readers need the address itself: print it after any link whose text does not already
  //    show it (an identifier with digits written out in the text, such as a DOI, PMID or PMCID, counts as shown).
  const shows = (text, href) => {
    const h = href.toLowerCase();
    const t = text.toLowerCase().replace(/^(doi|pmid|pmcid|url):\s*/, "");
    if (h.includes(t.trim()) && t.trim().length >= 6) return true;
    return t.split(/[\s,;()]+/).some((w) => w.length >= 6 && /\d/.test(w) && h.includes(w.replace(/[.:]$/, "")));
  };
  for (const a of root.querySelectorAll('a[href^="http://"], a[href^="https://"], a[href^="mailto:"]')) {
    if (a.closest("#print-page-toc") || a.querySelector(".bng-print-url")) continue;
    const href = a.getAttribute("href");
    if (shows(a.textContent, href.replace(/^mailto:/, ""))) continue;
    a.append(span("bng-print-url", ` <${href.replace(/^mailto:/, "")}>`));
  }

  // 5. Running headers: each chapter is a named page whose top-right margin box shows its title.
  const sheet = [];
  const cssString = (s) => '"' + s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\s+/g, " ").trim() + '"';
  pageSections.forEach((section, i) => {
    const heading = section.querySelector("h1, h2, h3, h4, h5, h6");
    const title = heading ? heading.textContent.replace(/[¶#]\s*$/, "").trim() : section.id;
    const name = "bng-chapter-" + i;
    section.style.page = name;
    sheet.push(`@page ${name} { @top-right { content: ${cssString(title)}; } }`);
    report.chapters.push(title);
  });
  const toc = document.getElementById("print-page-toc");
  if (toc) {
    const tocSection = toc.closest("section") || toc;
    tocSection.style.page = "bng-contents";
    sheet.push('@page bng-contents { @top-right { content: "Contents"; } }');
  }
  const style = document.createElement("style");
  style.textContent = sheet.join("\n");
  document.head.append(style);

  // 6. Table of contents: title, dotted leader, page number. The first print pass shows placeholders
  //    of the same width; Python reads where each target landed and fills in the real numbers.
  if (toc) {
    for (const a of toc.querySelectorAll("a[href]")) {
      const href = a.getAttribute("href");
      report.tocTargets.push(href);
      const title = a.textContent.replace(/\s+/g, " ").trim();
      a.textContent = "";
      a.classList.add("bng-toc-entry");
      a.append(span("bng-toc-title", title), span("bng-toc-leader"), span("bng-toc-page", "000"));
    }
  }

  // 6b. Paper has no tooltips: spell out each abbreviation at its first use in a chapter, in running
  //     text (not headings, tables or figures, where an expansion would break the layout), as
  //     "RDA (Recommended Dietary Allowance)"; the glossary's text after ":" stays on screen only.
  for (const section of pageSections) {
    const seen = new Set();
    for (const abbr of section.querySelectorAll("abbr[title]")) {
      const short = abbr.textContent.trim();
      const expansion = abbr.getAttribute("title").split(":")[0].split(" (")[0].trim();
      // Units (mg, µg: lower-case definitions) read as they are; spelling them out would only clutter.
      if (seen.has(short) || !/^[A-Z0-9]/.test(expansion) || expansion === short) continue;
      if (abbr.closest("h1, h2, h3, h4, h5, h6, table, figure, .md-source-file, #print-page-toc")) continue;
      seen.add(short);
      // Already spelled out beside it by the writer ("Adequate Intake (AI)", "AI (Adequate Intake)").
      const block = abbr.closest("p, li, dd, dt, td, th, div") || section;
      const before = document.createRange();
      before.setStart(block, 0);
      before.setEndBefore(abbr);
      const after = document.createRange();
      after.setStartAfter(abbr);
      after.setEnd(block, block.childNodes.length);
      const near = (before.toString().slice(-expansion.length - 30) + " " + after.toString().slice(0, expansion.length + 4)).toLowerCase();
      if (near.includes(expansion.toLowerCase())) continue;
      abbr.after(span("bng-abbr-expansion", ` (${expansion})`));
    }
  }

  // 7. Tables and images wider than the printable width would be cut off on paper.
  const width = root.getBoundingClientRect().width;
  for (const el of root.querySelectorAll("table, img, pre")) {
    const box = el.getBoundingClientRect();
    if (box.width > width + 1 || el.scrollWidth > box.width + 1) {
      const page = el.closest("section.print-page[id]");
      // The nearest heading before the element: Python turns it into a line of the source file.
      let heading = "";
      for (const h of page ? page.querySelectorAll("h1, h2, h3, h4, h5, h6") : []) {
        if (!(h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) break;
        heading = [...h.childNodes]
          .filter((n) => !(n.classList && n.classList.contains("headerlink")))
          .map((n) => n.textContent).join("").trim();
      }
      report.overflowing.push({
        page: page ? page.id : "", heading, tag: el.tagName.toLowerCase(),
        width: Math.round(Math.max(box.width, el.scrollWidth)), pageWidth: Math.round(width),
      });
    }
  }
  return report;
}
