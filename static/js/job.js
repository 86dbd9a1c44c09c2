/* The job page follows its job in place: it asks for the job's progress (JSON) every two seconds
   and redraws the bar, the status and the line under the bar (the server's "text": a running
   job's percent and stage, a queued job's wait); when the job ends it reloads once to show the
   result or the error, never leaving the last stage on screen. Without script the page refreshes
   itself (noscript meta refresh). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var card = document.querySelector("[data-job-poll]");
    if (!card || !window.fetch) { return; }
    var url = card.getAttribute("data-job-poll");
    var bar = card.querySelector("[data-job-bar]");
    var status = card.querySelector("[data-job-status]");
    var text = card.querySelector("[data-job-progress]");
    function draw(job) {
      var pct = Math.max(0, Math.min(100, parseInt(job.progress, 10) || 0));
      bar.setAttribute("aria-valuenow", String(pct));
      bar.firstElementChild.className = "w-" + pct;
      status.textContent = job.status_display;
      text.textContent = job.text || "";
    }
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          draw(job);
          if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 2000);
  });
})();
