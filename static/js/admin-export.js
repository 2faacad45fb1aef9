/* Django admin, export page (django-import-export): the "Seleziona tutto" box ticks or
   clears every field of the export. Attached from this file because the Content-Security-
   Policy (script-src 'self') refuses the inline onchange handler of the package's template;
   templates/admin/import_export/export.html leaves it out. */
(function () {
  "use strict";
  var FIELDS = '.selectable-field-export-row input[type="checkbox"]';

  function wire() {
    document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
      toggle.addEventListener("change", function () {
        document.querySelectorAll(FIELDS).forEach(function (box) {
          box.checked = toggle.checked;
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
