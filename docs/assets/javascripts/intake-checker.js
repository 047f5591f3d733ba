/* The intake checker: a reader's daily amounts against the RDA/AI and the upper level of their
   life stage. Its data is the nutrient pages' front matter, embedded in the page at build time
   (the data-intake attribute), so it makes no request, stores nothing and works from file://. */
(function () {
  "use strict";

  var BANDS = [
    ["0–6 months", 0, 0.5], ["7–12 months", 7 / 12, 1], ["1–3 years", 1, 3], ["4–8 years", 4, 8],
    ["9–13 years", 9, 13], ["14–18 years", 14, 18], ["19–30 years", 19, 30], ["31–50 years", 31, 50],
    ["51–70 years", 51, 70], ["71 years and over", 71, 999]
  ];
  var STAGE_LABELS = { none: "Neither", pregnancy: "Pregnant", lactation: "Breastfeeding" };
  var MASS = { "g/day": 1e6, "mg/day": 1e3, "µg/day": 1 };

  /* An item's ages in whole months, first and last: "0–6 months" is [0, 6], "19–30" (years) is
     [228, 371], up to the 31st birthday; "71+" runs on. In months, so that a band's last month
     never reaches into the next band (7 months is not "0–6 months"). */
  function monthRange(ages) {
    var months = / months$/.test(ages);
    var parts = ages.replace(/ months$/, "").replace("+", "–999").split("–");
    var first = parseInt(parts[0], 10);
    var last = parseInt(parts[parts.length - 1], 10);
    return months ? [first, last] : [first * 12, last * 12 + 11];
  }

  function stageFor(age) {
    return age < 1 ? "infants" : age < 14 ? "children" : age < 19 ? "teens" : "adults";
  }

  function matches(item, who) {
    if (item.stage !== who.stage) return false;
    if (item.sex && item.sex !== "all" && item.sex !== who.sex) return false;
    var range = monthRange(item.ages);
    var months = Math.round(who.age * 12);
    return range[0] <= months && months <= range[1];
  }

  function number(value) {
    var rounded = Math.round(value * 1000) / 1000;
    return rounded.toLocaleString("en-US", { maximumFractionDigits: 3 });
  }

  function short(unit) { return unit.replace("/day", ""); }

  /* The units a reader may type in: the page's unit, its second unit (IU for vitamin D), and
     mg beside µg (copper, selenium) or µg beside mg. */
  function unitsFor(nutrient) {
    var units = [nutrient.unit];
    if (nutrient.alt_unit && units.indexOf(nutrient.alt_unit.unit) < 0) units.push(nutrient.alt_unit.unit);
    if (nutrient.unit === "µg/day") units.push("mg/day");
    return units;
  }

  /* An amount typed in `unit`, in the nutrient's own unit. */
  function toBase(amount, unit, nutrient) {
    if (unit === nutrient.unit) return amount;
    if (nutrient.alt_unit && unit === nutrient.alt_unit.unit) return amount / nutrient.alt_unit.factor;
    return amount * MASS[unit] / MASS[nutrient.unit];
  }

  /* amount × factor to as many significant digits as amount is shown with: a conversion adds no
     precision, so the US report's 38 µg reads 1,500 IU, as it printed it, not 1,520 (as
     nutrients._converted does for the tables). */
  function converted(amount, factor) {
    var digits = number(amount).replace(/[,.]/g, "").replace(/^0+/, "").length;
    return Number((amount * factor).toPrecision(Math.max(digits, 1)));
  }

  function withAlt(amount, nutrient) {
    var text = number(amount) + " " + short(nutrient.unit);
    if (nutrient.alt_unit && nutrient.alt_unit.unit !== nutrient.unit) {
      text += " (" + number(converted(amount, nutrient.alt_unit.factor)) + " " + short(nutrient.alt_unit.unit) + ")";
    }
    return text;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function labelled(id, label, control) {
    var wrapper = element("div", { class: "bng-field" });
    wrapper.appendChild(element("label", { for: id }, label));
    control.id = id;
    wrapper.appendChild(control);
    return wrapper;
  }

  function select(options, value) {
    var node = element("select");
    options.forEach(function (option) {
      var item = element("option", { value: option[0] }, option[1]);
      if (option[0] === value) item.selected = true;
      node.appendChild(item);
    });
    return node;
  }

  function assess(nutrient, who, supplement, food) {
    var total = supplement + food;
    var value = nutrient.values.filter(function (v) { return matches(v, who); })[0];
    var limit = nutrient.upper_limits.filter(function (v) { return matches(v, who); })[0];
    var lines = [];
    var over = false;
    lines.push("Total: " + withAlt(total, nutrient) + (food ? " (supplements " + withAlt(supplement, nutrient) + ")" : "") + ".");
    if (value) {
      var word = total >= value.amount ? "At or above" : "Below";
      lines.push(word + " the " + value.type + " of " + withAlt(value.amount, nutrient) + " for this life stage.");
    } else {
      lines.push("No RDA or AI is set for this life stage.");
    }
    if (limit) {
      var scope = limit.applies_to || "total intake";
      var counted = scope === "total intake" ? total : supplement;
      var unit = limit.unit || nutrient.unit;
      var amount = toBase(limit.amount, unit, nutrient);
      if (counted > amount) {
        over = true;
        lines.push("Above the upper level of " + withAlt(amount, nutrient) + ", which counts " + scope + ".");
      } else {
        lines.push("Within the upper level of " + withAlt(amount, nutrient) + " (counts " + scope + ").");
      }
    } else {
      lines.push("No upper level is set for this life stage; that is not proof of safety.");
    }
    return { text: lines.join(" "), over: over };
  }

  function build(root, data) {
    root.textContent = "";
    var form = element("form", { class: "bng-checker-form", novalidate: "" });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var who = element("fieldset", { class: "bng-checker-who" });
    who.appendChild(element("legend", {}, "Who"));
    var age = select(BANDS.map(function (band, index) { return [String(index), band[0]]; }), "7");
    var sex = select([["female", "Female"], ["male", "Male"]], "female");
    var stage = select(Object.keys(STAGE_LABELS).map(function (key) { return [key, STAGE_LABELS[key]]; }), "none");
    who.appendChild(labelled("bng-age", "Age", age));
    who.appendChild(labelled("bng-sex", "Sex", sex));
    who.appendChild(labelled("bng-stage", "Pregnant or breastfeeding", stage));
    form.appendChild(who);

    var rows = data.map(function (nutrient) {
      var set = element("fieldset", { class: "bng-checker-nutrient", "data-nutrient": nutrient.id });
      var legend = element("legend");
      var link = element("a", { href: nutrient.url }, nutrient.title);
      legend.appendChild(link);
      set.appendChild(legend);
      var units = unitsFor(nutrient).map(function (unit) { return [unit, short(unit)]; });
      var supplement = element("input", { type: "number", min: "0", step: "any", inputmode: "decimal" });
      var supplementUnit = select(units, nutrient.unit);
      var food = element("input", { type: "number", min: "0", step: "any", inputmode: "decimal" });
      var foodUnit = select(units, nutrient.unit);
      set.appendChild(labelled("bng-" + nutrient.id + "-supplement", "From supplements", supplement));
      set.appendChild(labelled("bng-" + nutrient.id + "-supplement-unit", "Supplement unit", supplementUnit));
      set.appendChild(labelled("bng-" + nutrient.id + "-food", "From food (optional)", food));
      set.appendChild(labelled("bng-" + nutrient.id + "-food-unit", "Food unit", foodUnit));
      var result = element("output", { class: "bng-checker-result", "aria-live": "polite", for: supplement.id });
      set.appendChild(result);
      form.appendChild(set);
      return { nutrient: nutrient, supplement: supplement, supplementUnit: supplementUnit, food: food, foodUnit: foodUnit, result: result, set: set };
    });

    function update() {
      var band = BANDS[parseInt(age.value, 10)];
      var canBePregnant = sex.value === "female" && band[1] >= 14 && band[2] <= 50;
      stage.disabled = !canBePregnant;
      var chosen = canBePregnant ? stage.value : "none";
      var person = { age: band[1], sex: sex.value, stage: chosen === "none" ? stageFor(band[1]) : chosen };
      rows.forEach(function (row) {
        var typed = row.supplement.value !== "" || row.food.value !== "";
        var supplement = toBase(parseFloat(row.supplement.value) || 0, row.supplementUnit.value, row.nutrient);
        var food = toBase(parseFloat(row.food.value) || 0, row.foodUnit.value, row.nutrient);
        if (!typed) {
          row.result.textContent = "";
          row.set.classList.remove("bng-over");
          return;
        }
        var verdict = assess(row.nutrient, person, supplement, food);
        row.result.textContent = verdict.text;
        row.set.classList.toggle("bng-over", verdict.over);
      });
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    root.appendChild(form);
    update();
  }

  function start() {
    var root = document.getElementById("bng-intake-checker");
    if (!root || !root.hasAttribute("data-intake") || root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "true");
    build(root, JSON.parse(root.getAttribute("data-intake")));
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);  // Material's instant navigation swaps pages without a load
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
