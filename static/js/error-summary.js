/* A form sent back with errors: focus moves to the error summary at the top
 * (templates/casework/includes/_error_summary.html), so that a screen reader reads it and
 * the keyboard starts there; each link in it moves focus to its field. Without this
 * script the summary is still at the top and its links still lead to the fields. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
})();
