/* New intake: as soon as the codice fiscale has 16 characters, ask the server what it says
 * (POST, the CF never goes in a URL) and prefill birth date, sex and birthplace when they
 * are still empty. The server does the same on submit: the page works without this. */
(function () {
  "use strict";

  var form = document.getElementById("intake-form");
  if (!form || !form.getAttribute("data-decode-url")) {
    return;
  }
  var url = form.getAttribute("data-decode-url");
  var cf = form.querySelector("[name=fiscal_code]");
  var feedback = document.getElementById("cf-feedback");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]");
  if (!cf || !feedback || !csrf) {
    return;
  }
  var lastCode = "";

  function field(name) {
    return form.querySelector("[name=" + name + "]");
  }

  function setIfEmpty(name, value) {
    var el = field(name);
    if (el && !el.value && value !== null && value !== undefined && value !== "") {
      el.value = value;
      return true;
    }
    return false;
  }

  function say(text, kind) {
    feedback.textContent = text;
    feedback.className = "small mb-3 " + (kind === "error" ? "text-danger" : kind === "warning" ? "text-warning-emphasis" : "text-success");
  }

  /* Already registered? Say so under the field, with the way to the open case (or to
   * taking the person in), built with DOM nodes: nothing from the server is parsed as HTML. */
  var registered = document.createElement("div");
  registered.id = "cf-registered";
  registered.setAttribute("role", "status");
  feedback.parentNode.insertBefore(registered, feedback.nextSibling);

  function showRegistered(info) {
    registered.textContent = "";
    registered.className = "";
    if (!info || !info.status) {
      return;
    }
    registered.className = "alert alert-info py-2 small";
    registered.setAttribute("data-status", info.status);
    registered.appendChild(document.createTextNode(info.message + " "));
    (info.links || []).forEach(function (link) {
      var a = document.createElement("a");
      a.href = link.url;
      a.className = "btn btn-sm btn-outline-primary ms-1";
      a.textContent = link.label;
      registered.appendChild(a);
    });
  }

  function decode() {
    var code = cf.value.replace(/\s+/g, "").toUpperCase();
    if (code.length !== 16) {
      if (code.length === 0) {
        say("", "ok");
      }
      showRegistered(null);
      lastCode = "";
      return;
    }
    if (code === lastCode) {
      return;
    }
    lastCode = code;
    var body = new FormData();
    body.append("fiscal_code", code);
    var gender = field("gender");
    body.append("gender", gender ? gender.value : "");
    body.append("desk", form.getAttribute("data-desk") || "");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf.value, Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (!data.valid) {
          showRegistered(null);
          say(data.error, "error");
          return;
        }
        setIfEmpty("birth_date", data.birth_date);
        setIfEmpty("gender", data.sex);
        if (data.born_abroad) {
          setIfEmpty("birthplace_country", data.birthplace_country);
        } else {
          setIfEmpty("birthplace_comune", data.birthplace);
        }
        showRegistered(data.registered);
        var text = feedback.getAttribute("data-valid-text") || "Codice fiscale valido";
        text += ": " + data.birth_date_display + ", " + data.birthplace + ".";
        if (data.sex_warning) {
          say(text + " " + data.sex_warning, "warning");
        } else {
          say(text, "ok");
        }
      })
      .catch(function () {
        lastCode = "";
      });
  }

  cf.addEventListener("input", decode);
  cf.addEventListener("change", decode);
  var gender = field("gender");
  if (gender) {
    gender.addEventListener("change", function () {
      lastCode = "";
      decode();
    });
  }
})();

/* Both intake pages (new person, known person): once the form is sent, the button says so
 * and a second click sends nothing more. The server opens one case per form anyway
 * (its one-time token), so this is about telling the operator, not about safety. */
(function () {
  "use strict";

  var form = document.getElementById("intake-form");
  var button = document.getElementById("intake-submit");
  if (!form || !button) {
    return;
  }
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) {
      event.preventDefault();
      return;
    }
    sent = true;
    button.setAttribute("aria-disabled", "true");
    button.classList.add("disabled");
  });
  // Back to this page from the browser's cache: the form can be sent again.
  window.addEventListener("pageshow", function () {
    sent = false;
    button.removeAttribute("aria-disabled");
    button.classList.remove("disabled");
  });
})();
