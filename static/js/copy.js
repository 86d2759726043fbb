/* "Copy" buttons next to read-only links; without script the link is still selectable. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        var label = button.firstChild.textContent;
        button.firstChild.textContent = "✓ " + label;
        setTimeout(function () { button.firstChild.textContent = label; }, 1500);
      });
    });
  });
  document.querySelectorAll("input.link").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
