// Keyboard review of the queue: j/k move, c confirm (立案), r reject (误报), o open.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.qrow"));
  if (!rows.length) { return; }
  var at = 0;
  function select(index) {
    at = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("sel", i === at); });
    rows[at].scrollIntoView({ block: "nearest" });
  }
  function submit(cls) {
    var form = rows[at].querySelector("form." + cls);
    if (form) { form.submit(); }
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    switch (event.key) {
      case "j": select(at + 1); break;
      case "k": select(at - 1); break;
      case "c": submit("act-file"); break;
      case "r": submit("act-reject"); break;
      case "o": case "Enter": window.location.href = rows[at].getAttribute("data-href"); break;
      default: return;
    }
    event.preventDefault();
  });
  rows.forEach(function (row, i) { row.addEventListener("click", function () { select(i); }); });
  select(0);
})();
