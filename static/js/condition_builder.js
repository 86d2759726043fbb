/* The rule builder of a question's or a page's condition (templates/organiser/_condition_builder.html).
   Without script, choosing a question or a condition is followed by the rule's "Update" button, which
   draws the form again with the choices that go with it. With script, the same step is asked of the
   server as soon as a question or a condition is chosen, and only the builder is put in place: what was
   typed elsewhere in the form stays as it is, the focus stays on the list just used, and a polite live
   region says that the choices changed. If the request fails, the form is sent as without script. */
(function () {
  "use strict";
  var live = document.getElementById("when-builder-live");
  var builder = document.getElementById("when-builder");
  if (!builder || !live || !window.fetch || !window.DOMParser || !window.FormData) { return; }
  var form = builder.closest("form");
  var english = document.documentElement.lang === "en";

  function mark(fieldset) { fieldset.classList.add("with-script"); }
  mark(builder);

  function sendWithoutScript() {
    var step = document.createElement("input");
    step.type = "hidden";
    step.name = "builder";
    step.value = "apply";
    form.appendChild(step);
    form.submit();
  }

  /* What the builder's fields hold now, to tell whether they changed while the server answered. */
  function state(fieldset) {
    return Array.prototype.map.call(fieldset.querySelectorAll("input, select, textarea"), function (field) {
      var chosen = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
      return field.name + "=" + chosen;
    }).join("&");
  }

  var asked = 0;  // the latest step asked: an earlier step's answer, arriving late, is not put in place

  function step(list) {
    var current = document.getElementById("when-builder");
    var sent = state(current);
    var data = new FormData(form);
    var number = ++asked;
    data.set("builder", "apply");
    current.setAttribute("aria-busy", "true");
    live.textContent = "";  // said again after each step, even when the words are the same
    fetch(form.getAttribute("action") || window.location.href,
          { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (number !== asked) { return; }
        if (state(current) !== sent) { step(list); return; }  // chosen or typed meanwhile: ask with it
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("when-builder");
        if (!fresh) { throw new Error("no builder in the answer"); }
        fresh = document.importNode(fresh, true);
        mark(fresh);
        current.replaceWith(fresh);
        var again = document.getElementById(list.id);
        if (again) { again.focus(); }
        live.textContent = english ? "The choices of the rule were updated." : "Les choix de la règle ont été mis à jour.";
      })
      .catch(sendWithoutScript);
  }

  form.addEventListener("change", function (event) {
    var list = event.target;
    var current = document.getElementById("when-builder");
    if (current && current.contains(list) && list.matches("select[name$='-subject'], select[name$='-operator']")) {
      step(list);
    }
  });
}());
