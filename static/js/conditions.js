/* Questions that depend on an answer of their own page (templates/respond/section.html), shown or
   hidden as the respondent answers. Each carries its condition in data-when (JSON, the format of
   evalapp/questionnaires/conditions.py, already reduced to this page's answers). Without script, each
   is shown with a note saying when to answer it, and the server sets its answer aside when the
   condition does not hold; with script, the note is not needed. Focus is never moved; a polite live
   region says that a question was added or removed. */
(function () {
  "use strict";
  var form = document.getElementById("answers");
  var live = document.getElementById("conditions-live");
  var items = form ? Array.prototype.slice.call(form.querySelectorAll(".conditional[data-when]")) : [];
  if (!items.length || !live) { return; }
  var english = document.documentElement.lang === "en";

  /* The page's answer to one field, as a list of values; none when its question is hidden (a
     question not asked counts as not answered, so conditions chain). */
  function answers(name) {
    var fields = Array.prototype.slice.call(form.querySelectorAll("[name='" + name + "']"));
    return fields.filter(function (field) {
      var holder = field.closest(".conditional");
      if (holder && holder.hidden) { return false; }
      if (field.type === "radio" || field.type === "checkbox") { return field.checked; }
      return field.value.trim() !== "";
    }).map(function (field) { return field.value.trim(); });
  }

  /* A number as typed on this page: "12 500" or "2,5" in French, "12,500" or "2.5" in English. */
  function number(text) {
    var compact = String(text).replace(/[\s\u00a0\u202f\u2009]/g, "");
    compact = english ? compact.replace(/,/g, "") : compact.replace(",", ".");
    return /^-?[0-9]+(\.[0-9]+)?$/.test(compact) ? parseFloat(compact) : NaN;
  }

  function same(value, expected) {
    return typeof expected === "number" ? number(value) === expected : value === String(expected);
  }

  function holds(condition) {
    if (condition.all) { return condition.all.every(holds); }
    if (condition.any) { return condition.any.some(holds); }
    var given = answers(condition.item);
    if (!given.length) { return false; }
    if ("equals" in condition) { return given.some(function (v) { return same(v, condition.equals); }); }
    if ("in" in condition) {
      return condition["in"].some(function (e) { return given.some(function (v) { return same(v, e); }); });
    }
    if ("includes" in condition) { return given.indexOf(condition.includes) >= 0; }
    if ("at_least" in condition) { return number(given[0]) >= condition.at_least; }
    return true;  // answered
  }

  function update(announce) {
    var added = 0, removed = 0;
    items.forEach(function (item) {  // in page order: one hidden above counts as unanswered below
      var show = holds(JSON.parse(item.getAttribute("data-when")));
      if (item.hidden === show) {
        item.hidden = !show;
        if (show) { added += 1; } else { removed += 1; }
      }
    });
    if (announce && (added || removed)) {
      var said = [];
      if (added) { said.push(live.getAttribute(added > 1 ? "data-added-several" : "data-added")); }
      if (removed) { said.push(live.getAttribute(removed > 1 ? "data-removed-several" : "data-removed")); }
      live.textContent = said.join(" ");
    }
  }

  items.forEach(function (item) {
    var note = item.querySelector(".condition-note");
    if (note) { note.hidden = true; }
    // The note named the question's group for pages without scripts: shown only when it applies, it needs no name.
    item.removeAttribute("role");
    item.removeAttribute("aria-labelledby");
  });
  update(false);
  form.addEventListener("change", function () { update(true); });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "radio" && event.target.type !== "checkbox") { update(true); }
  });
})();
