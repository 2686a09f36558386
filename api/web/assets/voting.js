// citychain dashboard, voting tab: citizen proposals against the answer
// thresholds (department, public forum, mayor) with their due dates and
// overdue answers, and elections: status and heights, the trustees' DKG
// and decryptions, credentials per weight class, ballots, the published
// result, a re-verification of the whole election from chain data (GET
// /v1/voting/elections/{id}/verify) and a ballot tracker look-up with its
// proof.
//
// Read only: the page signs nothing. Every text that comes from the chain
// reaches the page as a text node (textContent), never as markup.
"use strict";
(function () {
  let H = null; // the dashboard's helpers (app.js passes them to init)
  const $ = (id) => document.getElementById(id);
  const LEVELS = ["department", "forum", "mayor"];
  const LEVEL_NAMES = { department: "department answer", forum: "public forum", mayor: "mayor's answer" };

  const { el, fill, badge, code, addr, fmt, result, list, td, tdn, rows, kv } = window.CityDOM;

  const hex = (h, n) => (h ? code(String(h).slice(0, n || 12) + "…", String(h)) : "–");
  const date = (unix) => (unix ? new Date(Number(unix) * 1000).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" }) : "–");
  // link is a link for http(s) URIs only; anything else stays text.
  const link = (uri) => (/^https?:\/\//i.test(uri || "") ? el("a", { href: uri, rel: "noopener noreferrer", target: "_blank" }, uri) : el("span", {}, uri || ""));

  const failRow = (tbl, e) => fill(tbl, el("tr", {}, el("td", { className: "empty" }, e.message || String(e))));

  let params = null; // the module's parameters
  let chain = { height: 0, time: 0 }; // the latest block: height, unix seconds
  let election = null; // the id of the election shown
  const asked = { list: 0, el: 0, verify: 0, track: 0 };

  // build makes the tab's skeleton in <main id="voting">.
  function build() {
    const root = $("voting");
    const card = (title, id, sub) => el("div", { className: "card" }, el("h3", {}, title), el("div", { id, className: "big" }, "–"), sub ? el("div", { id: sub, className: "sub" }) : null);
    const panel = (cls, title, ...kids) => el("div", { className: "panel " + (cls || "") }, el("h2", {}, title), ...kids);
    fill(root,
      el("p", { className: "note" }, "Citizen proposals and elections (the voting module). Each distinct verified citizen supports a proposal once; " +
        "at each threshold the responsible office owes an answer by its due date, and a missed date shows here as OVERDUE. Elections are " +
        "secret-ballot: the chain holds encrypted ballots and their proofs, never who cast which; anyone can re-verify an election from " +
        "chain data and check a ballot tracker."),
      el("section", { className: "cards" }, card("proposals", "vt-n-proposals", "vt-n-open"), card("overdue answers", "vt-n-overdue", "vt-n-answered"),
        card("elections", "vt-n-elections", "vt-n-decided"), card("height", "vt-height", "vt-time"),
        el("div", { className: "card vt-params" }, el("h3", {}, "answer thresholds"), el("table", { id: "vt-params", className: "vt-kv" }))),
      el("section", { className: "grid" },
        panel("wide", "Citizen proposals", el("table", { id: "vt-proposals", className: "list vt-proposals" }, el("tr", {}, el("td", { className: "empty" }, "loading…")))),
        panel("wide", "Elections", el("table", { id: "vt-elections", className: "list" }, el("tr", {}, el("td", { className: "empty" }, "loading…"))))),
      el("div", { id: "vt-error", className: "bad" }),
      el("section", { id: "vt-election", hidden: true },
        el("h2", { className: "vt-head" }, "Election ", el("code", { id: "vt-el-id" }), " ", el("span", { id: "vt-el-title" }), " ", el("span", { id: "vt-el-status" })),
        el("p", { id: "vt-el-question", className: "note" }),
        el("section", { className: "grid" },
          panel("", "Election", el("table", { id: "vt-el-info", className: "vt-kv" })),
          panel("", "Result", el("div", { id: "vt-el-result" }), el("div", { id: "vt-el-decided", className: "sub" })),
          panel("wide", "Trustees", el("div", { id: "vt-el-dkg", className: "sub" }), el("table", { id: "vt-el-trustees", className: "list" })),
          panel("", "Credentials and ballots", el("table", { id: "vt-el-classes", className: "list" }), el("table", { id: "vt-el-ballots", className: "vt-kv" })),
          panel("", "Verify the election",
            el("p", { className: "sub" }, "The API re-runs every check from chain data alone: DKG proofs and keys, each credential and ballot proof, " +
              "the last ballot per key, the tally, each decryption share's proof and the published result."),
            el("button", { id: "vt-verify", type: "button" }, "verify"), el("div", { id: "vt-verify-out", className: "verdict" }),
            el("ul", { id: "vt-problems", className: "vt-problems" })),
          panel("wide", "Ballot tracker",
            el("form", { id: "vt-track-form", className: "lookup" }, el("label", { for: "vt-track" }, "tracker"), " ",
              el("input", { id: "vt-track", size: 70, spellcheck: "false", autocomplete: "off", placeholder: "the tracker your ballot printed (64 hex)" }), " ",
              el("button", {}, "look up")),
            el("div", { id: "vt-track-out", className: "vt-track" }), el("div", { id: "vt-track-proof", className: "verdict" })),
          panel("wide", "Ballots (first 20, in cast order)", el("table", { id: "vt-el-ballot-list", className: "list" })))));
  }

  // levelState says where a proposal's level stands: [text, badge class].
  function levelState(l) {
    if (!l.reached_at) return ["not reached", "vt-none"];
    if (l.answered_at) return l.late ? ["answered late", "warn"] : ["answered", "ok"];
    if (l.overdue) return ["OVERDUE", "bad"];
    return ["due " + date(l.due), "warn"];
  }
  // bar is a progress bar of n against of.
  function bar(n, of, cls) {
    const pct = of ? Math.min(100, (Number(n) / Number(of)) * 100) : 0;
    const fillEl = el("span", { className: "vt-fill" });
    fillEl.style.width = pct.toFixed(1) + "%"; // CSSOM: the page's CSP allows no style attribute
    return el("span", { className: "vt-bar " + (cls || "") }, fillEl);
  }
  function levelLine(p, l) {
    const [text, cls] = levelState(l);
    const line = el("div", { className: "vt-level", "data-level": l.level, "data-state": text.split(" ")[0].toLowerCase() },
      el("span", { className: "vt-lname" }, LEVEL_NAMES[l.level] || l.level),
      bar(p.supports, l.threshold, l.reached_at ? "reached" : ""),
      el("span", { className: "vt-count" }, `${fmt(Math.min(p.supports, l.threshold))} / ${fmt(l.threshold)}`),
      badge(text, cls));
    if (l.reached_at) line.append(el("span", { className: "vt-when" }, `reached ${date(l.reached_at)}` + (l.answered_at ? `, due ${date(l.due)}` : l.overdue ? `, was due ${date(l.due)}` : "")));
    const kids = [line];
    if (l.answered_at) {
      kids.push(el("div", { className: "vt-answer" }, el("q", {}, l.answer || ""), " — ", addr(l.by), ", ", date(l.answered_at),
        l.late ? el("span", { className: "bad" }, " (after the due date)") : null, l.uri ? [" ", link(l.uri)] : null));
    }
    return kids;
  }
  function proposalRow(p) {
    const levels = (p.levels || []).slice().sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level));
    const open = p.status === "open" && (!chain.time || p.support_ends > chain.time);
    return [
      tdn(String(p.id)),
      td(el("div", { className: "vt-title" }, p.title), el("div", { className: "sub" }, p.summary || ""), p.uri ? el("div", { className: "sub" }, link(p.uri)) : null),
      td(el("div", {}, "by ", addr(p.proposer)), el("div", { className: "sub" }, "department ", addr(p.department))),
      tdn(el("div", { className: "big vt-supports" }, fmt(p.supports)), el("div", { className: "sub" }, Number(p.supports) === 1 ? "support" : "supports")),
      td(el("div", {}, open ? badge("open", "ok") : badge("closed", "vt-none")), el("div", { className: "sub" }, (open ? "supports until " : "closed ") + date(p.support_ends))),
      td(levels.flatMap((l) => levelLine(p, l))),
    ];
  }

  function renderParams() {
    if (!params) return;
    const days = (n) => `${fmt(n)} day${Number(n) === 1 ? "" : "s"}`;
    kv($("vt-params"), [
      ["department", `${fmt(params.department_threshold)} → ${days(params.department_days)}`],
      ["forum", `${fmt(params.forum_threshold)} → ${days(params.forum_days)}`],
      ["mayor", `${fmt(params.mayor_threshold)} → ${days(params.mayor_days)}`],
      ["supports", `for ${days(params.support_days)}`],
      ["eligibility", params.residency_schema ? `${params.residency_schema} credential, ${params.residency_claim} true` : "an active identity"],
    ]);
  }

  async function refreshStatus() {
    const s = await H.api("/v1/status");
    chain = { height: Number(s.height), time: s.block_time ? Math.floor(new Date(s.block_time).getTime() / 1000) : 0 };
    $("vt-height").textContent = fmt(chain.height);
    $("vt-time").textContent = s.block_time ? "block time " + new Date(s.block_time).toLocaleString("en", { dateStyle: "medium", timeStyle: "medium" }) : "";
  }

  // refresh reads the parameters, the proposals and the elections.
  async function refresh() {
    const n = ++asked.list;
    await refreshStatus().catch(() => {});
    if (!params) params = result(await H.api("/v1/voting/params").catch((e) => { $("vt-error").textContent = "voting parameters: " + e.message; return null; }));
    renderParams();
    const [ps, es] = await Promise.allSettled([H.all("/v1/voting/proposals", 10), H.all("/v1/voting/elections", 10)]);
    if (n !== asked.list) return;
    if (ps.status === "fulfilled") {
      const props = ps.value.slice().sort((a, b) => b.id - a.id);
      const trs = rows($("vt-proposals"), ["#:n", "proposal", "proposer", "supports:n", "status", "answer levels: supports against each threshold"], props, proposalRow, "no proposal yet");
      trs.forEach((tr, i) => { tr.dataset.id = props[i].id; tr.dataset.supports = props[i].supports; });
      const lv = props.flatMap((p) => p.levels || []);
      $("vt-n-proposals").textContent = fmt(props.length);
      $("vt-n-open").textContent = `${fmt(props.filter((p) => p.status === "open").length)} taking supports`;
      $("vt-n-overdue").textContent = fmt(lv.filter((l) => l.overdue && !l.answered_at).length);
      $("vt-n-answered").textContent = `${fmt(lv.filter((l) => l.answered_at).length)} answered, ${fmt(lv.filter((l) => l.late).length)} late`;
      $("vt-n-overdue").className = "big" + (lv.some((l) => l.overdue && !l.answered_at) ? " bad" : "");
    } else failRow($("vt-proposals"), ps.reason);
    if (es.status === "fulfilled") {
      const els = es.value.slice().sort((a, b) => b.id - a.id);
      const trs = rows($("vt-elections"), ["#:n", "election", "status", "opens", "closes", "trustees", "credentials:n", "ballots:n", "counted:n", "result"], els, electionRow, "no election yet");
      trs.forEach((tr, i) => { tr.dataset.id = els[i].id; tr.dataset.status = els[i].status; });
      $("vt-n-elections").textContent = fmt(els.length);
      $("vt-n-decided").textContent = `${fmt(els.filter((e) => e.status === "decided").length)} decided, ${fmt(els.filter((e) => e.status === "open").length)} open`;
    } else failRow($("vt-elections"), es.reason);
  }

  const statusClass = { setup: "warn", open: "ok", tallying: "warn", decided: "ok", failed: "bad" };
  // heightText says where a height is from the current one.
  function heightText(h, past) {
    if (!chain.height) return "height " + fmt(h);
    const d = Number(h) - chain.height;
    return d > 0 ? `height ${fmt(h)} (in ${fmt(d)} block${d === 1 ? "" : "s"})` : `height ${fmt(h)} (${past}${d < 0 ? ", " + fmt(-d) + " block" + (d === -1 ? "" : "s") + " ago" : ""})`;
  }
  const issued = (e) => (e.classes || []).reduce((n, c) => n + Number(c.issued || 0), 0);
  function winnerText(e) {
    if (!e.result || !e.result.length) return e.status === "failed" ? "failed" : "–";
    const max = Math.max(...e.result.map(Number));
    const top = e.options.filter((_, i) => Number(e.result[i]) === max);
    return `${top.join(" = ")} (${fmt(max)})`;
  }
  function electionRow(e) {
    return [
      tdn(String(e.id)),
      td(el("a", { href: "#voting/election/" + encodeURIComponent(e.id), className: "vt-el-link" }, e.title || "(untitled)"), el("div", { className: "sub" }, e.question || "")),
      td(badge(e.status, statusClass[e.status] || "warn")),
      td(heightText(e.open_height, "opened")), td(heightText(e.close_height, "closed")),
      td(`${e.threshold} of ${(e.trustees || []).length}`), tdn(fmt(issued(e))), tdn(fmt(e.ballots)), tdn(fmt(e.counted)), td(winnerText(e)),
    ];
  }

  // showElection shows one election (quiet: a refresh, keeping the
  // verdicts shown).
  async function showElection(id, quiet) {
    const n = ++asked.el, base = "/v1/voting/elections/" + encodeURIComponent(id);
    if (!quiet || election !== id) {
      $("vt-verify-out").textContent = ""; $("vt-verify-out").className = "verdict"; fill($("vt-problems"));
      $("vt-track-out").textContent = ""; $("vt-track-proof").textContent = ""; $("vt-track-proof").className = "verdict";
    }
    election = id;
    let e;
    try {
      e = result(await H.api(base));
    } catch (err) {
      if (n !== asked.el) return;
      if (!quiet) { $("vt-election").hidden = true; $("vt-error").textContent = `election ${id}: ${err.message}`; }
      return;
    }
    if (n !== asked.el) return;
    if (!e) { $("vt-election").hidden = true; $("vt-error").textContent = `election ${id}: no such election`; return; }
    $("vt-error").textContent = "";
    $("vt-election").hidden = false;
    $("vt-election").dataset.id = e.id; $("vt-election").dataset.status = e.status;
    $("vt-el-id").textContent = "#" + e.id;
    $("vt-el-title").textContent = e.title || "";
    fill($("vt-el-status"), badge(e.status, statusClass[e.status] || "warn"));
    $("vt-el-question").textContent = e.question || "";
    const choose = e.min_choices === e.max_choices ? `exactly ${e.max_choices}` : `${e.min_choices} to ${e.max_choices}`;
    kv($("vt-el-info"), [
      ["status", [badge(e.status, statusClass[e.status] || "warn"), e.failure ? el("span", { className: "bad" }, " " + e.failure) : null]],
      ["options", el("ol", { className: "vt-options" }, (e.options || []).map((o) => el("li", {}, o)))],
      ["choose", `${choose} of ${(e.options || []).length} options`],
      ["eligible", e.rule === "listed" ? `listed voters (${fmt(e.voters)})` : "every Seoul resident (weight 1)"],
      ["commission", addr(e.commission)],
      ["created", "height " + fmt(e.created)],
      ["opens", heightText(e.open_height, "opened")],
      ["closes", heightText(e.close_height, "closed")],
      ["current height", chain.height ? fmt(chain.height) : "–"],
      ["trustees", `${e.threshold} of ${(e.trustees || []).length} decrypt`],
      ["election key", e.key ? hex(e.key, 16) : "not yet (fixed when the election opens)"],
    ]);
    renderResult(e);
    const ballots = [["ballots cast", `${fmt(e.ballots)} (re-votes included)`], ["counted", `${fmt(e.counted)} (ballot keys whose last ballot is in the tally)`]];
    kv($("vt-el-ballots"), ballots);
    $("vt-el-ballots").dataset.ballots = e.ballots; $("vt-el-ballots").dataset.counted = e.counted;
    const trs = rows($("vt-el-classes"), ["weight:n", "requested:n", "issued:n", "ballot keys:n", "commission key"], e.classes || [], (c) =>
      [tdn(fmt(c.weight)), tdn(fmt(c.requested)), tdn(fmt(c.issued)), tdn(fmt(c.ballot_keys)), td(c.key ? `RSA, ${fmt(String(c.key).length / 2)} bytes (DER)` : "–")], "no credential class");
    trs.forEach((tr, i) => { tr.dataset.weight = e.classes[i].weight; });
    const [ts, bs] = await Promise.allSettled([H.api(base + "/trustees"), H.api(base + "/ballots?limit=20")]);
    if (n !== asked.el) return;
    if (ts.status === "fulfilled") renderTrustees(e, list(result(ts.value), "trustees"));
    else failRow($("vt-el-trustees"), ts.reason);
    if (bs.status === "fulfilled") {
      const b = list(bs.value, "ballots");
      rows($("vt-el-ballot-list"), ["#:n", "tracker", "height:n", "weight:n", "ballot key", "counted"], b, (x) =>
        [tdn(String(x.seq)), td(code(x.tracker)), tdn(fmt(x.height)), tdn(fmt(x.ballot && x.ballot.weight)), td(hex(x.ballot && x.ballot.ballot_key)),
          td(x.superseded ? badge("superseded by a re-vote", "warn") : badge("counted", "ok"))], "no ballot yet");
    } else failRow($("vt-el-ballot-list"), bs.reason);
  }

  function renderTrustees(e, ts) {
    const qual = new Set((e.qualified || []).map(Number)), dec = new Set((e.decryptors || []).map(Number));
    const keys = ts.filter((t) => t.key).length, dealt = ts.filter((t) => t.dealt_at).length, dq = ts.filter((t) => t.disqualified).length;
    const decrypted = ts.filter((t) => t.decrypted_at).length;
    $("vt-el-dkg").textContent = `${keys} of ${ts.length} keys registered · ${dealt} dealt · ${dq} disqualified · ` +
      (e.qualified && e.qualified.length ? `${e.qualified.length} qualified` : "qualification at the opening") + ` · ${decrypted} decrypted (${e.threshold} needed)`;
    const trs = rows($("vt-el-trustees"), ["#:n", "trustee", "DKG key", "deal", "status", "verification key", "decryption"], ts, (t) => {
      const i = Number(t.index);
      const status = t.disqualified ? [badge("disqualified", "bad"), " ", el("span", { className: "bad vt-reason" }, t.disqualified)]
        : qual.has(i) ? badge("qualified", "ok") : e.status === "setup" ? (t.dealt_at ? badge("dealt", "ok") : badge("waiting", "warn")) : badge("not qualified", "warn");
      return [tdn(String(i)), td(addr(t.address)),
        td(t.key ? [badge("registered", "ok"), " ", hex(t.key)] : badge("none yet", "warn")),
        td(t.dealt_at ? `dealt at height ${fmt(t.dealt_at)} (${(t.commitments || []).length} commitments, ${(t.shares || []).length} shares)` : "–"),
        td(status), td(t.verification_key ? hex(t.verification_key) : "–"),
        td(t.decrypted_at ? [badge("decrypted", "ok"), ` at height ${fmt(t.decrypted_at)}`, dec.has(i) ? " · used in the result" : ""] : "–")];
    }, "no trustee");
    trs.forEach((tr, i) => {
      const t = ts[i];
      tr.dataset.index = t.index;
      tr.dataset.state = t.disqualified ? "disqualified" : t.decrypted_at ? "decrypted" : t.dealt_at ? "dealt" : t.key ? "key" : "none";
    });
  }

  // renderResult draws the published counts as bars.
  function renderResult(e) {
    const out = $("vt-el-result");
    if (!e.result || !e.result.length) {
      fill(out, el("div", { className: "empty" }, e.status === "failed" ? "no result: the election failed" : e.status === "decided" ? "no result" :
        e.status === "tallying" ? "closed: waiting for the trustees' decryptions and the publication" : "the result is published after the close"));
      $("vt-el-decided").textContent = "";
      return;
    }
    const counts = e.result.map(Number), total = counts.reduce((a, b) => a + b, 0), max = Math.max(1, ...counts);
    fill(out, (e.options || []).map((o, i) => el("div", { className: "vt-res" + (counts[i] === max && total ? " top" : ""), "data-option": i, "data-count": counts[i] },
      el("span", { className: "vt-opt" }, o), bar(counts[i], max, "res"),
      el("span", { className: "vt-num" }, fmt(counts[i])),
      el("span", { className: "vt-pct" }, total ? ` ${((counts[i] / total) * 100).toFixed(1)} %` : ""))));
    $("vt-el-decided").textContent = `${fmt(total)} vote${total === 1 ? "" : "s"} (weights included); decided at height ${fmt(e.decided_at)}` +
      (e.decryptors && e.decryptors.length ? `, decrypted by trustees ${e.decryptors.join(", ")}` : "");
  }

  async function verify() {
    if (!election) return;
    const n = ++asked.verify, id = election, out = $("vt-verify-out"), ul = $("vt-problems");
    out.textContent = "verifying from chain data…"; out.className = "verdict"; fill(ul);
    let rep;
    try {
      rep = await H.api("/v1/voting/elections/" + encodeURIComponent(id) + "/verify");
      rep = rep && rep.report ? rep.report : result(rep);
    } catch (e) {
      if (n === asked.verify) { out.className = "verdict fail"; out.textContent = "✗ " + e.message; }
      return;
    }
    if (n !== asked.verify || id !== election) return;
    const problems = (rep && rep.problems) || [];
    out.dataset.problems = problems.length;
    const what = `${fmt(rep.ballots)} ballot${rep.ballots === 1 ? "" : "s"}, ${fmt(rep.counted)} counted, tally ${rep.tally_matches ? "matches" : "DOES NOT match"}` +
      (rep.result && rep.result.length ? `, result ${rep.result.map(fmt).join(" / ")}` : "");
    if (!problems.length) {
      out.className = "verdict ok";
      out.textContent = `✓ clean: every check passed (${what})`;
    } else {
      out.className = "verdict fail";
      out.textContent = `✗ ${problems.length} problem${problems.length === 1 ? "" : "s"} (${what}):`;
      fill(ul, problems.map((p) => el("li", { className: "bad" }, p)));
    }
  }

  async function track(ev) {
    if (ev) ev.preventDefault();
    if (!election) return;
    const n = ++asked.track, id = election, tr = $("vt-track").value.trim().toLowerCase(), out = $("vt-track-out"), proof = $("vt-track-proof");
    proof.textContent = ""; proof.className = "verdict"; out.className = "vt-track"; delete out.dataset.state;
    if (!/^[0-9a-f]{64}$/.test(tr)) { out.className = "vt-track bad"; out.textContent = `tracker: ${tr.length} characters, want 64 hex characters (the SHA-256 your ballot printed)`; return; }
    out.textContent = "looking up with proof…";
    let r, absent = false;
    try {
      r = await H.api("/v1/voting/elections/" + encodeURIComponent(id) + "/trackers/" + tr + "?prove=true");
    } catch (e) {
      if (n !== asked.track) return;
      if (!/not found|nothing stored|404/i.test(e.message)) { out.className = "vt-track bad"; out.textContent = "✗ " + e.message; return; }
      absent = true;
    }
    if (n !== asked.track || id !== election) return;
    const v = r ? result(r) : null;
    if (absent || !v) {
      out.dataset.state = "absent";
      fill(out, badge("absent", "bad"), ` no ballot of election ${id} has tracker `, code(tr.slice(0, 16) + "…", tr), ": it was not recorded (or the tracker is mistyped)");
    } else if (v.superseded) {
      out.dataset.state = "superseded";
      fill(out, badge("superseded", "warn"), ` ballot #${v.seq} recorded at height ${fmt(v.height)} by ballot key `, hex(v.ballot_key),
        ", then replaced by a later ballot of the same key: the later one counts, this one does not");
    } else {
      out.dataset.state = "present";
      fill(out, badge("present", "ok"), ` ballot #${v.seq} recorded at height ${fmt(v.height)} by ballot key `, hex(v.ballot_key), ": it is the key's last ballot and is in the tally");
    }
    if (r && r.proof) {
      H.proofLine(proof, r, (v ? "tracker entry" : "absence of the tracker") + " under key " + r.proof.key);
    } else if (absent) {
      proof.textContent = "absent (the API answered not found, without a proof)";
    }
  }

  window.CityVoting = {
    // init wires the tab to the dashboard's helpers.
    init(helpers) {
      H = helpers;
      build();
      $("vt-verify").addEventListener("click", verify);
      $("vt-track-form").addEventListener("submit", track);
    },
    // show shows the tab (opened: it was hidden), and an election when id
    // is set.
    show(id, opened) {
      if (opened || !params) refresh();
      if (!id) { election = null; $("vt-election").hidden = true; return; }
      if (election === id && !opened) showElection(id, true); else showElection(id);
    },
    // onEvent refreshes what a voting event (or a new block, for the
    // heights and due dates) changed.
    onEvent(ev) {
      if (ev.type === "block") {
        H.later("vt-status", 3000, () => refreshStatus().catch(() => {}));
        if (election) H.later("vt-block", 5000, () => election && showElection(election, true));
        return;
      }
      if (!ev.type.startsWith("voting.")) return;
      H.later("vt-list", 1000, refresh);
      const a = ev.attributes || {};
      if (election && (!a.election || String(a.election) === String(election))) H.later("vt-el", 1000, () => election && showElection(election, true));
    },
  };
})();
