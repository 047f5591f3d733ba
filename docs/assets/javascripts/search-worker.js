// Search worker for readers: wraps Material's own worker (loaded below with importScripts) and
// changes only what goes in and what comes out, so a Material upgrade keeps working as long as the
// message types stay SETUP 0, READY 1, QUERY 2, RESULT 3.
//
// - Snippets: citation numbers are filled in after indexing, so the indexed text reads
//   "osteoporosis ." where "[3]." stood: the gap before punctuation is closed.
// - Ranking: the editors' pages (Sources, Bibliography, Glossary, Tags) mention every topic; they
//   are ranked below the nutrient and overview pages (document boost < 1).
// - Synonyms: the guide's abbreviations are searched as whole words (Material would turn "UL"
//   into "ul*", whose best match is "ultrasound") plus the words they stand for.
// - Typos: when a query finds nothing, it is run again with every word allowed one or two edits
//   ("magnesum" finds "magnesium").
(function () {
  "use strict";

  var SETUP = 0, QUERY = 2, RESULT = 3;

  // Pages that list or define everything rather than explain a topic.
  var DEMOTED = [/^sources\//, /^bibliography\//, /^overview\/glossary\//, /^tags\//];
  // A section there titled "Osteoporosis ..." (a source article) would otherwise outrank every
  // page that explains osteoporosis in its text: titles weigh 1000 times more than text. The
  // pages' own entries are demoted less, so "sources" or "glossary" still finds them first.
  var SECTION_DEMOTION = 0.001;
  var PAGE_DEMOTION = 0.5;

  // Abbreviation -> words it stands for (docs/_snippets/abbreviations.md).
  var SYNONYMS = {
    ul: ["tolerable", "upper"],
    uls: ["tolerable", "upper"],
    rda: ["recommended", "allowance"],
    rdas: ["recommended", "allowance"],
    ai: ["adequate"],
    ais: ["adequate"],
    bmd: ["density"],
    dri: ["reference", "intake"],
    dris: ["reference", "intake"],
    rct: ["randomized", "trial"],
    rcts: ["randomized", "trial"]
  };

  // Where Material's worker lives: passed as ?material=<url> by overrides/main.html. In a real
  // worker `location` is this script; under the iframe-worker shim (offline copy) it is the
  // iframe, and the script element carries the address.
  function materialWorkerUrl() {
    var src = self.location.href;
    if (typeof document !== "undefined") {
      var script = document.querySelector("script[src*='search-worker']");
      if (script) src = script.src;
    }
    var url = new URL(src);
    return new URL(url.searchParams.get("material"), url).href;
  }

  function cleanText(text) {
    return text.replace(/\s+([.,;:)])/g, "$1").replace(/\(\s+/g, "(");
  }

  function prepare(index) {
    index.docs.forEach(function (doc) {
      doc.text = cleanText(doc.text || "");
      var path = doc.location.split("#")[0];
      if (DEMOTED.some(function (re) { return re.test(path); })) {
        doc.boost = (doc.boost || 1) * (doc.location === path ? PAGE_DEMOTION : SECTION_DEMOTION);
      }
    });
    return index;
  }

  function words(query) {
    return query.trim().split(/\s+/).filter(Boolean);
  }

  function plain(word) {
    return /^[A-Za-z0-9]+$/.test(word);
  }

  // "UL" -> "ul^1 tolerable upper": a boost marker keeps Material from adding a wildcard.
  function expand(query) {
    var out = [];
    words(query).forEach(function (word) {
      var synonyms = plain(word) && SYNONYMS[word.toLowerCase()];
      if (synonyms) {
        out.push(word.toLowerCase() + "^10");
        synonyms.forEach(function (s) { out.push(s + "^1"); });
      } else {
        out.push(word);
      }
    });
    return out.join(" ");
  }

  function fuzzy(query) {
    var changed = false;
    var out = words(query).map(function (word) {
      if (!plain(word) || word.length < 4) return word;
      changed = true;
      return word.toLowerCase() + "~" + (word.length >= 8 ? 2 : 1);
    });
    return changed ? out.join(" ") : null;
  }

  var material = null;       // Material's message listener, captured below
  var waiting = [];          // messages that arrived before it was installed (iframe shim)
  var pending = [];          // queries sent to Material, oldest first: {query, fuzzy}
  var realPost = self.postMessage.bind(self);
  var realAdd = self.addEventListener.bind(self);

  function send(data, context) {
    if (data && data.type === QUERY) pending.push(context);
    material({ data: data });
  }

  function receive(data) {
    var expanded;
    if (data && data.type === SETUP) {
      send({ type: SETUP, data: prepare(data.data) });
    } else if (data && data.type === QUERY) {
      expanded = expand(String(data.data));
      send({ type: QUERY, data: expanded }, { query: String(data.data), retried: false });
    } else {
      send(data);
    }
  }

  self.postMessage = function (message) {
    if (message && message.type === RESULT && pending.length) {
      var context = pending.shift();
      var items = message.data && message.data.items;
      var retry = !context.retried && items && items.length === 0 && fuzzy(context.query);
      if (retry) {
        send({ type: QUERY, data: retry }, { query: context.query, retried: true });
        return;
      }
    }
    realPost(message);
  };

  self.addEventListener = function (type, listener, options) {
    if (type === "message" && material === null) {
      material = listener;
      waiting.splice(0).forEach(receive);
      return;
    }
    realAdd(type, listener, options);
  };

  realAdd("message", function (ev) {
    if (material === null) waiting.push(ev.data);
    else receive(ev.data);
  });

  importScripts(materialWorkerUrl());
})();
