// The console works without this file; it only asks before destructive
// actions (forms marked data-confirm).
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
