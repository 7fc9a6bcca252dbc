/* consult exports page: follows each export job live (queued, rendering, ready or failed) without a reload.
 *
 * live.js dispatches a "consult:event" on document for every event of the round; this script only reacts
 * to the export events and updates the job's row: its <progress>, its status (aria-live) and, once ready,
 * the download link. Without JavaScript the page shows the state when it was loaded and a refresh link.
 */
(function () {
  "use strict";
  var table = document.getElementById("export-jobs");
  var data = document.getElementById("export-labels");
  if (!table || !data) return;
  var config = JSON.parse(data.textContent);
  var labels = config.labels, steps = config.steps;
  var STATUS = {"export.requested": "queued", "export.progress": "running", "export.ready": "ready",
                "export.failed": "failed"};

  function cell(row, content) {
    var td = document.createElement("td");
    if (content) td.appendChild(content);
    row.appendChild(td);
    return td;
  }

  function addRow(payload) {
    var none = table.querySelector("[data-export-none]");
    if (none) none.remove();
    var row = document.createElement("tr");
    row.id = "export-" + payload.job_id;
    row.setAttribute("data-export-job", String(payload.job_id));
    var kind = document.createElement("th");
    kind.scope = "row";
    kind.textContent = labels[payload.kind] || payload.kind;
    row.appendChild(kind);
    var digest = document.createElement("code");
    digest.textContent = (payload.digest || "").slice(0, 12);
    cell(row, digest);
    cell(row, null);
    var progress = document.createElement("progress");
    progress.max = 3;
    progress.setAttribute("aria-label", labels.progress_of.replace("{id}", payload.job_id));
    cell(row, progress);
    var status = document.createElement("span");
    status.setAttribute("data-export-status", "");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    cell(row, status);
    cell(row, null).setAttribute("data-export-file", "");
    var body = table.tBodies[0];
    body.insertBefore(row, body.firstChild);
    return row;
  }

  function show(row, status, payload) {
    var progress = row.querySelector("progress");
    if (progress) { progress.value = steps[status]; progress.textContent = labels[status]; }
    var text = row.querySelector("[data-export-status]");
    if (text) text.textContent = labels[status] + (status === "failed" && payload.error ? ": " + payload.error : "");
    var file = row.querySelector("[data-export-file]");
    if (file) {
      file.textContent = "";
      if (status === "ready" && payload.download_url) {
        var link = document.createElement("a");
        link.href = payload.download_url;
        link.textContent = labels.download;
        file.appendChild(link);
      }
    }
  }

  document.addEventListener("consult:event", function (message) {
    var event = message.detail;
    if (!event || !event.payload || !STATUS[event.type]) return;
    var payload = event.payload;
    var row = table.querySelector('[data-export-job="' + Number(payload.job_id) + '"]');
    if (!row && event.type === "export.requested") row = addRow(payload);
    if (row) show(row, STATUS[event.type], payload);
  });
})();
