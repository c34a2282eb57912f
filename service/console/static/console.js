// Progressive enhancement only: every page works without this file.
// Forms marked data-confirm ask once before an irreversible act (cancel, overturn, end sessions).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
