// citychain operations dashboard: plain JS, SVG charts drawn here, live
// updates from the API's server-sent event stream.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const key = () => localStorage.getItem("citychain-api-key") || "";
  const TYPES = ["block", "tx", "auth.account_created", "auth.role_granted", "auth.role_revoked", "bank.burn", "bank.mint", "bank.transfer",
    "certificates.agency_status_set", "certificates.issued", "certificates.key_added", "certificates.key_retired", "certificates.key_revoked",
    "certificates.kind_registered", "certificates.revoked", "credentials.accredited", "credentials.anchored", "credentials.list_created",
    "credentials.schema_registered", "credentials.status_set", "credentials.verifier_deregistered", "credentials.verifier_registered",
    "credentials.withdrawn", "devices.installer_reassigned", "devices.key_rotated", "devices.registered", "devices.revoked", "devices.transferred",
    "identity.barred", "identity.card_copies_added", "identity.device_added", "identity.device_removed", "identity.facility_registered",
    "identity.facility_updated", "identity.registered", "identity.reinstated", "identity.revoked", "identity.suspended", "identity.unbarred",
    "market.cleared", "market.order_cancelled", "market.order_placed", "market.penalty", "market.refund", "market.settled", "market.trade",
    "market.trade_settled", "metering.anchored", "metering.fraud_cleared", "metering.fraud_flagged", "metering.reading_accepted",
    "metering.reading_rejected", "mileage.awarded", "mileage.expired", "mileage.funded", "mileage.merchant_registered", "mileage.period_settled",
    "mileage.spent", "mileage.vehicle_settled", "registry.approved", "registry.created", "registry.deadline", "registry.deadline_dropped", "registry.enabled", "registry.granted",
    "registry.proposed", "registry.revoked", "registry.transitioned", "vehicles.accident_recorded", "vehicles.battery_recorded", "vehicles.flagged",
    "vehicles.inspection_recorded", "vehicles.odometer_bound", "vehicles.programme_created", "vehicles.recycled", "vehicles.registered",
    "vehicles.subsidy_approved", "vehicles.subsidy_clawed_back", "vehicles.title_transferred", "vehicles.transfer_accepted",
    "vehicles.transfer_closed", "vehicles.transfer_proposed", "vehicles.transfer_reviewed",
    "contracts.agreed", "contracts.approved", "contracts.attested", "contracts.created", "contracts.delivered", "contracts.direct_payment",
    "contracts.disputed", "contracts.instalment", "contracts.instalment_paid", "contracts.missed", "contracts.paid_direct", "contracts.refunded",
    "contracts.resolved", "labour.clock", "labour.corrected", "labour.countersigned", "labour.deposit", "labour.disputed", "labour.ended",
    "labour.expired", "labour.funded", "labour.late", "labour.offered", "labour.paid", "labour.rule", "labour.statement", "labour.week_closed",
    "labour.withdraw",
    "voting.answer_overdue", "voting.answered", "voting.ballot_cast", "voting.credential_issued", "voting.credential_requested", "voting.decided",
    "voting.decrypted", "voting.dept_answer_due", "voting.dkg_dealt", "voting.dkg_key", "voting.election_closed", "voting.election_created",
    "voting.election_failed", "voting.election_opened", "voting.forum_opened", "voting.mayor_answer_due", "voting.proposal_closed", "voting.proposed",
    "voting.supported", "voting.trustee_disqualified", "voting.voters_added"];
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
  // lineChart draws pts = [{t (ms), y}] as a line; dots marks each point.
  function lineChart(el, pts, dots) {
    const W = 600, H = 170, L = 48, B = 18;
    if (!pts.length) { barChart(el, []); return; }
    const ys = pts.map((p) => p.y), lo = Math.min(...ys), hi = Math.max(...ys), span = Math.max(1, hi - lo);
    const t0 = pts[0].t, t1 = pts[pts.length - 1].t, ts = Math.max(1, t1 - t0);
    const at = pts.map((p) => [L + ((p.t - t0) / ts) * (W - L - 4), H - B - ((p.y - lo) / span) * (H - B - 12)]);
    const marks = dots ? at.map(([x, y], i) => `<circle cx="${x}" cy="${y}" r="3"><title>${esc(new Date(pts[i].t).toLocaleString())}: ${esc(fmt(pts[i].y))}</title></circle>`).join("") : "";
    el.innerHTML = `<svg viewBox="0 0 ${W} ${H}" data-points="${pts.length}"><text x="2" y="10">${esc(fmt(hi))}</text><text x="2" y="${H - B}">${esc(fmt(lo))}</text>` +
      `<polyline points="${at.map(([x, y]) => x + "," + y).join(" ")}"/>${marks}<text x="${L}" y="${H - 4}">${esc(new Date(t0).toLocaleTimeString())}</text><text x="${W - 60}" y="${H - 4}">${esc(new Date(t1).toLocaleTimeString())}</text></svg>`;
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
    if (!$("vehicles").hidden) {
      const a = ev.attributes || {};
      if (ev.type.startsWith("vehicles.")) later("vehicles", 1500, refreshVehicles);
      if (vehicle && (a.vin === vehicle.vin || (ev.type === "metering.reading_accepted" && a.device === vehicle.device))) later("report", 5000, () => vehicle && showVehicle(vehicle.vin, true));
    }
    if (!$("registries").hidden && window.CityRegistries) CityRegistries.onEvent(ev);
    if (!$("voting").hidden && window.CityVoting) CityVoting.onEvent(ev);
    if (!$("labour").hidden && window.CityLabour) CityLabour.onEvent(ev);
    if (!$("citizens").hidden && /^(credentials|certificates|identity)\./.test(ev.type)) {
      const a = ev.attributes || {};
      later("citizens", 1500, refreshCitizens);
      if (lookups.identity && a.id === lookups.identity) later("cz-identity", 1500, () => lookups.identity && showIdentity(lookups.identity, true));
      if (lookups.status && (a.list === lookups.status.list || a.card_list === lookups.status.list)) later("cz-status", 1500, () => lookups.status && showStatus(lookups.status.list, lookups.status.idx, true));
      if (lookups.leaf && a.leaf === lookups.leaf) later("cz-leaf", 1500, () => lookups.leaf && showLeaf(lookups.leaf, true));
    }
  }
  // later runs fn once, ms after the first of a burst of calls under name.
  const timers = {};
  function later(name, ms, fn) {
    if (timers[name]) return;
    timers[name] = setTimeout(() => { timers[name] = null; fn(); }, ms);
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
  // trustRoot says what the server's light client verified a header from.
  function trustRoot(t) {
    if (!t) return "an unknown trust root";
    return t.kind === "genesis"
      ? `the genesis of ${t.chain_id} (validators hash ${t.validators_hash.slice(0, 16)}…)`
      : `trusted header ${t.height} of ${t.chain_id} (hash ${t.hash.slice(0, 16)}…)`;
  }
  async function verify() {
    const out = $("verify-result");
    out.textContent = "verifying…"; out.className = "";
    try {
      const r = await api("/v1/devices/" + encodeURIComponent(current) + "/state?prove=true");
      const p = r.proof;
      if (p && p.verified) {
        out.className = "ok";
        out.textContent = `✓ proof verified: ${p.value ? "reading state" : "absence"} at height ${r.height} against app hash ${p.app_hash.slice(0, 16)}… of header ${p.header_height}, signed by ${p.signed_power}/${p.total_power} voting power; header verified from ${trustRoot(p.trust_root)}`;
      } else {
        out.className = "fail";
        out.textContent = "✗ proof NOT verified: " + (p ? p.error : "no proof");
      }
    } catch (e) { out.className = "fail"; out.textContent = "✗ " + e.message; }
  }
  // --- vehicles page ---
  let vehicle = null; // {vin, device} of the report shown
  let vehCursor = "";
  const short = (a) => (a ? `<code title="${esc(a)}">${esc(a.slice(0, 10))}…</code>` : "–");
  const km = (m) => (Number(m) / 1000).toLocaleString("en", { maximumFractionDigits: 1 });
  const pct = (bp) => (bp ? (Number(bp) / 100).toFixed(2) + " %" : "–");
  const when = (t) => (t ? new Date(t).toLocaleString() : "");
  const hash = (h) => (h ? `<code title="${esc(h)}">${esc(h.slice(0, 12))}…</code>` : "–");
  const badge = (text, cls) => `<span class="badge ${cls}">${esc(text)}</span>`;
  function money(c) {
    if (!c) return "–";
    const n = coinAmount(c) / 1e6, d = String(c).replace(/^[0-9]+/, "");
    return fmt(n) + " " + ({ uscn: "SCN", ukrw: "KRW" }[d] || d);
  }
  // table fills el with a header row and one row per item, or says empty;
  // a heading "name:n" is of a numeric (right-aligned) column.
  function table(el, head, items, row, empty) {
    const th = (h) => (h.endsWith(":n") ? `<th class="n">${esc(h.slice(0, -2))}</th>` : `<th>${esc(h)}</th>`);
    el.innerHTML = items.length ? `<tr>${head.map(th).join("")}</tr>` + items.map((it, i) => `<tr>${row(it, i)}</tr>`).join("")
      : `<tr><td class="empty">${esc(empty)}</td></tr>`;
  }
  function fields(el, pairs) {
    el.innerHTML = pairs.filter((p) => p[1] !== null && p[1] !== undefined && p[1] !== "").map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join("");
  }
  function vehicleRow(v) {
    const tr = document.createElement("tr");
    tr.dataset.vin = v.vin;
    tr.innerHTML = `<td><a class="vin-link" href="#vehicle/${encodeURIComponent(v.vin)}">${esc(v.vin)}</a></td>` +
      `<td>${esc(v.model)}${v.status === "recycled" ? " " + badge("recycled", "warn") : ""}</td><td>${esc(v.year)}</td><td>${short(v.owner)}</td>` +
      `<td class="n">${km(v.odometer_m)}</td><td class="n">${pct(v.soh_bp)}</td>` +
      `<td>${v.flagged ? badge("flagged", "bad") : badge("clean", "ok")}</td><td>${v.subsidy ? badge(v.subsidy, v.subsidy === "held" ? "ok" : "warn") : "–"}</td>`;
    return tr;
  }
  async function loadVehicles(more) {
    const r = await api("/v1/vehicles?limit=50" + (more && vehCursor ? "&cursor=" + encodeURIComponent(vehCursor) : ""));
    const tb = $("veh-list").tBodies[0];
    if (!more) tb.innerHTML = "";
    r.items.forEach((v) => tb.appendChild(vehicleRow(v)));
    if (!tb.rows.length) tb.innerHTML = `<tr><td class="empty" colspan="8">no vehicles registered</td></tr>`;
    vehCursor = r.next_cursor || "";
    $("veh-more").hidden = !vehCursor;
  }
  async function refreshVehicles() {
    const jobs = [
      loadVehicles(false).catch((e) => { $("veh-list").tBodies[0].innerHTML = `<tr><td class="empty" colspan="8">${esc(e.message)}</td></tr>`; }),
      api("/v1/vehicles/stats").then((s) => {
        const c = s.counters;
        $("veh-count").textContent = fmt(c.vehicles); $("veh-recycled").textContent = fmt(c.recycled);
        $("veh-flagged").textContent = fmt(c.flagged); $("veh-transfers").textContent = fmt(c.transfers);
        $("veh-subsidies").textContent = fmt(c.subsidies);
        $("veh-escrow").textContent = s.escrow.length ? s.escrow.map(money).join(", ") : "0";
      }),
    ];
    await Promise.allSettled(jobs);
  }
  // showVehicle shows a VIN's report, read with proof: the record proven
  // at a height and the odometer series checked against it.
  async function showVehicle(vin, quiet) {
    const out = $("vr-verify");
    if (!quiet) { out.textContent = "reading the report with proof…"; out.className = ""; }
    $("vin-error").textContent = "";
    let r;
    try {
      r = await api("/v1/vehicles/" + encodeURIComponent(vin) + "/report?prove=true");
    } catch (e) {
      if (quiet) return;
      vehicle = null;
      $("veh-report").hidden = true;
      $("vin-error").textContent = e.message;
      return;
    }
    const v = r.result.vehicle, pts = r.result.odometer, prog = r.result.programme;
    vehicle = { vin: v.vin, device: v.odometer_device };
    $("veh-report").hidden = false;
    $("vr-vin").textContent = v.vin;
    $("vr-title").textContent = `${v.model} (${v.year})`;
    $("vr-flag").innerHTML = (v.flags.length ? badge("odometer flagged", "bad") : badge("odometer clean", "ok")) + (v.status === "recycled" ? " " + badge("recycled", "warn") : "");
    const p = r.proof;
    if (p && p.verified && r.series && r.series.verified) {
      out.className = "ok";
      out.textContent = `✓ record proven at height ${r.height} against app hash ${p.app_hash.slice(0, 16)}… of header ${p.header_height}, signed by ${p.signed_power}/${p.total_power} voting power; odometer series of ${r.series.points} point${r.series.points === 1 ? "" : "s"} verified against the proven record; header verified from ${trustRoot(p.trust_root)}`;
    } else {
      out.className = "fail";
      out.textContent = "✗ report NOT verified: " + (p ? p.error || "series not checked" : "no proof");
    }
    const b = v.battery;
    fields($("vr-info"), [
      ["model", esc(v.model)], ["year", esc(v.year)], ["status", esc(v.status)], ["owner", short(v.owner)],
      ["battery", `${esc(fmt(b.capacity_wh / 1000))} kWh ${esc(b.chemistry)}, passport ${esc(b.passport_id)}`],
      ["odometer device", `<a href="#device/${encodeURIComponent(v.odometer_device)}">${esc(v.odometer_device)}</a>` + (v.devices.length > 1 ? ` (${v.devices.length} bound so far)` : "")],
      ["odometer", v.odometer.last ? km(v.odometer.last.value_m) + " km" : "no reading yet"],
      ["registered", `height ${esc(v.registered_height)}, ${esc(when(v.registered_time))}`],
      ["open transfer", v.open_transfer ? "#" + esc(v.open_transfer) : ""],
      ["recycled", v.recycling ? `${esc(v.recycling.reason)} (height ${esc(v.recycling.height)})` : ""],
    ]);
    table($("vr-owners"), ["#", "owner", "since", "how"], v.owners, (o, i) =>
      `<td>${i + 1}</td><td>${short(o.owner)}</td><td>h${esc(o.from_height)} ${esc(when(o.from_time))}</td>` +
      `<td>${o.transfer ? `transfer #${esc(o.transfer)}, ${esc(money(o.price))}, dealer ${short(o.dealer)}` : "registration"}</td>`, "no owner");
    lineChart($("chart-odometer"), pts.map((q) => ({ t: q.time_ms, y: q.value_m / 1000 })), pts.length <= 200);
    table($("vr-odometer"), ["interval", "time", "km:n", "device", "seq"], pts.slice(-10).reverse(), (q) =>
      `<td>${esc(q.interval)}</td><td>${esc(when(q.time_ms))}</td><td class="n">${km(q.value_m)}</td><td>${esc(q.device)}</td><td>${esc(q.seq)}</td>`, "no odometer points yet");
    table($("vr-flags"), ["kind", "device", "reading:n", "below:n", "rejected:n", "since"], v.flags, (f) =>
      `<td class="bad">${esc(f.kind)}</td><td>${esc(f.device)}</td><td class="n">${km(f.value_m)} km</td><td class="n">${km(f.previous_m)} km</td><td class="n">${esc(f.count)}</td><td>h${esc(f.height)}</td>`,
      "none: the odometer never went back");
    const bh = v.battery_health;
    $("vr-soh").textContent = bh.length ? pct(bh[bh.length - 1].soh_bp) : "–";
    table($("vr-battery"), ["SOH:n", "by", "when", "document"], bh.slice().reverse(), (m) =>
      `<td class="n">${pct(m.soh_bp)}</td><td>${short(m.by)}</td><td>${esc(when(m.time))}</td><td>${hash(m.doc_hash)}</td>`, "no measurement");
    table($("vr-accidents"), ["occurred", "severity", "summary", "by"], v.accidents, (a) =>
      `<td>${esc(new Date(a.occurred_at * 1000).toLocaleDateString())}</td><td>${badge(a.severity, a.severity === "minor" ? "warn" : "bad")}</td><td>${esc(a.summary)}</td><td>${short(a.by)}</td>`, "none recorded");
    table($("vr-inspections"), ["when", "result", "km:n", "defects:n", "SOH:n", "report"], v.inspections, (x) =>
      `<td>${esc(when(x.time))}</td><td>${badge(x.result, x.result === "pass" ? "ok" : "bad")}</td><td class="n">${km(x.odometer_m)}</td><td class="n">${esc(x.defects)}</td><td class="n">${pct(x.soh_bp)}</td><td>${hash(x.doc_hash)}</td>`,
      "none recorded");
    const sub = v.subsidy;
    if (!sub) { $("vr-subsidy").innerHTML = `<tr><td class="empty">no subsidy</td></tr>`; return; }
    fields($("vr-subsidy"), [
      ["programme", esc(sub.programme) + (prog ? ` — ${esc(prog.name)}` : "")], ["amount", esc(money(sub.amount))],
      ["status", badge(sub.status, sub.status === "held" ? "ok" : "warn")], ["holder", short(sub.holder)], ["agency", short(sub.agency)],
      ["approved", `height ${esc(sub.height)}, ${esc(when(sub.time))}`], ["holding until", esc(when(sub.holding_until))],
      ["clawed back", sub.clawed_back ? `${esc(money(sub.clawed_back))} (transfer #${esc(sub.clawback_transfer)})` : ""],
      ["programme budget left", prog ? esc(money(prog.remaining)) + " of " + esc(money(prog.budget)) : ""],
    ]);
  }

  // --- citizens page: citizen card (identity), eligibility credentials and
  // civil certificates. The chain holds no personal data: keys, hashes,
  // status bits, schemas, accreditations and anchors only. ---
  const lookups = { identity: null, status: null, leaf: null }; // what each look-up shows
  const plural = (n, one, many) => `${fmt(n)} ${Number(n) === 1 ? one : many || one + "s"}`;
  const claims = (cs) => (cs && cs.length ? cs.map((c) => `<code class="claim">${esc(c)}</code>`).join(" ") : "–");
  // all reads every page of a list route (at most max pages of 100).
  async function all(path, max) {
    let items = [], cursor = "";
    for (let i = 0; i < (max || 10); i++) {
      const r = await api(path + (path.includes("?") ? "&" : "?") + "limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
      items = items.concat(r.items || []);
      cursor = r.next_cursor || "";
      if (!cursor) break;
    }
    return items;
  }
  // proofLine says what a verified proof proved, or why it was not verified.
  function proofLine(el, r, what) {
    const p = r.proof;
    if (p && p.verified) {
      el.className = "verdict ok";
      el.textContent = `✓ proof verified: ${what} at height ${r.height} against app hash ${p.app_hash.slice(0, 16)}… of header ${p.header_height}, signed by ${p.signed_power}/${p.total_power} voting power; header verified from ${trustRoot(p.trust_root)}`;
    } else {
      el.className = "verdict fail";
      el.textContent = "✗ proof NOT verified: " + (p ? p.error : "no proof");
    }
  }
  function windowText(w, now) {
    const open = !w.until || new Date(w.until) > now, started = new Date(w.from) <= now;
    const state = w.withdrawn_height ? badge("withdrawn h" + w.withdrawn_height, "bad") : open ? (started ? badge("open", "ok") : badge("from " + new Date(w.from).toLocaleDateString(), "warn")) : badge("ended", "warn");
    return `${esc(new Date(w.from).toLocaleDateString())} – ${w.until ? esc(new Date(w.until).toLocaleDateString()) : "open-ended"} ${state}`;
  }
  async function refreshCitizens() {
    const now = new Date();
    const fail = (el) => (e) => { el.innerHTML = `<tr><td class="empty">${esc(e.message)}</td></tr>`; };
    const jobs = [
      api("/v1/identity/stats").then((s) => {
        $("cz-identities").textContent = fmt(s.identities);
        $("cz-identities-by").textContent = `${fmt(s.active)} active · ${fmt(s.suspended)} suspended · ${fmt(s.revoked)} revoked`;
        $("cz-facilities").textContent = fmt(s.facilities);
        $("cz-facilities-by").textContent = (s.facilities_by_kind || []).map((k) => `${k.kind} ${fmt(k.count)}`).join(" · ");
      }),
      api("/v1/credentials/stats").then((s) => {
        $("cz-schemas").textContent = fmt(s.schemas);
        $("cz-verifiers").textContent = fmt(s.verifiers - s.deregistered);
        $("cz-verifiers-by").textContent = s.deregistered ? `${fmt(s.deregistered)} deregistered` : "";
        $("cz-lists").textContent = fmt(s.lists);
        $("cz-lists-by").textContent = plural(s.status_set, "bit") + " set";
        $("cz-cred-anchors").textContent = fmt(s.anchors);
        $("cz-cred-anchored").textContent = plural(s.anchored, "credential") + " anchored";
      }),
      api("/v1/certificates/stats").then((s) => {
        $("cz-kinds").textContent = fmt(s.kinds);
        $("cz-agencies").textContent = `${plural(s.agencies, "agency", "agencies")}, ${plural(s.keys, "key")}`;
        $("cz-cert-anchors").textContent = fmt(s.anchors);
        $("cz-cert-anchored").textContent = plural(s.certificates, "certificate") + " anchored";
        $("cz-revocations").textContent = fmt(s.revocations);
      }),
      all("/v1/credentials/verifiers").then((vs) => table($("cz-verifier-list"), ["verifier", "name", "purpose", "may ask for", "status", "key"], vs, (v) =>
        `<td><code>${esc(v.id)}</code></td><td>${esc(v.name)}</td><td>${esc(v.purpose)}</td><td>${claims(v.claims)}</td>` +
        `<td>${v.status === "active" ? badge("active", "ok") : badge(v.status, "bad")}</td><td>${hash(v.key)}</td>`, "no verifier registered")).catch(fail($("cz-verifier-list"))),
      all("/v1/facilities").then((fs) => table($("cz-facility-list"), ["facility", "name", "kind", "required claims", "accepts tokens", "agency"], fs, (f) =>
        `<td><code>${esc(f.id)}</code></td><td>${esc(f.name)}</td><td>${esc(f.kind)}</td><td>${claims(f.claims)}</td>` +
        `<td>${f.accepts_tokens ? badge("yes", "ok") : badge("no", "warn")}</td><td>${short(f.agency)}</td>`, "no facility registered")).catch(fail($("cz-facility-list"))),
      Promise.all([all("/v1/credentials/schemas"), all("/v1/credentials/accreditations")]).then(([ss, as]) => {
        const issuers = new Set(as.map((a) => a.issuer)), open = new Set(as.filter((a) => a.windows.some((w) => !w.withdrawn_height && new Date(w.from) <= now && (!w.until || new Date(w.until) > now))).map((a) => a.issuer));
        $("cz-accredited").textContent = fmt(open.size);
        $("cz-accredited-by").textContent = `${plural(as.length, "issuer/schema pair")}, ${fmt(issuers.size)} ever accredited`;
        table($("cz-schema-list"), ["schema", "name", "claims", "accredited issuers and windows"], ss, (s) => {
          const acc = as.filter((a) => a.schema === s.id);
          return `<td><code>${esc(s.id)}</code></td><td>${esc(s.name)}</td><td>${claims(s.claims)}</td><td>` +
            (acc.length ? acc.map((a) => `<div class="acc">${short(a.issuer)} ${a.windows.map((w) => windowText(w, now)).join("; ")}</div>`).join("") : `<span class="empty">none accredited</span>`) + "</td>";
        }, "no schema registered");
      }).catch(fail($("cz-schema-list"))),
      all("/v1/certificates/kinds").then(async (ks) => {
        const agencies = {};
        await Promise.allSettled([...new Set(ks.map((k) => k.agency))].map((a) => api("/v1/certificates/agencies/" + encodeURIComponent(a)).then((r) => { agencies[a] = r.result; })));
        table($("cz-kind-list"), ["kind", "name", "agency", "validity", "disclosable fields"], ks, (k) => {
          const ag = agencies[k.agency];
          return `<td><code>${esc(k.id)}</code></td><td>${esc(k.name)}</td><td>${short(k.agency)} ${ag ? badge(ag.status, ag.status === "active" ? "ok" : "bad") : ""}</td>` +
            `<td>${k.validity_days ? plural(k.validity_days, "day") : "no expiry"}</td><td>${claims(k.fields)}</td>`;
        }, "no certificate kind registered");
      }).catch(fail($("cz-kind-list"))),
    ];
    await Promise.allSettled(jobs);
  }
  // lookup runs one look-up: it hides the last answer, shows the API's
  // error text on failure, else calls show with the answer (unless a later
  // look-up of the same kind started meanwhile).
  const asked = {};
  async function lookup(name, path, show, quiet) {
    const err = $(name + "-error"), box = $(name + "-result"), n = (asked[name] = (asked[name] || 0) + 1);
    if (!quiet) { box.hidden = true; err.textContent = ""; }
    try {
      const r = await api(path);
      if (asked[name] !== n) return;
      box.hidden = false; err.textContent = "";
      show(r);
    } catch (e) {
      if (quiet || asked[name] !== n) return;
      lookups[{ id: "identity", st: "status", leaf: "leaf" }[name]] = null;
      err.textContent = e.message;
    }
  }
  function showIdentity(id, quiet) {
    lookups.identity = id;
    $("idinput").value = id;
    return lookup("id", "/v1/identities/" + encodeURIComponent(id) + "?prove=true", (r) => {
      const v = r.result;
      if (!v) {
        fields($("id-info"), [["identity", `<code>${esc(id)}</code>`], ["record", badge("not registered" + (r.proof && r.proof.verified ? " (absence proven)" : ""), "warn")]]);
        proofLine($("id-verify"), r, "the absence of an identity record");
        return;
      }
      const inUse = v.keys.filter((k) => !k.removed_height).length;
      fields($("id-info"), [
        ["identity", `<code>${esc(v.id)}</code>`],
        ["status", badge(v.status, { active: "ok", suspended: "warn" }[v.status] || "bad") + ` since height ${esc(v.status_height)}, ${esc(when(v.status_time))}`],
        ["device keys", `${plural(inUse, "key")} in use` + (v.keys.length > inUse ? ` (${fmt(v.keys.length - inUse)} removed)` : "")],
        ["card copies", `${plural(v.commitments.length, "copy", "copies")} committed` + (v.revealed ? `, ${fmt(v.revealed)} revealed (their status bits set)` : "")],
        ["card status list", `<code>${esc(v.card_list)}</code>`],
        ["registration office", short(v.office)],
        ["registered", `height ${esc(v.registered_height)}, ${esc(when(v.registered_time))}`],
      ]);
      proofLine($("id-verify"), r, `identity record (${v.status})`);
    }, quiet);
  }
  function showStatus(list, idx, quiet) {
    lookups.status = { list, idx };
    $("stlist").value = list; $("stidx").value = idx;
    const cut = list.indexOf("/");
    if (cut < 0 || !/^[0-9]+$/.test(idx)) {
      lookups.status = null;
      asked.st = (asked.st || 0) + 1;
      $("st-result").hidden = true;
      $("st-error").textContent = cut < 0 ? `list ${JSON.stringify(list)}: want <owner address>/<name>` : `index ${JSON.stringify(idx)}: want a decimal number`;
      return Promise.resolve();
    }
    const base = "/v1/credentials/lists/" + encodeURIComponent(list.slice(0, cut)) + "/" + encodeURIComponent(list.slice(cut + 1));
    return lookup("st", base + "/status/" + encodeURIComponent(idx) + "?prove=true", (r) => {
      const v = r.result;
      fields($("st-info"), [["list", `<code>${esc(v.list)}</code>`], ["index", esc(v.idx)], ["bit", v.set ? badge("set", "bad") : badge("clear", "ok")], ["chunk", esc(v.chunk)]]);
      proofLine($("st-verify"), r, `bit ${v.idx} ${v.set ? "set" : "clear"} (chunk ${v.chunk} of the list${r.proof && r.proof.verified && !r.proof.value ? ", absent: all clear" : ""})`);
      api(base).then((l) => {
        const m = l.result, meaning = v.set ? (m.purpose === "revocation" ? "revoked" : "suspended") : "not " + (m.purpose === "revocation" ? "revoked" : "suspended");
        fields($("st-info"), [["list", `<code>${esc(v.list)}</code>`], ["purpose", esc(m.purpose)], ["size", plural(m.size, "bit")], ["index", esc(v.idx)],
          ["bit", (v.set ? badge("set", "bad") : badge("clear", "ok")) + " " + esc(meaning)], ["chunk", esc(v.chunk)]]);
      }).catch(() => {});
    }, quiet);
  }
  function showLeaf(leaf, quiet) {
    lookups.leaf = leaf;
    $("leafinput").value = leaf;
    return lookup("leaf", "/v1/certificates/revocations/" + encodeURIComponent(leaf) + "?prove=true", (r) => {
      const v = r.result.revocation;
      if (!r.result.revoked || !v) {
        fields($("leaf-info"), [["leaf", `<code>${esc(r.result.leaf)}</code>`], ["revocation", r.proof && r.proof.verified ? badge("no revocation entry (absence proven)", "ok") : badge("no revocation entry (not proven)", "warn")]]);
        proofLine($("leaf-verify"), r, "the absence of a revocation entry for this leaf");
        return;
      }
      fields($("leaf-info"), [["leaf", `<code>${esc(v.leaf)}</code>`], ["revocation", badge("revoked", "bad")],
        ["anchor", `#${esc(v.anchor)}, index ${esc(v.index)}`], ["reason", esc(v.reason)], ["by", short(v.by)], ["revoked", `height ${esc(v.height)}, ${esc(when(v.time))}`]]);
      proofLine($("leaf-verify"), r, "revocation entry");
    }, quiet);
  }

  function route() {
    const m = location.hash.match(/^#device\/(.+)$/);
    const v = location.hash.match(/^#vehicle\/(.+)$/);
    const c = location.hash.match(/^#(identity|credential-status|certificate-leaf)\/(.+)$/);
    const g = location.hash.match(/^#registry\/([^/]+)(?:\/([0-9]+))?$/);
    const onVehicles = !!v || location.hash === "#vehicles", onCitizens = !!c || location.hash === "#citizens";
    const onRegistries = !!g || location.hash === "#registries";
    const vt = location.hash.match(/^#voting(?:\/election\/([0-9]+))?$/), onVoting = !!vt;
    const lb = location.hash.match(/^#labour(?:\/(worker|works)\/(.+))?$/), onLabour = !!lb;
    $("tab-overview").className = !m && !onVehicles && !onCitizens && !onRegistries && !onVoting && !onLabour ? "on" : "";
    $("tab-vehicles").className = onVehicles ? "on" : "";
    $("tab-citizens").className = onCitizens ? "on" : "";
    $("tab-registries").className = onRegistries ? "on" : "";
    $("tab-voting").className = onVoting ? "on" : "";
    $("tab-labour").className = onLabour ? "on" : "";
    if (m) { $("vehicles").hidden = true; $("citizens").hidden = true; $("registries").hidden = true; $("voting").hidden = true; $("labour").hidden = true; showDevice(decodeURIComponent(m[1])); return; }
    current = null;
    $("device").hidden = true;
    const opened = onCitizens && $("citizens").hidden, regOpened = onRegistries && $("registries").hidden, vtOpened = onVoting && $("voting").hidden;
    const lbOpened = onLabour && $("labour").hidden;
    $("overview").hidden = onVehicles || onCitizens || onRegistries || onVoting || onLabour; $("vehicles").hidden = !onVehicles; $("citizens").hidden = !onCitizens;
    $("registries").hidden = !onRegistries; $("voting").hidden = !onVoting; $("labour").hidden = !onLabour;
    if (onLabour) {
      if (window.CityLabour) CityLabour.show(lb[1] || "", lb[2] ? decodeURIComponent(lb[2]) : "", lbOpened);
      return;
    }
    if (onVoting) {
      if (window.CityVoting) CityVoting.show(vt[1] || "", vtOpened);
      return;
    }
    if (onRegistries) {
      if (window.CityRegistries) CityRegistries.show(g ? decodeURIComponent(g[1]) : "", g && g[2] ? g[2] : "", regOpened);
      return;
    }
    if (onCitizens) {
      if (opened) refreshCitizens();
      if (!c) return;
      const arg = c[2].split("/").map((x) => { try { return decodeURIComponent(x); } catch (e) { return x; } }).join("/");
      if (c[1] === "identity") showIdentity(arg);
      else if (c[1] === "certificate-leaf") showLeaf(arg);
      else { const i = arg.lastIndexOf("/"); showStatus(i < 0 ? arg : arg.slice(0, i), i < 0 ? "" : arg.slice(i + 1)); }
      return;
    }
    if (!onVehicles) return;
    refreshVehicles();
    if (v) { const vin = decodeURIComponent(v[1]); $("vininput").value = vin; showVehicle(vin); } else { vehicle = null; $("veh-report").hidden = true; }
  }
  // go shows a deep link, or runs the look-up again when it is shown.
  function go(hash, again) {
    if (location.hash === hash) again(); else location.hash = hash;
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (window.CityRegistries) {
      CityRegistries.init({ api, all, key, esc, fmt, badge, table, fields, proofLine, short, hash, when, plural, later });
    }
    if (window.CityVoting) CityVoting.init({ api, all, proofLine, later });
    if (window.CityLabour) CityLabour.init({ api, all, proofLine, later });
    $("keysave").onclick = () => { localStorage.setItem("citychain-api-key", $("keyinput").value.trim()); location.reload(); };
    $("verify").onclick = verify;
    $("devform").onsubmit = (e) => { e.preventDefault(); const v = $("devinput").value.trim(); if (v) location.hash = "#device/" + encodeURIComponent(v); };
    $("vinform").onsubmit = (e) => {
      e.preventDefault();
      const v = $("vininput").value.trim().toUpperCase();
      if (!v) return;
      if (location.hash === "#vehicle/" + encodeURIComponent(v)) showVehicle(v); else location.hash = "#vehicle/" + encodeURIComponent(v);
    };
    $("veh-more").onclick = () => loadVehicles(true).catch(() => {});
    $("idform").onsubmit = (e) => {
      e.preventDefault();
      const id = $("idinput").value.trim().toLowerCase();
      if (id) go("#identity/" + encodeURIComponent(id), () => showIdentity(id));
    };
    $("stform").onsubmit = (e) => {
      e.preventDefault();
      const list = $("stlist").value.trim(), idx = $("stidx").value.trim();
      if (list || idx) go("#credential-status/" + (list + "/" + idx).split("/").map(encodeURIComponent).join("/"), () => showStatus(list, idx));
    };
    $("leafform").onsubmit = (e) => {
      e.preventDefault();
      const leaf = $("leafinput").value.trim().toLowerCase();
      if (leaf) go("#certificate-leaf/" + encodeURIComponent(leaf), () => showLeaf(leaf));
    };
    window.addEventListener("hashchange", route);
    route();
    refreshStatus().catch(() => {});
    refreshCharts();
    connect();
    setInterval(() => { refreshStatus().catch(() => {}); }, 10000);
  });
})();
