/* Session expiry warning. Sessions end after data-idle-seconds without a request; shortly
 * before that (two minutes, or half the limit when it is shorter) a dialog says so, and
 * "Continua a lavorare" renews the session with a POST to the keepalive URL, without
 * reloading the page. When the session has expired anyway, the dialog says that a form sent
 * now is kept for after the new login (server-side: twofactor/pending.py). */
(function () {
  "use strict";

  var box = document.getElementById("session-warning");
  if (!box) {
    return;
  }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10);
  var url = box.getAttribute("data-keepalive-url");
  var csrf = box.getAttribute("data-csrf");
  var button = document.getElementById("session-keepalive");
  var warning = document.getElementById("session-warning-text");
  var expired = document.getElementById("session-expired-text");
  if (!idle || idle <= 0 || !url || !button || !warning || !expired) {
    return;
  }
  var lead = Math.min(120, idle / 2) * 1000;
  var deadline = 0;
  var shown = false;
  var over = false;

  function restart() {
    deadline = Date.now() + idle * 1000;
    shown = false;
    over = false;
    box.hidden = true;
    warning.hidden = false;
    expired.hidden = true;
    button.hidden = false;
  }

  function expire() {
    over = true;
    warning.hidden = true;
    expired.hidden = false;
    button.hidden = true;
    box.hidden = false;
    box.focus();
  }

  function tick() {
    var left = deadline - Date.now();
    if (left <= 0 && !over) {
      expire();
    } else if (left <= lead && !shown && !over) {
      shown = true;
      box.hidden = false;
      button.focus();
    }
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrf },
    })
      .then(function (response) {
        if (response.status === 204) {
          restart();
        } else {
          expire();
        }
      })
      .catch(function () {
        expire();
      })
      .finally(function () {
        button.disabled = false;
      });
  });

  restart();
  window.setInterval(tick, 1000);
})();
