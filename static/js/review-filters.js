/* Review filters: typing a date in Dal or Al switches Periodo to "Intervallo personalizzato",
 * so the dates typed are the ones shown (UX audit B 15: they were silently ignored while a
 * quarter stayed selected). The server still reads whatever the form sends. */
(function () {
  "use strict";
  var form = document.getElementById("review-filters");
  if (!form) {
    return;
  }
  var period = form.querySelector("[name=period]");
  if (!period || !period.querySelector("option[value=custom]")) {
    return;
  }
  ["start", "end"].forEach(function (name) {
    var field = form.querySelector("[name=" + name + "]");
    if (!field) {
      return;
    }
    ["input", "change"].forEach(function (kind) {
      field.addEventListener(kind, function () {
        if (field.value && period.value !== "custom") {
          period.value = "custom";
        }
      });
    });
  });
})();
