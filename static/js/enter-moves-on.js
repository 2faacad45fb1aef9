/* Long desk forms (data-enter-moves-on): Enter in a one-line field moves to the next field
 * instead of sending a half-filled form (UX audit B 23); the button sends it, and so does
 * Ctrl+Enter (or Cmd+Enter) from any field. Text areas keep Enter for new lines. */
(function () {
  "use strict";

  var SKIP = { submit: 1, button: 1, reset: 1, checkbox: 1, radio: 1, file: 1, image: 1 };

  function focusable(form) {
    return Array.prototype.filter.call(
      form.querySelectorAll("input, select, textarea, button"),
      function (el) {
        return !el.disabled && el.type !== "hidden" && el.tabIndex !== -1 && el.offsetParent !== null;
      }
    );
  }

  document.querySelectorAll("form[data-enter-moves-on]").forEach(function (form) {
    form.addEventListener("keydown", function (event) {
      var el = event.target;
      if (event.key !== "Enter" || event.isComposing || el.tagName !== "INPUT" || SKIP[el.type]) {
        return;
      }
      event.preventDefault();
      if (event.ctrlKey || event.metaKey) {
        form.requestSubmit();
        return;
      }
      var fields = focusable(form);
      var next = fields[fields.indexOf(el) + 1];
      if (next) {
        next.focus();
      }
    });
  });
})();
