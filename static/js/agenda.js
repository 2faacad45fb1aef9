// The agenda from the keyboard: ← and → move by a day or a week, "o" today, "g"/"s" day or
// week view, "p" prints. Keys typed in a form field are left alone.
(function () {
  "use strict";
  var print = document.getElementById("agenda-print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  var keys = { ArrowLeft: "agenda-prev", ArrowRight: "agenda-next", o: "agenda-today",
               g: "agenda-day", s: "agenda-week" };
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, [contenteditable]")) return;
    if (event.key === "p" && print) { event.preventDefault(); window.print(); return; }
    var id = keys[event.key];
    var link = id && document.getElementById(id);
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });
})();
