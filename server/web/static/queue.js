// Keyboard review of a list (queue, samples): j/k move, o/Enter open; other keys submit the
// selected row's form whose data-key matches (queue: c confirm, r reject; samples: c real
// violation, r not a violation).
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
  function submit(key) {
    var form = rows[at].querySelector('form[data-key="' + key + '"]');
    if (!form) { return false; }
    form.submit();
    return true;
  }
  function open() {
    var href = rows[at].getAttribute("data-href");
    if (!href) { return false; }
    window.location.href = href;
    return true;
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    switch (event.key) {
      case "j": select(at + 1); break;
      case "k": select(at - 1); break;
      case "o": case "Enter": if (!open()) { return; } break;
      default: if (!submit(event.key)) { return; }
    }
    event.preventDefault();
  });
  rows.forEach(function (row, i) { row.addEventListener("click", function () { select(i); }); });
  select(0);
})();
