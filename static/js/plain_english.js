/* The plain-English check as the editor types: a moment after they stop, the form as it is now
   goes to the admin's plain-English address, and the report at the top and under each field is
   replaced. Nothing is saved. Without JavaScript the "Check plain English" button does the same
   by submitting the form. */
(function () {
  "use strict";
  var WAIT_MS = 700;

  function start() {
    var report = document.getElementById("plain-english-report");
    if (!report || !window.fetch || !window.FormData) {
      return;
    }
    var form = report.closest("form");
    var summary = document.getElementById("plain-english-summary");
    var timer = null;
    var latest = 0;

    function show(data) {
      summary.innerHTML = data.summary;
      var boxes = form.querySelectorAll(".hub-pe-field");
      for (var i = 0; i < boxes.length; i++) {
        var key = boxes[i].id.replace(/^plain-english-/, "");
        boxes[i].innerHTML = data.fields[key] || "";
      }
    }

    function check() {
      var asked = ++latest;
      var data = new FormData(form);
      data.delete("_check_plain_english");
      fetch(report.getAttribute("data-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && asked === latest) {
            show(data);
          }
        })
        .catch(function () {
          /* The button still works; nothing to do. */
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, WAIT_MS);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
