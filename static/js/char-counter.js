/* Long texts: under every textarea with a maxlength and a data-counter template
 * ("{count} caratteri su {max}"), a line that counts what is written. The maxlength and
 * the server's check hold without it. */
(function () {
  "use strict";

  function attach(area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    var template = area.getAttribute("data-counter");
    if (!max || !template) {
      return;
    }
    var counter = document.createElement("div");
    counter.className = "form-text text-end char-counter";
    counter.id = area.id + "-counter";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);

    function update() {
      var count = area.value.length;
      counter.textContent = template.replace("{count}", count).replace("{max}", max);
      counter.classList.toggle("text-danger", count >= max);
    }
    area.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("textarea[maxlength][data-counter]").forEach(attach);
})();
