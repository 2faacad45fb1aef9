/* Comune autocomplete: fills the <datalist> tied to every input carrying
 * data-comune-autocomplete (the JSON endpoint) with the comuni matching what is typed.
 * Without JavaScript the input is a plain text field that the server resolves. */
(function () {
  "use strict";

  function attach(input) {
    var url = input.getAttribute("data-comune-autocomplete");
    var list = document.getElementById(input.getAttribute("list"));
    if (!url || !list) {
      return;
    }
    var timer = null;
    var lastQuery = "";
    var controller = null;

    function fill(results) {
      list.replaceChildren();
      results.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.label;
        list.appendChild(option);
      });
    }

    function lookup() {
      var query = input.value.trim();
      if (query.length < 2 || query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          fill(data.results || []);
        })
        .catch(function () {
          /* aborted or offline: the plain field still works */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 150);
    });
  }

  document.querySelectorAll("input[data-comune-autocomplete]").forEach(attach);
})();
