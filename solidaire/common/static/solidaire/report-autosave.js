// Saves the report's draft a moment after the last keystroke, so that
// nothing typed is lost; the page works the same without it.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave");
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    var data = new FormData(form);
    data.delete("document");
    data.delete("action");
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.saved_at) { status.textContent = body.saved_at; }
      })
      .catch(function () {});
  }
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "file") { return; }
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  });
})();
