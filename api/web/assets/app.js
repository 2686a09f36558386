// citychain operations dashboard: plain JS, SVG charts drawn here, live
// updates from the API's server-sent event stream.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const key = () => localStorage.getItem("citychain-api-key") || "";
  const TYPES = ["block", "tx", "auth.account_created", "auth.role_granted", "auth.role_revoked", "bank.burn", "bank.mint",
    "bank.transfer", "devices.key_rotated", "devices.registered", "devices.revoked", "devices.transferred", "market.cleared",
    "market.order_cancelled", "market.order_placed", "market.penalty", "market.refund", "market.settled", "market.trade",
    "market.trade_settled", "metering.anchored", "metering.fraud_cleared", "metering.fraud_flagged", "metering.reading_accepted",
    "metering.reading_rejected", "mileage.awarded", "mileage.expired", "mileage.funded", "mileage.merchant_registered",
    "mileage.period_settled", "mileage.spent", "mileage.vehicle_settled"];
  const devices = new Set();
  let status = null;
  let updates = 0;

  async function api(path) {
    const h = key() ? { "X-API-Key": key() } : {};
    const r = await fetch(path, { headers: h });
    if (r.status === 401) { $("keybar").hidden = false; }
    if (!r.ok) { const p = await r.json().catch(() => ({})); throw new Error(p.detail || r.statusText); }
    return r.json();
  }
  const fmt = (n) => Number(n).toLocaleString("en");
  const coinAmount = (c) => Number(String(c).replace(/[a-z]+$/, ""));
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

  // barChart draws labelled bars into el; pts = [{x, y}].
  function barChart(el, pts, cls) {
    const W = 600, H = 170, L = 48, B = 18;
    if (!pts.length) { el.innerHTML = `<svg viewBox="0 0 ${W} ${H}" data-points="0"><text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no data yet</text></svg>`; return; }
    const max = Math.max(1, ...pts.map((p) => p.y));
    const bw = (W - L) / pts.length;
    let s = `<svg viewBox="0 0 ${W} ${H}" data-points="${pts.length}">`;
    s += `<text x="2" y="10">${esc(fmt(max))}</text><text x="2" y="${H - B}">0</text>`;
    pts.forEach((p, i) => {
      const h = (p.y / max) * (H - B - 12);
      s += `<rect class="bar ${cls || ""}" x="${L + i * bw + 1}" y="${H - B - h}" width="${Math.max(1, bw - 2)}" height="${h}"><title>${esc(p.x)}: ${esc(fmt(p.y))}</title></rect>`;
    });
    const step = Math.ceil(pts.length / 6);
    pts.forEach((p, i) => { if (i % step === 0) s += `<text x="${L + i * bw}" y="${H - 4}">${esc(p.x)}</text>`; });
    el.innerHTML = s + "</svg>";
  }
  function lineChart(el, pts) {
    const W = 600, H = 170, L = 48, B = 18;
    if (!pts.length) { barChart(el, []); return; }
    const ys = pts.map((p) => p.y), lo = Math.min(...ys), hi = Math.max(...ys), span = Math.max(1, hi - lo);
    const t0 = pts[0].t, t1 = pts[pts.length - 1].t, ts = Math.max(1, t1 - t0);
    const xy = pts.map((p) => `${L + ((p.t - t0) / ts) * (W - L - 4)},${H - B - ((p.y - lo) / span) * (H - B - 12)}`).join(" ");
    el.innerHTML = `<svg viewBox="0 0 ${W} ${H}" data-points="${pts.length}"><text x="2" y="10">${esc(fmt(hi))}</text><text x="2" y="${H - B}">${esc(fmt(lo))}</text>` +
      `<polyline points="${xy}"/><text x="${L}" y="${H - 4}">${esc(new Date(t0).toLocaleTimeString())}</text><text x="${W - 60}" y="${H - 4}">${esc(new Date(t1).toLocaleTimeString())}</text></svg>`;
  }

  function addDevice(id) {
    if (!id || devices.has(id)) return;
    devices.add(id);
    const li = document.createElement("li");
    li.innerHTML = `<a class="device-link" href="#device/${encodeURIComponent(id)}">${esc(id)}</a>`;
    $("devices").appendChild(li);
  }

  async function refreshStatus() {
    status = await api("/v1/status");
    $("height").textContent = fmt(status.height);
    $("validators").textContent = status.validators;
    $("blocktime").textContent = status.avg_block_seconds ? status.avg_block_seconds.toFixed(2) + " s" : "–";
    $("interval").textContent = status.current_interval ? fmt(status.current_interval) + " (" + status.interval_seconds + " s)" : "–";
  }
  async function refreshCharts() {
    const jobs = [
      api("/v1/supply/uscn").then((r) => { $("supply").textContent = fmt(coinAmount(r.result) / 1e6) + " SCN"; }),
      api("/v1/mileage/budget").then((r) => { $("mileage").textContent = fmt(((r.totals && r.totals.awarded) || 0) / 1e6) + " SCN"; }),
      api("/v1/metering/totals?kind=energy_wh&limit=500").then((r) => barChart($("chart-solar"), r.items.slice(-60).map((v) => ({ x: v.interval, y: v.delta })))),
      api("/v1/market/clearings").then((r) => {
        const c = r.items.filter((v) => v.crossed !== false);
        barChart($("chart-price"), c.map((v) => ({ x: v.interval, y: v.price })), "b");
        barChart($("chart-volume"), c.map((v) => ({ x: v.interval, y: v.volume_wh })), "g");
      }),
      api("/v1/blocks?limit=20").then((r) => {
        const b = r.items.slice().reverse(), pts = [];
        for (let i = 1; i < b.length; i++) pts.push({ x: b[i].height, y: Math.round((new Date(b[i].time) - new Date(b[i - 1].time)) / 10) / 100 });
        barChart($("chart-blocks"), pts);
      }),
      api("/v1/solar?window=15m").then((r) => {
        $("solar-total").textContent = fmt(Math.round(r.total_wh)) + " Wh";
        $("sites").innerHTML = r.sites.map((s) => `<tr><td>${esc(s.site)}</td><td class="n">${esc(fmt(Math.round(s.wh)))} Wh</td><td class="n">${Object.keys(s.devices).length} inverters</td></tr>`).join("");
        r.sites.forEach((s) => Object.keys(s.devices).sort().forEach(addDevice));
      }).catch((e) => { $("solar-total").textContent = "–"; $("sites").innerHTML = `<tr><td class="empty">${esc(e.message)}</td></tr>`; }),
    ];
    await Promise.allSettled(jobs);
  }

  function feedLine(ev) {
    const a = Object.entries(ev.attributes || {}).map(([k, v]) => `${k}=${v}`).join(" ");
    return `<span class="t">${esc(ev.type)}</span> h${esc(ev.height)} ${esc(a)}`;
  }
  function push(ul, html, cls, max) {
    const empty = ul.querySelector(".empty");
    if (empty) empty.remove();
    const li = document.createElement("li");
    li.innerHTML = html;
    if (cls) li.className = cls;
    ul.insertBefore(li, ul.firstChild);
    while (ul.children.length > (max || 100)) ul.removeChild(ul.lastChild);
  }

  let pending = null;
  function onEvent(ev) {
    updates++;
    document.body.dataset.updates = updates;
    if (ev.attributes && ev.attributes.device) addDevice(ev.attributes.device);
    if (ev.type === "block") {
      $("height").textContent = fmt(ev.height);
      if (!pending) pending = setTimeout(() => { pending = null; refreshStatus().catch(() => {}); refreshCharts(); }, 1500);
    } else if (ev.type !== "metering.reading_accepted") {
      push($("feed"), feedLine(ev), "", 80);
    }
    if (ev.type === "metering.reading_rejected" || ev.type === "metering.fraud_flagged") {
      const why = ev.type === "metering.fraud_flagged" ? `fraud flag: value ${ev.attributes.value} below previous ${ev.attributes.previous}` : `rejected: ${ev.attributes.reason}`;
      push($("alerts"), `<a href="#device/${encodeURIComponent(ev.attributes.device)}">${esc(ev.attributes.device)}</a> seq ${esc(ev.attributes.seq)} <span class="bad">${esc(why)}</span> (h${esc(ev.height)})`, "alert", 50);
    }
    if (current && ev.attributes && ev.attributes.device === current) push($("dev-feed"), feedLine(ev), "", 50);
  }
  function connect() {
    const es = new EventSource("/v1/events" + (key() ? "?api_key=" + encodeURIComponent(key()) : ""));
    es.onopen = () => { $("live").textContent = "live"; $("live").className = "live on"; };
    es.onerror = () => { $("live").textContent = "reconnecting…"; $("live").className = "live off"; };
    const h = (m) => { try { onEvent(JSON.parse(m.data)); } catch (e) { /* ignore */ } };
    TYPES.forEach((t) => es.addEventListener(t, h));
    es.onmessage = h;
  }

  // --- device page ---
  let current = null;
  async function showDevice(id) {
    current = id;
    $("overview").hidden = true; $("device").hidden = false;
    $("dev-id").textContent = id; $("verify-result").textContent = ""; $("verify-result").className = "";
    $("dev-feed").innerHTML = "";
    api("/v1/devices/" + encodeURIComponent(id)).then((r) => { $("dev-info").textContent = JSON.stringify(r.result, null, 2); }).catch((e) => { $("dev-info").textContent = e.message; });
    api("/v1/devices/" + encodeURIComponent(id) + "/state").then((r) => { $("dev-state").textContent = JSON.stringify(r.result, null, 2); }).catch((e) => { $("dev-state").textContent = e.message; });
    api("/v1/devices/" + encodeURIComponent(id) + "/readings?start=-1h&agg=last")
      .then((r) => lineChart($("chart-readings"), r.points.map((p) => ({ t: new Date(p.time).getTime(), y: p.value }))))
      .catch(() => api("/v1/devices/" + encodeURIComponent(id) + "/deltas").then((r) => barChart($("chart-readings"), r.items.map((v) => ({ x: v.interval, y: v.delta })))));
  }
  async function verify() {
    const out = $("verify-result");
    out.textContent = "verifying…"; out.className = "";
    try {
      const r = await api("/v1/devices/" + encodeURIComponent(current) + "/state?prove=true");
      const p = r.proof;
      if (p && p.verified) {
        out.className = "ok";
        out.textContent = `✓ proof verified: ${p.value ? "reading state" : "absence"} at height ${r.height} against app hash ${p.app_hash.slice(0, 16)}… of header ${p.header_height}, signed by ${p.signed_power}/${p.total_power} voting power`;
      } else {
        out.className = "fail";
        out.textContent = "✗ proof NOT verified: " + (p ? p.error : "no proof");
      }
    } catch (e) { out.className = "fail"; out.textContent = "✗ " + e.message; }
  }
  function route() {
    const m = location.hash.match(/^#device\/(.+)$/);
    if (m) { showDevice(decodeURIComponent(m[1])); return; }
    current = null;
    $("overview").hidden = false; $("device").hidden = true;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("keysave").onclick = () => { localStorage.setItem("citychain-api-key", $("keyinput").value.trim()); location.reload(); };
    $("verify").onclick = verify;
    $("devform").onsubmit = (e) => { e.preventDefault(); const v = $("devinput").value.trim(); if (v) location.hash = "#device/" + encodeURIComponent(v); };
    window.addEventListener("hashchange", route);
    route();
    refreshStatus().catch(() => {});
    refreshCharts();
    connect();
    setInterval(() => { refreshStatus().catch(() => {}); }, 10000);
  });
})();
