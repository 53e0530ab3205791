// Live progress of a run or job: poll the JSON every 2 s while it is active, update the box and
// refresh the charts, with no page reload. No library, no CDN.
(function () {
  "use strict";
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const field = (name) => box.querySelector('[data-field="' + name + '"]');
  const unit = (field("summary").textContent.trim().split(" ").pop()) || "";
  const charts = document.querySelector("[data-points]");
  let lastPoints = charts ? Number(charts.dataset.points) : null;

  function render(p) {
    field("state_display").textContent = p.state_display;
    field("state_display").className = "badge state-" + p.state;
    field("summary").textContent = p.done + " / " + p.total + " " + unit;
    field("percent").textContent = p.percent;
    field("rate").textContent = p.items_per_second ? p.items_per_second.toFixed(1) + " " + unit + "/s" : "";
    field("eta").textContent = p.active && p.eta_seconds ? "· about " + Math.round(p.eta_seconds) + " s left" : "";
    const track = box.querySelector(".progress-track");
    track.setAttribute("aria-valuenow", p.percent);
    box.querySelector(".progress-fill").style.width = p.percent + "%";
    field("error").hidden = !p.error;
    field("error").textContent = p.error || "";
    if (p.result_url) {
      field("result").hidden = false;
      field("result").querySelector("a").href = p.result_url;
    }
    if (p.points !== undefined && p.points !== lastPoints) {
      lastPoints = p.points;
      document.querySelectorAll("figure[data-chart-url]").forEach(refreshChart);
    }
  }

  // The server draws the figure (inline SVG and caption) as the page had it; parsing it as
  // HTML inserts no script, so the page's CSP holds.
  function refreshChart(figure) {
    fetch(figure.dataset.chartUrl, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then(function (html) {
        const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("figure");
        if (fresh) figure.replaceWith(fresh);
      })
      .catch(() => {});
  }

  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then(function (p) {
        render(p);
        if (p.active) setTimeout(poll, 2000);
      })
      .catch(() => setTimeout(poll, 5000));
  }
  poll();
})();
