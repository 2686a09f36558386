// citychain dashboard, "work & public works" tab: the labour module
// (part-time employment contracts with their schedules, the dated rule
// table, wage statements, escrow funds and late pay) and the contracts
// module (public-works contracts: milestones, subcontractors and their
// direct-payment grounds, instalments the prime owes, the public arrears
// view per tier). A worker look-up shows one worker's contracts, wage
// statements (items with their basis, deductions, net; late ones with the
// interest accrued so far) and project lines with a proof.
//
// Read only: the page signs nothing. No personal data is on chain; the
// contracts' personal fields are commitments, shown as short hashes. Every
// text that comes from the chain reaches the page as a text node
// (textContent), never as markup.
"use strict";
(function () {
  let H = null; // the dashboard's helpers (app.js passes them to init)
  const $ = (id) => document.getElementById(id);

  const { el, fill, badge, code, addr, fmt, result, list, td, tdn, rows, kv } = window.CityDOM;

  const hash = (h) => (h && !/^0+$/.test(h) ? code(String(h).slice(0, 12) + "…", String(h)) : "–");
  const won = (n) => "₩" + fmt(n);
  const plural = (n, one, many) => `${fmt(n)} ${Number(n) === 1 ? one : many || one + "s"}`;
  // Times are unix seconds; the modules' dates and weeks are KST.
  const when = (t) => (t ? new Date(Number(t) * 1000).toLocaleString("en-GB", { timeZone: "Asia/Seoul", dateStyle: "medium", timeStyle: "short" }) + " KST" : "–");
  const day = (t) => (t ? new Date(Number(t) * 1000).toLocaleDateString("en-CA", { timeZone: "Asia/Seoul" }) : "–");
  // pct shows a rate in parts per 100,000 as a percentage (4750 → 4.75 %).
  const pct = (v) => `${(Number(v) / 1000).toFixed(3).replace(/\.?0+$/, "")} %`;
  const hm = (min) => { const h = Math.floor(min / 60), m = min % 60; return m ? `${h} h ${m} min` : `${h} h`; };

  const failRow = (tbl, e) => fill(tbl, el("tr", {}, el("td", { className: "empty bad" }, e.message || String(e))));
  const enc = encodeURIComponent;
  const isAddr = (s) => /^[0-9a-f]{40}$/.test(s);

  const RULES = {
    min_wage: "minimum wage",
    pension: "national pension (employee share)",
    health: "health insurance (employee share)",
    care: "long-term care (share of the health premium)",
    employment: "employment insurance (employee share)",
    late_interest: "late-pay interest (a year)",
  };
  const ITEMS = { hours: "hours worked", weekly_holiday: "weekly holiday allowance (주휴수당)", rounding: "rounding" };
  const GROUNDS = { agreement: "three-party agreement", missed_instalments: "two missed instalments", insolvency: "insolvency (attested)", guarantee_breach: "guarantee breach (attested)" };
  const TIERS = { prime: "owner → prime", subcontract: "→ subcontractors", labour: "labour pool → workers" };
  const ruleValue = (r) => (r.kind === "min_wage" ? `${won(r.value)} an hour` : pct(r.value) + (r.kind === "late_interest" ? " a year" : ""));

  // The lists read at most MAX_PAGES pages of 100 (the first ids); the
  // late statements' accrued interest is read for the first MAX_ACCRUED.
  const MAX_PAGES = 2, MAX_ACCRUED = 50;
  let chain = { height: 0, time: 0 }; // the latest block: height, unix seconds
  let rules = []; // the labour rule table, date order
  let worker = ""; // the worker looked up
  let works = ""; // the public-works contract shown
  const asked = { list: 0, worker: 0, works: 0 };

  // build makes the tab's skeleton in <main id="labour">.
  function build() {
    const card = (title, id, sub) => el("div", { className: "card" }, el("h3", {}, title), el("div", { id, className: "big" }, "–"), sub ? el("div", { id: sub, className: "sub" }) : null);
    const panel = (cls, title, ...kids) => el("div", { className: "panel " + (cls || "") }, el("h2", {}, title), ...kids);
    const table = (id, cls) => el("table", { id, className: cls || "list" }, el("tr", {}, el("td", { className: "empty" }, "loading…")));
    fill($("labour"),
      el("p", { className: "note" }, "Part-time work (labour module): countersigned employment contracts with their working days and hours, " +
        "timesheets, pay computed at consensus against the dated minimum wage and paid on the pay day from the employer's escrow — " +
        "late pay accrues interest until paid. Public works (contracts module): the owner's money in escrow, milestones released on the " +
        "supervisor's approval straight to the subcontractors and the workers, and the public arrears view. The chain holds no personal " +
        "data: names, places and documents are commitments, shown as short hashes."),
      el("section", { className: "cards" },
        card("employment contracts", "lb-n-contracts", "lb-n-active"), card("wage statements", "lb-n-statements", "lb-n-paid"),
        card("late statements", "lb-n-late", "lb-late-by"), card("wages paid", "lb-paid", "lb-withheld"),
        card("labour escrow", "lb-escrow", "lb-queued"), card("public-works contracts", "lb-n-works", "lb-works-escrow"),
        card("height", "lb-height", "lb-time")),
      el("section", { className: "grid" },
        panel("", "Dated rule table (labour ministry)", table("lb-rules", "list lb-rules"),
          el("div", { className: "sub" }, "A row holds from its date until a later row of its kind. A wage below the minimum in force on a shift's date is refused."),
          el("h2", { className: "lb-sub" }, "Subcontract late payment"), el("table", { id: "lb-ct-params", className: "lb-kv" })),
        panel("", "Worker look-up",
          el("form", { id: "lb-worker-form", className: "lookup" }, el("label", { for: "lb-worker" }, "worker"), " ",
            el("input", { id: "lb-worker", size: 44, spellcheck: "false", autocomplete: "off", placeholder: "worker address (40 hex)" }), " ",
            el("button", {}, "look up")),
          el("div", { id: "lb-w-error", className: "bad" }),
          el("div", { className: "sub" }, "A worker's contracts, wage statements (each item with its basis, the deductions and the net; a late one with the interest accrued so far) and lines in public-works projects, with their proofs.")),
        el("section", { id: "lb-w", className: "panel wide", hidden: true },
          el("h2", {}, "Worker ", el("code", { id: "lb-w-addr" })),
          el("h2", { className: "lb-sub" }, "Contracts"), table("lb-w-contracts"),
          el("h2", { className: "lb-sub" }, "Wage statements"), el("div", { id: "lb-w-statements" }),
          el("h2", { className: "lb-sub" }, "Project lines (public arrears view)"), table("lb-w-lines")),
        panel("wide", "Employment contracts", table("lb-contracts"), el("div", { id: "lb-contracts-more", className: "sub" })),
        panel("wide", "Late wage statements (visible to the worker and the ministry)", table("lb-late")),
        panel("wide", "Escrow funds: what is owed against what is held", table("lb-funds")),
        panel("wide", "Public-works contracts", table("lb-works"))),
      el("div", { id: "lb-error", className: "bad" }),
      el("section", { id: "lb-work", hidden: true },
        el("h2", { className: "lb-head" }, "Public-works contract ", el("code", { id: "lb-wk-id" }), " ", el("span", { id: "lb-wk-badges" })),
        el("section", { className: "grid" },
          panel("", "Contract (fixed at creation)", el("table", { id: "lb-wk-info", className: "lb-kv" })),
          panel("", "Arrears per tier (public)", table("lb-wk-arrears"), el("div", { className: "sub" },
            "owed: released to a party that still owes it on, or wages due and unpaid; overdue: the part past its legal due date")),
          panel("wide", "Milestones", table("lb-wk-milestones")),
          panel("wide", "Subcontractors", table("lb-wk-subs")),
          panel("wide", "Instalments the prime owes its subcontractors", table("lb-wk-instalments")),
          panel("wide", "Arrears lines, each with its proof", table("lb-wk-lines")))));
  }

  // --- the lists ---

  async function refreshStatus() {
    const s = await H.api("/v1/status");
    chain = { height: Number(s.height), time: s.block_time ? Math.floor(new Date(s.block_time).getTime() / 1000) : 0 };
    $("lb-height").textContent = fmt(chain.height);
    $("lb-time").textContent = s.block_time ? "block time " + when(chain.time) : "";
  }

  function renderRules(r) {
    rules = (r && r.rules) || [];
    const kinds = Object.keys(RULES);
    const sorted = rules.slice().sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || (a.effective < b.effective ? -1 : a.effective > b.effective ? 1 : 0));
    const today = chain.time ? day(chain.time) : "";
    const inForce = {};
    sorted.forEach((x) => { if (!today || x.effective <= today) inForce[x.kind] = x.effective; });
    const trs = rows($("lb-rules"), ["rule", "from", "value:n", ""], sorted, (x, i) => [
      td(i > 0 && sorted[i - 1].kind === x.kind ? "" : RULES[x.kind] || x.kind), td(x.effective), tdn(ruleValue(x)),
      td(inForce[x.kind] === x.effective ? badge("in force", "ok") : x.effective > today ? badge("from " + x.effective, "warn") : badge("superseded", "lb-none"))], "no rule");
    trs.forEach((tr, i) => { tr.dataset.kind = sorted[i].kind; tr.dataset.effective = sorted[i].effective; tr.dataset.value = sorted[i].value; });
  }

  // schedule shows a contract's working days and hours, consecutive days
  // with the same hours on one line ("mon–fri 09:00–13:30 · 4 h (break 30
  // min)"), and the contracted hours a week.
  const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  function schedule(c) {
    const groups = [];
    (c.schedule || []).slice().sort((a, b) => WEEK.indexOf(a.day) - WEEK.indexOf(b.day)).forEach((d) => {
      const g = groups[groups.length - 1], same = g && g.start === d.start && g.minutes === Number(d.minutes) && g.brk === Number(d.break_minutes || 0);
      if (same && WEEK.indexOf(g.days[g.days.length - 1]) + 1 === WEEK.indexOf(d.day)) g.days.push(d.day);
      else groups.push({ days: [d.day], start: d.start, minutes: Number(d.minutes), brk: Number(d.break_minutes || 0) });
    });
    const days = groups.map((g) => {
      const [h, m] = String(g.start).split(":").map(Number), end = h * 60 + m + g.minutes + g.brk;
      const hh = (x) => String(Math.floor(x / 60) % 24).padStart(2, "0") + ":" + String(x % 60).padStart(2, "0");
      const names = g.days.length > 2 ? `${g.days[0]}–${g.days[g.days.length - 1]}` : g.days.join(", ");
      return el("div", { className: "lb-day", "data-days": g.days.join(" ") }, el("b", {}, names), ` ${g.start}–${hh(end)} · ${hm(g.minutes)}` + (g.brk ? ` (break ${g.brk} min)` : ""));
    });
    const week = (c.schedule || []).reduce((n, d) => n + Number(d.minutes), 0);
    return [days, el("div", { className: "sub lb-week" }, `${hm(week)} a week · holiday ${c.weekly_holiday || "–"}`)];
  }
  const payText = (c) => (c.pay_cycle === "daily" ? "daily, at each clock-out" : c.pay_cycle === "weekly" ? `weekly, on ${["", "mon", "tue", "wed", "thu", "fri", "sat", "sun"][c.pay_day] || c.pay_day}` : `monthly, on day ${c.pay_day}`);
  const statusClass = { offered: "warn", active: "ok", ended: "lb-none", paid: "ok", late: "bad", pending: "warn" };
  const workerLink = (a) => (a ? el("a", { href: "#labour/worker/" + enc(a), className: "lb-worker-link", title: a }, String(a).slice(0, 10) + "…") : "–");
  const projectLink = (p) => (p ? el("a", { href: "#labour/works/" + enc(p), className: "lb-works-link" }, p) : "–");
  function commitments(c) {
    return el("div", { className: "lb-commit" }, [["terms", c.terms], ["worker id", c.worker_id], ["place", c.place], ["duties", c.duties], ["leave", c.leave]]
      .map(([k, h]) => el("div", {}, el("span", { className: "sub" }, k + " "), hash(h))));
  }
  function contractRow(c, withWorker) {
    const period = `${c.start} – ${c.ended_on || c.end || "open-ended"}`;
    return [
      tdn(String(c.id)), td(addr(c.employer)), withWorker ? td(workerLink(c.worker)) : null, td(projectLink(c.project)),
      td(period, c.ended_on ? el("div", { className: "sub" }, "ended early") : null), td(schedule(c)),
      tdn(won(c.hourly_wage)), td(payText(c)),
      td(badge(c.status, statusClass[c.status]), el("div", { className: "sub" }, c.countersigned ? "countersigned " + when(c.countersigned) : "awaiting the worker")),
      tdn(fmt(c.shifts)), td(commitments(c)),
    ];
  }
  const contractHead = (withWorker) => ["#:n", "employer", withWorker ? "worker" : null, "project", "period", "working days and hours", "wage/h:n", "pay", "status", "shifts:n", "commitments"].filter(Boolean);

  // withAccrual adds to a late payment (a statement, an instalment) the
  // days late and the interest accrued as of the block read, which the API
  // answers beside the stored item (accrued) of its single read.
  async function withAccrual(item, path) {
    try {
      const r = await H.api(path), a = r && r.accrued;
      return Object.assign({}, result(r) || item, a ? { days_late: a.days_late, accrued_interest_krw: a.accrued_interest_krw, accrued_as_of: a.as_of_date } : {});
    } catch (e) { return item; }
  }
  const statementDetail = (s) => (s.status === "late" ? withAccrual(s, "/v1/labour/statements/" + enc(s.id)) : s);
  const known = (s) => s.accrued_interest_krw !== undefined;

  async function refresh() {
    const n = ++asked.list;
    await refreshStatus().catch(() => {});
    const [st, rl, cp, cs, late, ws] = await Promise.allSettled([H.api("/v1/labour/stats"), H.api("/v1/labour/rules"), H.api("/v1/contracts/params"),
      H.all("/v1/labour/contracts", MAX_PAGES), H.all("/v1/labour/statements?late=true", MAX_PAGES), H.all("/v1/contracts", MAX_PAGES)]);
    if (n !== asked.list) return;
    if (st.status === "fulfilled") {
      const s = result(st.value);
      $("lb-n-contracts").textContent = fmt(s.contracts); $("lb-n-active").textContent = `${fmt(s.active)} active · ${plural(s.shifts, "shift")}`;
      $("lb-n-statements").textContent = fmt(s.statements); $("lb-n-paid").textContent = `${fmt(s.paid)} paid`;
      $("lb-n-late").textContent = fmt(s.late); $("lb-n-late").className = "big" + (Number(s.late) ? " bad" : "");
      $("lb-late-by").textContent = `${won(s.interest_krw)} late interest paid`;
      $("lb-paid").textContent = won(s.paid_krw); $("lb-withheld").textContent = `${won(s.withheld_krw)} withheld for the insurances`;
      $("lb-escrow").textContent = won(s.escrow_krw); $("lb-queued").textContent = `${plural(s.queued, "week closing or payment", "week closings or payments")} queued`;
    }
    if (rl.status === "fulfilled") renderRules(result(rl.value)); else failRow($("lb-rules"), rl.reason);
    if (cp.status === "fulfilled") {
      const p = result(cp.value);
      kv($("lb-ct-params"), [...(p.late_rates || []).map((r) => [`from ${r.effective}`, pct(r.value) + " a year"]),
        ["due", "the earliest of the milestone's due date, delivery + 60 days, approval + 15 days"],
        ["direct payment", "after 2 missed instalments, by itself"], ["per block", `${fmt(p.max_due_per_block)} due dates examined`]]);
    }
    let contracts = [];
    if (cs.status === "fulfilled") {
      contracts = cs.value.slice().sort((a, b) => b.id - a.id);
      const trs = rows($("lb-contracts"), contractHead(true), contracts, (c) => contractRow(c, true), "no employment contract yet");
      const total = st.status === "fulfilled" ? Number(result(st.value).contracts) : contracts.length;
      $("lb-contracts-more").textContent = total > contracts.length ? `showing the first ${fmt(contracts.length)} of ${fmt(total)} contracts (and their employers' funds): look up a worker for theirs` : "";
      trs.forEach((tr, i) => { tr.dataset.id = contracts[i].id; tr.dataset.status = contracts[i].status; });
    } else failRow($("lb-contracts"), cs.reason);
    if (late.status === "fulfilled") {
      const ls = await Promise.all(late.value.map((s, i) => (i < MAX_ACCRUED ? statementDetail(s) : s)));
      if (n !== asked.list) return;
      const trs = rows($("lb-late"), ["#:n", "contract:n", "worker", "employer", "project", "period", "due", "gross:n", "days late:n", "interest accrued:n"], ls, (s) => [
        tdn(String(s.id)), tdn(String(s.contract)), td(workerLink(s.worker)), td(addr(s.employer)), td(projectLink(s.project)),
        td(`${day(s.from)} – ${day(s.to)}`), td(when(s.due)), tdn(won(s.gross_krw)), tdn(known(s) ? fmt(s.days_late) : "–"), tdn(known(s) ? won(s.accrued_interest_krw) : "–")], "no late statement");
      trs.forEach((tr, i) => { tr.dataset.id = ls[i].id; });
    } else failRow($("lb-late"), late.reason);
    let projects = [];
    if (ws.status === "fulfilled") {
      projects = ws.value.slice().sort((a, b) => (a.id < b.id ? -1 : 1));
      $("lb-n-works").textContent = fmt(projects.length);
      $("lb-works-escrow").textContent = `${won(projects.reduce((t, c) => t + Number(c.escrow_krw || 0), 0))} in escrow`;
      const trs = rows($("lb-works"), ["contract", "owner", "prime", "total:n", "escrow:n", "released:n", "refunded:n", "milestones", "subcontractors"], projects, worksRow, "no public-works contract yet");
      trs.forEach((tr, i) => { tr.dataset.id = projects[i].id; });
    } else failRow($("lb-works"), ws.reason);
    await refreshFunds(n, contracts, projects);
  }

  const poolsTotal = (p) => ["subcontract_krw", "labour_krw", "equipment_krw", "materials_krw"].reduce((t, k) => t + Number((p || {})[k] || 0), 0);
  function msSummary(c) {
    const ms = c.milestones || [], count = (s) => ms.filter((m) => m.status === s).length;
    return [`${count("approved")} of ${ms.length} approved`, count("frozen") ? [" ", badge(`${count("frozen")} frozen`, "bad")] : null,
      count("refunded") ? [" ", badge(`${count("refunded")} refunded`, "warn")] : null];
  }
  function worksRow(c) {
    const subs = c.subcontractors || [], direct = subs.filter((s) => s.direct).length;
    return [td(el("a", { href: "#labour/works/" + enc(c.id), className: "lb-works-link" }, c.id)), td(addr(c.owner)), td(addr(c.prime)),
      tdn(won(poolsTotal(c.pools))), tdn(won(c.escrow_krw)), tdn(won(c.released_krw)), tdn(won(c.refunded_krw)), td(msSummary(c)),
      td(`${fmt(subs.length)}`, direct ? [" ", badge(`${direct} paid directly`, "ok")] : null)];
  }

  // refreshFunds reads the funds of every employer and project seen.
  async function refreshFunds(n, contracts, projects) {
    const owners = [...new Set(contracts.filter((c) => !c.project).map((c) => c.employer))].sort();
    const names = [...new Set(projects.map((p) => p.id).concat(contracts.filter((c) => c.project).map((c) => c.project)))].sort();
    const reads = owners.map((o) => H.api("/v1/labour/funds/" + enc(o)).then(result, () => null))
      .concat(names.map((p) => H.api("/v1/labour/projects/" + enc(p) + "/fund").then(result, () => null)));
    const funds = (await Promise.all(reads)).map((f, i) => (f ? Object.assign({ key: i < owners.length ? owners[i] : names[i - owners.length] }, f) : null)).filter(Boolean);
    if (n !== asked.list) return;
    const trs = rows($("lb-funds"), ["fund", "balance:n", "owed:n", "", "deposited:n", "paid:n", "withdrawn:n", "late:n"], funds, (f) => {
      const short = Number(f.owed_krw) > Number(f.balance_krw);
      return [td(f.project ? ["labour pool of ", projectLink(f.project)] : ["employer ", addr(f.owner || f.key)]),
        tdn(won(f.balance_krw)), tdn(won(f.owed_krw)),
        td(short ? badge(`short by ${won(Number(f.owed_krw) - Number(f.balance_krw))}`, "bad") : badge("covered", "ok")),
        tdn(won(f.deposited_krw)), tdn(won(f.paid_krw)), tdn(won(f.withdrawn_krw)), tdn(fmt(f.late))];
    }, "no fund yet");
    trs.forEach((tr, i) => {
      const f = funds[i];
      tr.dataset.fund = f.project ? "project:" + f.project : f.owner || f.key;
      tr.dataset.short = Number(f.owed_krw) > Number(f.balance_krw) ? "true" : "false";
      if (tr.dataset.short === "true") tr.classList.add("lb-short");
    });
  }

  // --- the worker look-up ---

  function statementCard(s) {
    const items = s.items || [], deds = s.deductions || [];
    const dedTotal = deds.reduce((t, d) => t + Number(d.amount_krw), 0);
    const state = s.status === "late" ? badge("LATE" + (known(s) ? ` · ${plural(s.days_late, "day")} · ${won(s.accrued_interest_krw)} interest accrued` : " (interest accrued: not read)"), "bad")
      : s.status === "paid" ? badge("paid " + when(s.paid_at) + (s.days_late ? `, ${plural(s.days_late, "day")} late` : ""), "ok")
        : badge("pending, due " + when(s.due), "warn");
    const itemRows = items.map((it) => el("tr", { "data-item": it.name }, td(ITEMS[it.name] || it.name), td(el("span", { className: "lb-basis" }, it.basis)), tdn(won(it.amount_krw))));
    const dedRows = deds.map((d) => el("tr", { "data-deduction": d.name }, td(RULES[d.name] ? RULES[d.name].replace(/ \(.*\)$/, "") : d.name),
      td(el("span", { className: "lb-basis" }, `${pct(d.rate)} of ${won(d.base_krw)}`)), tdn("−" + won(d.amount_krw))));
    return el("div", { className: "lb-stmt" + (s.status === "late" ? " late" : ""), "data-id": s.id, "data-status": s.status },
      el("div", { className: "lb-stmt-head" }, el("b", {}, `Statement #${s.id}`), ` · contract #${s.contract} · ${day(s.from)} – ${day(s.to)} · due ${when(s.due)} `, state,
        s.project ? [" ", el("span", { className: "sub" }, "paid from the labour pool of "), projectLink(s.project)] : null),
      el("table", { className: "list lb-items" }, el("tr", {}, el("th", {}, "item"), el("th", {}, "basis"), el("th", { className: "n" }, "amount")), itemRows,
        el("tr", { className: "lb-total" }, td("gross"), td(""), tdn(el("span", { className: "lb-gross" }, won(s.gross_krw)))), dedRows,
        el("tr", { className: "lb-total" }, td("net paid"), td(el("span", { className: "lb-basis" }, `gross − ${won(dedTotal)} deductions`)), tdn(el("span", { className: "lb-net" }, won(s.net_krw)))),
        s.status === "paid" && Number(s.interest_krw) ? el("tr", {}, td("late interest"), td(el("span", { className: "lb-basis" }, `${plural(s.days_late, "day")} late`)), tdn(won(s.interest_krw))) : null),
      el("div", { className: "sub" }, "worker id ", hash(s.worker_id), " · employer ", addr(s.employer)));
  }

  // lineVerify reads a line with ?prove=true and says what the proof showed.
  async function lineVerify(path, out, what) {
    out.textContent = "verifying…"; out.className = "verdict";
    try {
      const r = await H.api(path + (path.includes("?") ? "&" : "?") + "prove=true");
      const v = result(r);
      H.proofLine(out, r, v && (Number(v.owed_krw) || Number(v.paid_krw) || Number(v.overdue_krw)) ? `${what}: owed ${won(v.owed_krw)}, paid ${won(v.paid_krw)}` : `${what} (owed ₩0, paid ₩0${v ? "" : ": absent"})`);
    } catch (e) { out.className = "verdict fail"; out.textContent = "✗ " + e.message; }
  }
  const verifyCell = (path, what) => {
    const out = el("div", { className: "verdict" });
    return td(el("button", { type: "button", className: "lb-verify", onclick: () => lineVerify(path, out, what) }, "verify proof"), out);
  };

  async function showWorker(a, quiet) {
    const n = ++asked.worker;
    worker = a;
    $("lb-worker").value = a;
    if (!isAddr(a)) { $("lb-w").hidden = true; $("lb-w-error").textContent = `worker ${JSON.stringify(a)}: want an address of 40 hex characters`; return; }
    $("lb-w-error").textContent = "";
    const [cs, ss] = await Promise.allSettled([H.all("/v1/labour/contracts?worker=" + enc(a), 5), H.all("/v1/labour/statements?worker=" + enc(a), 5)]);
    if (n !== asked.worker) return;
    if (cs.status === "rejected" && ss.status === "rejected") { $("lb-w").hidden = true; $("lb-w-error").textContent = cs.reason.message; return; }
    $("lb-w").hidden = false;
    $("lb-w-addr").textContent = a;
    const contracts = cs.status === "fulfilled" ? cs.value : [];
    if (cs.status === "fulfilled") {
      const trs = rows($("lb-w-contracts"), contractHead(false), contracts, (c) => contractRow(c, false), "no contract with this worker");
      trs.forEach((tr, i) => { tr.dataset.id = contracts[i].id; tr.dataset.status = contracts[i].status; });
    } else failRow($("lb-w-contracts"), cs.reason);
    if (ss.status === "fulfilled") {
      const st = await Promise.all(ss.value.slice().sort((x, y) => y.id - x.id).slice(0, 100).map(statementDetail));
      if (n !== asked.worker) return;
      fill($("lb-w-statements"), st.length ? st.map(statementCard) : el("div", { className: "empty" }, "no wage statement yet"));
    } else fill($("lb-w-statements"), el("div", { className: "bad" }, ss.reason.message));
    const projects = [...new Set(contracts.map((c) => c.project).filter(Boolean))].sort();
    const lines = await Promise.all(projects.map((p) => H.api("/v1/labour/projects/" + enc(p) + "/lines/" + enc(a)).then(result, () => null)
      .then((v) => Object.assign({ project: p, owed_krw: 0, paid_krw: 0 }, v || {}))));
    if (n !== asked.worker) return;
    const trs = rows($("lb-w-lines"), ["project", "owed:n", "paid:n", "proof"], lines, (l) => [td(projectLink(l.project)), tdn(won(l.owed_krw)), tdn(won(l.paid_krw)),
      verifyCell("/v1/labour/projects/" + enc(l.project) + "/lines/" + enc(a), `line of project ${l.project}`)], "no public-works project");
    trs.forEach((tr, i) => { tr.dataset.project = lines[i].project; });
  }

  // --- a public-works contract ---

  const msClass = { open: "lb-none", delivered: "warn", approved: "ok", frozen: "bad", refunded: "warn" };
  async function showWorks(id, quiet) {
    const n = ++asked.works, base = "/v1/contracts/" + enc(id);
    works = id;
    let c;
    try {
      c = result(await H.api(base));
    } catch (e) {
      if (n !== asked.works || quiet) return;
      $("lb-work").hidden = true; $("lb-error").textContent = `contract ${id}: ${e.message}`;
      return;
    }
    if (n !== asked.works) return;
    if (!c) { $("lb-work").hidden = true; $("lb-error").textContent = `contract ${id}: no such contract`; return; }
    $("lb-error").textContent = "";
    $("lb-work").hidden = false;
    $("lb-work").dataset.id = c.id;
    $("lb-wk-id").textContent = c.id;
    const subs = c.subcontractors || [], ms = c.milestones || [];
    fill($("lb-wk-badges"), msSummary(c));
    const p = c.pools || {};
    kv($("lb-wk-info"), [
      ["owner agency", addr(c.owner)], ["prime", addr(c.prime)], ["supervisor", addr(c.supervisor)], ["arbiter", addr(c.arbiter)], ["guarantor", addr(c.guarantor)],
      ["pools", el("div", {}, `subcontract ${won(p.subcontract_krw)} · labour ${won(p.labour_krw)} · equipment ${won(p.equipment_krw)} · materials ${won(p.materials_krw)}`)],
      ["total", won(poolsTotal(p))], ["escrow holds", won(c.escrow_krw)], ["released", won(c.released_krw)], ["refunded", won(c.refunded_krw)],
      ["created", when(c.created)], ["terms", hash(c.terms)],
      ["grounds attested", c.attested && c.attested.length ? c.attested.map((g) => badge(GROUNDS[g] || g, "warn")) : "none"],
      ["labour pool", el("span", { id: "lb-wk-pool" }, "…")],
    ]);
    if (!quiet) $("lb-work").scrollIntoView();
    let trs = rows($("lb-wk-milestones"), ["#:n", "milestone", "due", "weight:n", "status", "delivered", "approved", "dispute"], ms, (m, i) => [
      tdn(String(i)), td(m.name), td(m.due), tdn(`${(Number(m.weight_bp) / 100).toFixed(2).replace(/\.?0+$/, "")} %`),
      td(badge(m.status, msClass[m.status]), m.status === "frozen" ? [" ", badge("FROZEN: only the arbiter resolves it", "bad lb-frozen")] : null),
      td(when(m.delivered)), td(when(m.approved)),
      td(m.dispute && !/^0+$/.test(m.dispute) ? ["claim ", hash(m.dispute), m.disputed_by ? [" by ", addr(m.disputed_by)] : null] : "–")], "no milestone");
    trs.forEach((tr, i) => { tr.dataset.index = i; tr.dataset.status = ms[i].status; });
    trs = rows($("lb-wk-subs"), ["subcontractor", "share:n", "payment", "agreement", "missed:n", "paid:n", "owed by the prime:n", "scope"], subs, (s) => [
      td(addr(s.address)), tdn(won(s.share_krw)),
      td(s.direct ? badge("paid directly: " + (GROUNDS[s.ground] || s.ground), "ok lb-direct") : badge("through the prime", "lb-none")),
      td(s.agreed && s.agreed.length ? `signed by ${s.agreed.join(", ")}` : "–"),
      tdn(el("span", { className: Number(s.missed) ? "bad" : "" }, fmt(s.missed))), tdn(won(s.paid_krw)), tdn(won(s.owed_krw)), td(hash(s.scope))], "no subcontractor");
    trs.forEach((tr, i) => { tr.dataset.sub = subs[i].address; tr.dataset.direct = subs[i].direct ? "true" : "false"; tr.dataset.missed = subs[i].missed; tr.dataset.ground = subs[i].ground || ""; });
    const [is, ar, ls, pf] = await Promise.allSettled([H.api(base + "/instalments"), H.api(base + "/arrears"), H.all("/v1/labour/projects/" + enc(id) + "/lines", 5),
      H.api("/v1/labour/projects/" + enc(id) + "/fund")]);
    if (n !== asked.works) return;
    const pool = pf.status === "fulfilled" ? result(pf.value) : null;
    $("lb-wk-pool").textContent = pool ? `holds ${won(pool.balance_krw)}, owes ${won(pool.owed_krw)}; ${won(pool.paid_krw)} paid to workers` : "nothing released to it yet";
    if (is.status === "fulfilled") {
      const xs = await Promise.all(list(result(is.value), "instalments").map((x) => (x.paid_at || !(chain.time && Number(x.due) < chain.time) ? x
        : withAccrual(x, `${base}/instalments/${enc(x.milestone)}/${enc(x.subcontractor)}`))));
      if (n !== asked.works) return;
      trs = rows($("lb-wk-instalments"), ["milestone", "subcontractor", "principal:n", "due", "status", "interest:n"], xs, (x) => {
        const overdue = !x.paid_at && chain.time && Number(x.due) < chain.time;
        return [td(ms[x.milestone] ? `#${x.milestone} ${ms[x.milestone].name}` : `#${x.milestone}`), td(addr(x.subcontractor)), tdn(won(x.principal_krw)), td(when(x.due)),
          td(x.paid_at ? badge("paid " + when(x.paid_at), "ok") : x.missed ? badge("MISSED", "bad") : overdue ? badge("overdue", "bad") : badge("due", "warn")),
          tdn(x.paid_at ? [won(x.interest_krw || 0), el("div", { className: "sub" }, "paid with it")]
            : x.accrued_interest_krw !== undefined ? [won(x.accrued_interest_krw), el("div", { className: "sub" }, `accrued: ${plural(x.days_late, "day")} late`)] : "–")];
      }, "no instalment: nothing released through the prime");
      trs.forEach((tr, i) => { tr.dataset.milestone = xs[i].milestone; tr.dataset.sub = xs[i].subcontractor; tr.dataset.missed = xs[i].missed ? "true" : "false"; });
    } else failRow($("lb-wk-instalments"), is.reason);
    if (ar.status === "fulfilled") {
      const tiers = list(result(ar.value), "tiers");
      trs = rows($("lb-wk-arrears"), ["tier", "owed:n", "paid:n", "overdue:n"], tiers, (t) => [td(el("b", {}, t.tier), " ", el("span", { className: "sub" }, TIERS[t.tier] || "")),
        tdn(won(t.owed_krw)), tdn(won(t.paid_krw)), tdn(el("span", { className: Number(t.overdue_krw) ? "bad" : "" }, won(t.overdue_krw)))], "no tier");
      trs.forEach((tr, i) => { tr.dataset.tier = tiers[i].tier; tr.dataset.owed = tiers[i].owed_krw; tr.dataset.paid = tiers[i].paid_krw; tr.dataset.overdue = tiers[i].overdue_krw; });
    } else failRow($("lb-wk-arrears"), ar.reason);
    const workers = ls.status === "fulfilled" ? ls.value : [];
    const lines = [{ tier: "prime", party: c.prime }].concat(subs.map((s) => ({ tier: "subcontract", party: s.address })))
      .map((l) => Object.assign(l, { path: `${base}/lines/${l.tier}/${enc(l.party)}` }))
      .concat(workers.map((w) => ({ tier: "labour", party: w.worker, owed_krw: w.owed_krw, paid_krw: w.paid_krw, path: "/v1/labour/projects/" + enc(id) + "/lines/" + enc(w.worker) })));
    await Promise.all(lines.filter((l) => l.tier !== "labour").map((l) => H.api(l.path).then((r) => Object.assign(l, result(r) || {}), () => null)));
    if (n !== asked.works) return;
    trs = rows($("lb-wk-lines"), ["tier", "party", "owed:n", "paid:n", "overdue:n", "proof"], lines, (l) => [td(l.tier),
      td(l.tier === "labour" ? workerLink(l.party) : addr(l.party)), tdn(won(l.owed_krw)), tdn(won(l.paid_krw)), tdn(l.tier === "labour" ? "–" : won(l.overdue_krw)),
      verifyCell(l.path, `${l.tier} line of ${String(l.party).slice(0, 10)}…`)], "no line");
    trs.forEach((tr, i) => { tr.dataset.tier = lines[i].tier; tr.dataset.party = lines[i].party; });
  }

  window.CityLabour = {
    // init wires the tab to the dashboard's helpers.
    init(helpers) {
      H = helpers;
      build();
      $("lb-worker-form").addEventListener("submit", (ev) => {
        ev.preventDefault();
        const a = $("lb-worker").value.trim().toLowerCase();
        if (!a) return;
        if (location.hash === "#labour/worker/" + enc(a)) showWorker(a); else location.hash = "#labour/worker/" + enc(a);
      });
    },
    // show shows the tab (opened: it was hidden), a worker (kind "worker")
    // or a public-works contract (kind "works").
    show(kind, arg, opened) {
      if (opened || !rules.length) refresh();
      if (kind === "worker") showWorker(arg); else { worker = ""; $("lb-w").hidden = true; }
      if (kind === "works") showWorks(arg); else { works = ""; $("lb-work").hidden = true; }
    },
    // onEvent refreshes what a labour or contracts event (or a new block:
    // end-of-block pay work, days late) changed.
    onEvent(ev) {
      if (ev.type === "block") {
        H.later("lb-status", 3000, () => refreshStatus().catch(() => {}));
        return;
      }
      if (!/^(labour|contracts)\./.test(ev.type)) return;
      H.later("lb-list", 2000, refresh);
      if (worker) H.later("lb-worker", 1000, () => worker && showWorker(worker, true));
      if (works) H.later("lb-works", 1000, () => works && showWorks(works, true));
    },
  };
})();
