/* Django admin, a background import's page (templates/admin/import_export/import_job.html,
   casework/importjobs.py): asks the job's status address every second and moves the
   progress bar ("N di M righe"); once the job has finished its step, reloads the page,
   which then shows the report, the confirmation or the counts. A file of its own because
   the Content-Security-Policy (script-src 'self') refuses inline scripts; without
   JavaScript the page reloads itself (<noscript> refresh). */
(function () {
  "use strict";
  var EVERY_MS = 1000;

  function start() {
    var box = document.getElementById("import-job");
    if (!box || !box.dataset.statusUrl) {
      return;
    }
    var bar = document.getElementById("import-job-progress");
    var text = document.getElementById("import-job-text");
    var phase = document.getElementById("import-job-phase");
    var state = document.getElementById("import-job-state");
    var stalled = document.getElementById("import-job-stalled");

    function show(status) {
      bar.max = Math.max(status.total, 1);
      bar.value = status.done;
      bar.textContent = status.text;
      text.textContent = status.text;
      phase.textContent = status.phase_label;
      if (state.textContent !== status.state_label) {
        state.textContent = status.state_label;
      }
      if (stalled) {
        stalled.hidden = !status.stalled;
      }
    }

    function tick() {
      fetch(box.dataset.statusUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (!response.ok || type.indexOf("application/json") === -1) {
            // Gone, or the session expired (the login page): the page itself says why.
            window.location.reload();
            return null;
          }
          return response.json();
        })
        .then(function (status) {
          if (status === null) {
            return;
          }
          show(status);
          if (status.finished || status.phase !== box.dataset.phase) {
            window.location.reload();
          } else {
            window.setTimeout(tick, EVERY_MS);
          }
        })
        .catch(function () {
          window.setTimeout(tick, EVERY_MS); // the network: try again
        });
    }

    window.setTimeout(tick, EVERY_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
