// citychain dashboard, registries tab: registries defined as data (the
// registry module), their records with proofs, and electronic forms
// rendered from each registry's record schema that sign transactions in the
// page (WebCrypto Ed25519) and submit them through POST /v1/txs.
//
// The signing key (a 64-hex Ed25519 seed) lives only in its input field and
// in the non-extractable CryptoKey imported from it for one signature: it is
// never stored, logged or sent anywhere.
"use strict";
(function () {
  let H = null; // the dashboard's helpers (app.js passes them to init)
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();

  // --- transactions: the wire format of chain/tx (docs/transactions.md) ---

  // Int is an integer kept as its decimal text, so a value beyond 2^53
  // reaches the chain exactly (JSON.parse/Number would round it).
  class Int {
    constructor(s) { this.s = String(s); }
  }
  // goString encodes a string as Go's encoding/json does (HTML-safe: <, >
  // and & as \u003c, \u003e, \u0026; U+2028 and U+2029 escaped), so the
  // page's body bytes are those tx.Build would make for the same message.
  const goEsc = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };
  function goString(s) {
    if (/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))) throw new Error(`text ${JSON.stringify(s)} holds a lone surrogate`);
    return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => goEsc[c]);
  }
  // goJSON encodes v compactly, object keys in insertion order; an Int as
  // its digits.
  function goJSON(v) {
    if (v instanceof Int) return v.s;
    if (v === null) return "null";
    if (typeof v === "string") return goString(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new Error(`number ${v}: want an integer`);
      return String(v);
    }
    if (Array.isArray(v)) return "[" + v.map(goJSON).join(",") + "]";
    return "{" + Object.keys(v).filter((k) => v[k] !== undefined).map((k) => goString(k) + ":" + goJSON(v[k])).join(",") + "}";
  }
  // sorted returns v with every object's keys in sorted order (the data of
  // a record as the chain's canonical form orders it).
  function sorted(v) {
    if (v instanceof Int || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(sorted);
    const o = {};
    Object.keys(v).sort().forEach((k) => { o[k] = sorted(v[k]); });
    return o;
  }
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
  const unhex = (s) => Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    parts.forEach((p) => { out.set(p, o); o += p.length; });
    return out;
  }
  const b64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const PKCS8_ED25519 = "302e020100300506032b657004220420"; // RFC 8410 PrivateKeyInfo prefix of a 32-byte seed

  // importSeed turns a 64-hex Ed25519 seed into a signing key, its public
  // key (hex) and its account address (hex of SHA-256(pubkey)[:20], as
  // tx.AddressOf). The CryptoKey used to sign is not extractable; the
  // public key comes from a throw-away extractable import.
  async function importSeed(seedHex) {
    const seed = seedHex.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(seed)) throw new Error(`signing key: ${seed.length} characters, want 64 hex characters (an Ed25519 seed)`);
    if (!window.crypto || !crypto.subtle) throw new Error("signing needs WebCrypto: open the dashboard over https or on localhost");
    const der = unhex(PKCS8_ED25519 + seed);
    try {
      const alg = { name: "Ed25519" };
      const priv = await crypto.subtle.importKey("pkcs8", der, alg, false, ["sign"]);
      const jwk = await crypto.subtle.exportKey("jwk", await crypto.subtle.importKey("pkcs8", der, alg, true, ["sign"]));
      const pub = b64url(jwk.x);
      jwk.d = "";
      const address = hex((await crypto.subtle.digest("SHA-256", pub)).slice(0, 20));
      return { priv, pub: hex(pub), address };
    } catch (e) {
      throw new Error("signing key: this browser cannot sign with Ed25519 (" + (e.message || e.name) + ")");
    } finally {
      der.fill(0);
    }
  }

  // buildTx makes the wire bytes of a transaction of msgs signed by k:
  // version 0x01, body length (u32 big-endian), body JSON, Ed25519
  // signature of "citychain/tx/v1" 0x00 ‖ body.
  async function buildTx(k, chainID, sequence, msgs) {
    const body = enc.encode(goJSON({ chain_id: chainID, signer: k.pub, sequence: new Int(sequence), msgs: msgs.map((m) => ({ type: m.type, value: m.value })) }));
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, k.priv, concat(enc.encode("citychain/tx/v1\0"), body)));
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, body.length);
    return concat(Uint8Array.of(1), len, body, sig);
  }

  // request calls the API with the dashboard's API key (if any) and
  // returns the status and the JSON answer (a problem document on errors).
  async function request(method, path, body) {
    const h = H.key() ? { "X-API-Key": H.key() } : {};
    if (body !== undefined) h["Content-Type"] = "application/json";
    const r = await fetch(path, { method, headers: h, body });
    if (r.status === 401) $("keybar").hidden = false;
    const j = await r.json().catch(() => ({}));
    return { status: r.status, ok: r.ok, body: j };
  }
  const problem = (r) => {
    const b = r.body || {};
    return (b.title ? b.title + ": " : "") + (b.detail || b.error || "HTTP " + r.status) + (b.status === 401 ? " (this server needs an API key to submit: enter one above)" : "");
  };

  // sign signs msgs with the key in the signing key field and submits the
  // transaction; status(text, cls) reports progress. It resolves to the
  // committed transaction's status (with its events) or throws the chain's
  // refusal.
  async function signAndSubmit(msgs, status) {
    const k = await importSeed($("rg-key").value);
    status(`signing as ${k.address}…`, "");
    const st = await H.api("/v1/status");
    const acc = await request("GET", "/v1/accounts/" + k.address);
    let sequence = "0";
    if (acc.ok) sequence = String(acc.body.result.sequence);
    else if (acc.status !== 404) throw new Error("account " + k.address + ": " + problem(acc));
    const wire = await buildTx(k, st.chain_id, sequence, msgs);
    const txHex = hex(wire);
    $("rg-last-tx").dataset.tx = txHex;
    const sub = await request("POST", "/v1/txs", JSON.stringify({ tx_hex: txHex }));
    if (!sub.ok) {
      const b = sub.body || {};
      throw new Error(b.code ? `rejected: ${b.codespace} code ${b.code}: ${b.log}` : problem(sub));
    }
    const hash = sub.body.hash;
    $("rg-last-tx").dataset.hash = hash;
    status(`submitted ${hash.slice(0, 16)}…, waiting for a block`, "");
    for (let i = 0; i < 240; i++) {
      await new Promise((res) => setTimeout(res, 500));
      const r = await request("GET", "/v1/txs/" + hash);
      if (!r.ok) continue;
      if (r.body.status === "committed") return r.body;
      if (r.body.status === "rejected") throw new Error(`rejected at height ${r.body.height || "–"}: ${r.body.codespace} code ${r.body.code}: ${r.body.log}`);
    }
    throw new Error(`transaction ${hash} not in a block after 2 minutes; ask GET /v1/txs/${hash}`);
  }
  const attr = (txs, type, name) => {
    const e = (txs.events || []).find((x) => x.type === type);
    return e && e.attributes ? e.attributes[name] : undefined;
  };

  // --- electronic forms from the record schema ---

  // el makes an element with attributes (on* as handlers) and children.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "text") e.textContent = v;
      else if (k === "className") e.className = v;
      else e.setAttribute(k, v === true ? "" : v);
    });
    kids.flat().forEach((c) => c != null && e.append(c));
    return e;
  }
  const ptr = (path) => (path || "").split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const intRE = /^-?(0|[1-9][0-9]*)$/;

  // hintOf says in words what a property accepts.
  function hintOf(s) {
    const h = [];
    if (s.format) h.push(s.format);
    if (s.type === "array" && s.items) h.push(`list of ${s.items.type}${s.items.format ? " (" + s.items.format + ")" : ""}, one per line` + (s.maxItems ? `, at most ${s.maxItems}` : ""));
    if (s.type === "object") h.push("JSON object");
    if (s.minLength) h.push(`at least ${s.minLength} characters`);
    if (s.maxLength && s.maxLength <= 4096) h.push(`at most ${s.maxLength} characters`);
    if (s.pattern) h.push(`matches ${s.pattern}`);
    if (s.minimum !== undefined) h.push(`≥ ${s.minimum}`);
    if (s.exclusiveMinimum !== undefined) h.push(`> ${s.exclusiveMinimum}`);
    if (s.maximum !== undefined) h.push(`≤ ${s.maximum}`);
    if (s.exclusiveMaximum !== undefined) h.push(`< ${s.exclusiveMaximum}`);
    if (s.multipleOf) h.push(`multiple of ${s.multipleOf}`);
    return h.join(", ");
  }

  // field renders one top-level property of the record schema as a form
  // row: an input chosen by type, format and enum, a hint, and the place
  // where a validation error naming its path is shown. read() returns the
  // value (undefined when left empty) or throws an input it cannot parse.
  // (Inputs carry no name attribute: a property called "submit" or
  // "action" would shadow the form's own.) held: the record being moved has
  // a value for the property, so an unticked checkbox means false.
  function field(form, name, s, required, onChange, held) {
    const id = `${form}-f-${name}`, title = s.title || name;
    let input, read, set;
    const text = (v) => (v === undefined || v === null ? "" : String(v));
    if (s.enum || s.const !== undefined) {
      const opts = s.enum || [s.const];
      input = el("select", { id }, required ? null : el("option", { value: "", text: "—" }), opts.map((o) => el("option", { value: String(o), text: String(o) })));
      read = () => {
        if (input.value === "") return undefined;
        return s.type === "integer" ? new Int(input.value) : input.value;
      };
      set = (v) => { input.value = text(v); };
    } else if (s.type === "boolean") {
      input = el("input", { id, type: "checkbox" });
      // A required boolean is always sent; an optional one when ticked (or
      // unticked from a value the record holds).
      read = () => (input.checked ? true : required || held ? false : undefined);
      set = (v) => { input.checked = v === true; };
    } else if (s.type === "integer") {
      input = el("input", { id, type: "number", step: s.multipleOf || 1, min: s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined),
        max: s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : undefined), inputmode: "numeric" });
      read = () => {
        const v = input.value.trim();
        if (v === "") {
          if (input.validity && input.validity.badInput) throw new Error("not a number: want an integer");
          return undefined;
        }
        if (!intRE.test(v)) throw new Error(`${JSON.stringify(v)}: want an integer (no fraction, no exponent)`);
        return new Int(v);
      };
      set = (v) => { input.value = text(v); };
    } else if (s.type === "array") {
      const it = s.items || { type: "string" };
      if (it.enum) {
        input = el("select", { id, multiple: true, size: Math.min(6, it.enum.length) }, it.enum.map((o) => el("option", { value: String(o), text: String(o) })));
        read = () => {
          const vs = Array.from(input.selectedOptions, (o) => (it.type === "integer" ? new Int(o.value) : o.value));
          return vs.length || required ? vs : undefined;
        };
        set = (v) => { Array.from(input.options).forEach((o) => { o.selected = Array.isArray(v) && v.map(String).includes(o.value); }); };
      } else if (it.type === "string" || it.type === "integer") {
        input = el("textarea", { id, rows: 3, placeholder: "one per line" });
        read = () => {
          const lines = input.value.split("\n").map((l) => l.trim()).filter((l) => l !== "");
          if (!lines.length) return required ? [] : undefined;
          return lines.map((l, i) => {
            if (it.type === "string") return l;
            if (!intRE.test(l)) throw new Error(`line ${i + 1}: ${JSON.stringify(l)} is not an integer`);
            return new Int(l);
          });
        };
        set = (v) => { input.value = Array.isArray(v) ? v.join("\n") : ""; };
      }
    }
    if (!input && (s.type === "object" || s.type === "array")) {
      input = el("textarea", { id, rows: 4, placeholder: s.type === "object" ? "{ … } (JSON)" : "[ … ] (JSON)" });
      read = () => {
        const v = input.value.trim();
        if (v === "") return undefined;
        try { return JSON.parse(v); } catch (e) { throw new Error("not JSON: " + e.message); }
      };
      set = (v) => { input.value = v === undefined ? "" : JSON.stringify(v, null, 1); };
    }
    if (!input) {
      const f = s.format, long = !f && s.maxLength > 200;
      const type = { date: "date", email: "email", uri: "url", "date-time": "text" }[f] || "text";
      const attrs = { id, type, maxlength: s.maxLength, minlength: s.minLength, spellcheck: "false" };
      if (f === "address") Object.assign(attrs, { pattern: "[0-9a-f]{40}", placeholder: "account address (40 hex)", size: 44 });
      else if (f === "hash") Object.assign(attrs, { pattern: "[0-9a-f]{64}", placeholder: "SHA-256 (64 hex)", size: 70 });
      else if (f === "uuid") Object.assign(attrs, { placeholder: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", size: 38 });
      else if (f === "date-time") Object.assign(attrs, { placeholder: "2025-01-31T09:00:00+09:00", size: 28 });
      else if (s.pattern) attrs.placeholder = s.pattern;
      if (s.pattern) attrs["data-pattern"] = s.pattern; // JSON Schema's (unanchored) pattern; the API checks it
      input = long ? el("textarea", Object.assign(attrs, { rows: 3 })) : el("input", attrs);
      read = () => (input.value === "" ? undefined : input.value);
      set = (v) => { input.value = text(v); };
    }
    if (s.default !== undefined) set(s.default);
    input.addEventListener("input", onChange);
    input.addEventListener("change", onChange);
    const err = el("span", { className: "rg-err bad", id: id + "-err" });
    const row = el("div", { className: "rg-field", "data-field": name },
      el("label", { for: id }, title, required ? el("span", { className: "req", text: " *" }) : null, title !== name ? el("code", { className: "rg-prop", text: name }) : null),
      input, el("span", { className: "rg-hint", text: [s.description, hintOf(s)].filter(Boolean).join(" — ") }), err);
    return { name, row, input, err, read, set };
  }

  // Form is a set of fields with live validation through the API's
  // validate route (a dry run: nothing is stored) and an error line for
  // errors no field owns.
  class Form {
    constructor(prefix, box, errEl, okEl) {
      this.prefix = prefix; this.box = box; this.errEl = errEl; this.okEl = okEl;
      this.fields = []; this.seq = 0; this.timer = null; this.registry = null; this.base = null;
    }
    // render puts one field per property named in names (all when null).
    render(registry, schema, names, base) {
      this.registry = registry; this.base = base || null; this.seq++;
      this.box.innerHTML = ""; this.fields = [];
      const props = (schema && schema.properties) || {}, req = new Set((schema && schema.required) || []);
      (names || order(schema)).forEach((n) => {
        if (!props[n]) return;
        const f = field(this.prefix, n, props[n], !this.base && req.has(n), () => this.changed(), !!this.base && this.base[n] !== undefined);
        if (this.base && this.base[n] !== undefined) f.set(this.base[n]);
        this.fields.push(f);
        this.box.append(f.row);
      });
      this.clear();
    }
    clear() {
      this.fields.forEach((f) => { f.err.textContent = ""; f.row.classList.remove("invalid"); });
      this.errEl.textContent = ""; this.okEl.textContent = "";
    }
    // show puts an error next to the field its JSON pointer path starts
    // with, or on the form's error line.
    show(path, msg) {
      const top = ptr(path)[0], f = this.fields.find((x) => x.name === top);
      const text = (path ? path + ": " : "") + msg;
      if (f) { f.err.textContent = text; f.err.dataset.path = path; f.row.classList.add("invalid"); } else this.errEl.textContent = text;
    }
    // values reads the fields into an object (the record, or the patch);
    // an unparsable input is shown at its field and throws.
    values() {
      const out = {};
      let bad = null;
      this.fields.forEach((f) => {
        try {
          const v = f.read();
          if (v !== undefined) out[f.name] = v;
        } catch (e) {
          this.show("/" + f.name, e.message);
          bad = bad || e;
        }
      });
      if (bad) throw bad;
      return out;
    }
    // record is what the chain will validate: the values, over the record
    // being moved when there is one (a patch merges shallowly).
    record(vals) {
      if (!this.base) return vals;
      const m = {};
      Object.keys(this.base).forEach((k) => { m[k] = this.base[k]; });
      Object.keys(vals).forEach((k) => { m[k] = vals[k]; });
      return m;
    }
    changed() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.validate().catch(() => {}), 250);
    }
    // validate asks the API whether the form's record is valid; it shows
    // the answer and resolves to the values when valid, else null.
    async validate() {
      const n = ++this.seq;
      let vals;
      this.clear();
      try { vals = this.values(); } catch (e) { return null; }
      const r = await request("POST", "/v1/registries/" + encodeURIComponent(this.registry) + "/validate", goJSON({ data: sorted(this.record(vals)) }));
      if (n !== this.seq) return null;
      const b = r.body || {};
      if (r.ok && b.valid) {
        this.okEl.textContent = `✓ valid under schema ${String(b.schema_id || "").slice(0, 12)}…`;
        this.okEl.dataset.valid = "true";
        return vals;
      }
      this.okEl.dataset.valid = "false";
      if (b.valid === false) this.show(b.path || "", b.error || "invalid");
      else this.errEl.textContent = problem(r);
      return null;
    }
  }

  // --- the tab ---
  let reg = null; // the registry shown: tx.Registry
  let schema = null; // its current record schema (parsed)
  let record = null; // the record shown
  let page = { cursors: [""], i: 0, next: "" };
  let createForm = null, moveForm = null;
  const asked = { regs: 0, reg: 0, rec: 0, list: 0 }; // the latest request of each kind: an older answer is dropped
  const result = (r) => (r && typeof r === "object" && "result" in r && "height" in r ? r.result : r);
  // list is the array of a list answer: a page's items, a history's steps,
  // a record's approvals.
  const list = (r) => (Array.isArray(r) ? r : (r && (r.items || r.history || r.approvals || r.result)) || []);
  const stateBadge = (d, s) => {
    const st = d && d.states.find((x) => x.name === s);
    return H.badge(s, !st ? "warn" : st.final ? "bad" : s === d.initial ? "warn" : "ok");
  };
  const names = (xs) => (xs && xs.length ? xs.map((x) => `<code class="claim">${H.esc(x)}</code>`).join(" ") : "–");
  function deadline(d) {
    if (!d) return "";
    const t = d.after_days ? H.plural(d.after_days, "day") : H.plural(d.after_seconds, "second");
    return `after ${t} → <code>${H.esc(d.to)}</code>`;
  }
  function predicate(p) {
    if (p.credential) return `holds an unrevoked credential of schema <code>${H.esc(p.credential.schema)}</code>`;
    if (p.record) return `record of <a href="#registry/${encodeURIComponent(p.record.registry)}">${H.esc(p.record.registry)}</a> with id in <code>${H.esc(p.record.field)}</code> is ${p.record.states.map((s) => `<code>${H.esc(s)}</code>`).join(" or ")}`;
    return H.esc(JSON.stringify(p));
  }

  async function refreshList() {
    const n = ++asked.regs;
    try {
      const rs = await H.all("/v1/registries");
      if (n !== asked.regs) return;
      H.table($("rg-list"), ["registry", "title", "version", "privacy", "states", "records:n", "owner"], rs, (r) =>
        `<td><a class="rg-link" href="#registry/${encodeURIComponent(r.name)}">${H.esc(r.name)}</a></td><td>${H.esc(r.def.title)}</td><td>${H.esc(r.def.version)}</td>` +
        `<td>${H.esc(r.def.privacy)}</td><td>${H.fmt(r.def.states.length)}</td><td class="n" data-count="${H.esc(r.name)}">…</td><td>${H.short(r.owner)}</td>`, "no registry enabled");
      rs.forEach((r) => H.api("/v1/registries/" + encodeURIComponent(r.name) + "/count").then((c) => {
        const td = document.querySelector(`#rg-list td[data-count="${CSS.escape(r.name)}"]`);
        if (td) td.textContent = H.fmt(result(c).records);
      }).catch(() => {}));
    } catch (e) {
      $("rg-list").innerHTML = `<tr><td class="empty">${H.esc(e.message)}</td></tr>`;
    }
  }

  // showRegistry shows one registry: definition, counts, records, forms.
  async function showRegistry(name, quiet) {
    const n = ++asked.reg;
    if (!quiet) { $("rg-error").textContent = ""; }
    let r;
    try {
      r = result(await H.api("/v1/registries/" + encodeURIComponent(name)));
    } catch (e) {
      if (n !== asked.reg || quiet) return;
      reg = null; $("rg-view").hidden = true; $("rg-error").textContent = e.message;
      return;
    }
    if (n !== asked.reg) return;
    const fresh = !reg || reg.name !== r.name || reg.def_id !== r.def_id;
    reg = r;
    const d = r.def;
    $("rg-view").hidden = false;
    $("rg-name").textContent = r.name;
    $("rg-title").textContent = d.title;
    $("rg-version").textContent = "v" + d.version;
    $("rg-desc").textContent = d.description || "";
    H.fields($("rg-def"), [
      ["privacy", H.esc(d.privacy) + " — " + H.esc({ public: "the record's data is public state", hash: "state keeps the schema's fields and the document's SHA-256; the document stays with the agency", pointer: "state keeps the schema's fields, the document's SHA-256 and where it lives" }[d.privacy] || "")],
      ["owner", H.short(r.owner)],
      ["roles", d.roles.map((x) => `<code class="claim" title="${H.esc(x.description || "")}">${H.esc(x.name)}</code>`).join(" ")],
      ["create", names(d.create_roles)],
      ["initial state", `<code>${H.esc(d.initial)}</code>`],
      ["indexes", names(d.indexes)],
      ["limits", `${H.plural(d.limits.max_record_bytes, "byte")} a record, ${H.plural(d.limits.max_records, "record")}`],
      ["definition", H.hash(r.def_id)],
      ["schema", H.hash(r.schema_id)],
      ["enabled", `height ${H.esc(r.enabled_height)}` + (r.versions && r.versions.length > 1 ? `; versions ${r.versions.map((v) => H.esc(v.version) + " (h" + H.esc(v.height) + ")").join(", ")}` : "")],
    ]);
    H.table($("rg-states"), ["state", "description", "kind", "deadline"], d.states, (s) =>
      `<td>${stateBadge(d, s.name)}</td><td>${H.esc(s.description || "")}</td><td>${s.name === d.initial ? "initial" : s.final ? "final" : ""}</td><td>${deadline(s.deadline)}</td>`, "no state");
    H.table($("rg-trans"), ["transition", "from", "to", "roles", "approvals:n", "may set", "requires"], d.transitions, (t) =>
      `<td><code>${H.esc(t.name)}</code></td><td>${t.from.map((s) => `<code>${H.esc(s)}</code>`).join(", ")}</td><td><code>${H.esc(t.to)}</code></td><td>${names(t.roles)}</td>` +
      `<td class="n">${t.approvals > 1 ? H.esc(t.approvals) + " of the role holders" : "1"}</td><td>${names(t.patch)}</td><td>${(t.requires || []).map(predicate).join("; ") || "–"}</td>`, "no transition");
    const sel = $("rg-state"), cur = sel.value;
    sel.innerHTML = "";
    sel.append(el("option", { value: "", text: "all states" }), ...d.states.map((s) => el("option", { value: s.name, text: s.name })));
    sel.value = d.states.some((s) => s.name === cur) ? cur : "";
    if (fresh) {
      page = { cursors: [""], i: 0, next: "" };
      schema = await loadSchema(r);
      if (n !== asked.reg) return;
      renderCreate();
    }
    await Promise.allSettled([refreshCounts(), loadRecords()]);
  }

  // order lists a schema's properties for a form: the required ones in the
  // order of "required" (the author's: canonical JSON sorts keys, not
  // arrays), then the others as the definition lists them.
  function order(sch) {
    const props = Object.keys((sch && sch.properties) || {});
    let authored = [];
    try {
      const d = reg && (typeof reg.def.schema === "string" ? JSON.parse(reg.def.schema) : reg.def.schema);
      authored = Object.keys((d && d.properties) || {});
    } catch (e) { /* the schema's order then */ }
    return [...new Set([...((sch && sch.required) || []), ...authored, ...props])].filter((k) => props.includes(k));
  }

  // loadSchema reads the record schema from the registry's OpenAPI
  // document (components.schemas.<Name>Record: pet_registration ->
  // PetRegistrationRecord), else from the definition.
  async function loadSchema(r) {
    try {
      const doc = await H.api("/v1/registries/" + encodeURIComponent(r.name) + "/openapi.json");
      const n = r.name.split("_").map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("") + "Record";
      const s = doc.components && doc.components.schemas && doc.components.schemas[n];
      if (s && s.properties) return s;
    } catch (e) { /* the definition has it too */ }
    return typeof r.def.schema === "string" ? JSON.parse(r.def.schema) : r.def.schema;
  }

  async function refreshCounts() {
    const name = reg.name;
    try {
      const c = result(await H.api("/v1/registries/" + encodeURIComponent(name) + "/count"));
      if (!reg || reg.name !== name) return;
      $("rg-total").textContent = H.fmt(c.records);
      H.table($("rg-counts"), ["state", "records:n"], c.states || [], (s) =>
        `<td><a href="#" data-state="${H.esc(s.state)}" class="rg-state-link">${stateBadge(reg.def, s.state)}</a></td><td class="n">${H.fmt(s.records)}</td>`, "no state");
    } catch (e) {
      $("rg-counts").innerHTML = `<tr><td class="empty">${H.esc(e.message)}</td></tr>`;
    }
  }

  // cell shows one property's value in the records table.
  function cell(p, v) {
    if (v === undefined) return "–";
    const f = schema && schema.properties && schema.properties[p] && schema.properties[p].format;
    if (f === "address") return H.short(String(v));
    if (f === "hash") return H.hash(String(v));
    return H.esc(typeof v === "object" ? JSON.stringify(v) : v);
  }

  // loadRecords shows the current page of records (filtered by state).
  async function loadRecords() {
    const n = ++asked.list, name = reg.name, state = $("rg-state").value, cur = page.cursors[page.i];
    const q = new URLSearchParams({ limit: "20" });
    if (state) q.set("state", state);
    if (cur) q.set("cursor", cur);
    let r;
    try {
      r = await H.api("/v1/registries/" + encodeURIComponent(name) + "/records?" + q);
    } catch (e) {
      if (n === asked.list) $("rg-records").innerHTML = `<tr><td class="empty">${H.esc(e.message)}</td></tr>`;
      return;
    }
    if (n !== asked.list || !reg || reg.name !== name) return;
    // Three columns of data: indexed properties first, then required ones.
    const props = [...new Set([...(reg.def.indexes || []), ...((schema && schema.required) || []), ...order(schema)])].slice(0, 3);
    H.table($("rg-records"), ["id:n", "state", "version:n", ...props, "created", "state since", "creator"], list(r), (x) => {
      const data = typeof x.data === "string" ? JSON.parse(x.data) : x.data || {};
      return `<td class="n"><a class="rg-rec-link" href="#registry/${encodeURIComponent(name)}/${x.id}">${H.esc(x.id)}</a></td><td>${stateBadge(reg.def, x.state)}</td><td class="n">${H.esc(x.version)}</td>` +
        props.map((p) => `<td>${cell(p, data[p])}</td>`).join("") +
        `<td>h${H.esc(x.created_height)} ${H.esc(H.when(x.created_at))}</td><td>${H.esc(H.when(x.state_since))}</td><td>${H.short(x.creator)}</td>`;
    }, state ? `no record in state ${state}` : "no record yet");
    Array.from($("rg-records").rows).slice(1).forEach((tr, i) => { const x = list(r)[i]; if (x) { tr.dataset.id = x.id; tr.dataset.state = x.state; } });
    page.next = r.next_cursor || "";
    $("rg-next").hidden = !page.next;
    $("rg-prev").hidden = page.i === 0;
    $("rg-page").textContent = page.i || page.next ? `page ${page.i + 1}` : "";
  }

  // showRecord shows one record: data, history, pending approvals, and the
  // move form for the transitions leaving its state.
  async function showRecord(name, id, quiet) {
    const n = ++asked.rec;
    const base = "/v1/registries/" + encodeURIComponent(name) + "/records/" + encodeURIComponent(id);
    if (!quiet) { $("rg-rec-error").textContent = ""; $("rg-rec-verify").textContent = ""; $("rg-rec-verify").className = "verdict"; }
    let r;
    try {
      r = result(await H.api(base));
    } catch (e) {
      if (n !== asked.rec || quiet) return;
      record = null; $("rg-record").hidden = true; $("rg-rec-error").textContent = e.message;
      return;
    }
    if (n !== asked.rec) return;
    const moved = !record || record.registry !== r.registry || record.id !== r.id || record.version !== r.version;
    record = r;
    const data = typeof r.data === "string" ? JSON.parse(r.data) : r.data;
    $("rg-record").hidden = false;
    $("rg-rec-id").textContent = `${name} #${r.id}`;
    $("rg-rec-state").innerHTML = stateBadge(reg && reg.def, r.state);
    H.fields($("rg-rec-info"), [
      ["state", stateBadge(reg && reg.def, r.state) + ` since ${H.esc(H.when(r.state_since))}`],
      ["version", H.esc(r.version)],
      ["schema", H.hash(r.schema) + (reg && r.schema !== reg.schema_id ? " " + H.badge("older schema version", "warn") : "")],
      ["digest", r.digest ? H.hash(r.digest) : ""], ["document", r.uri ? `<a href="${H.esc(r.uri)}" rel="noopener noreferrer">${H.esc(r.uri)}</a>` : ""],
      ["creator", H.short(r.creator)], ["created", `height ${H.esc(r.created_height)}, ${H.esc(H.when(r.created_at))}`],
    ]);
    H.fields($("rg-rec-data"), Object.keys(data || {}).map((k) => [k, `<code>${H.esc(typeof data[k] === "object" ? JSON.stringify(data[k]) : data[k])}</code>`]));
    if (moved) renderMove();
    const [hist, appr] = await Promise.allSettled([H.api(base + "/history"), H.api(base + "/approvals")]);
    if (n !== asked.rec) return;
    if (hist.status === "fulfilled") {
      H.table($("rg-history"), ["version:n", "step", "from", "to", "by", "schema", "when"], list(hist.value), (s) =>
        `<td class="n">${H.esc(s.version)}</td><td><code>${H.esc(s.transition)}</code></td><td>${s.from ? `<code>${H.esc(s.from)}</code>` : "–"}</td><td>${stateBadge(reg && reg.def, s.to)}</td>` +
        `<td>${(s.signers || []).map(H.short).join(" ") || (s.transition === "deadline" ? "the deadline (no transaction)" : "–")}</td><td>${H.hash(s.schema)}</td><td>h${H.esc(s.height)} ${H.esc(H.when(s.time))}</td>`, "no history");
    } else $("rg-history").innerHTML = `<tr><td class="empty">${H.esc(hist.reason.message)}</td></tr>`;
    if (appr.status === "fulfilled") {
      H.table($("rg-approvals"), ["transition", "of version:n", "approved by", "approvals:n", "patch"], list(appr.value), (a) =>
        `<td><code>${H.esc(a.transition)}</code></td><td class="n">${H.esc(a.version)}</td><td>${(a.signers || []).map(H.short).join(" ")}</td>` +
        `<td class="n">${H.esc((a.signers || []).length)} of ${H.esc(a.needed)}</td><td>${H.hash(a.patch_hash)}</td>`, "no pending approval");
    } else $("rg-approvals").innerHTML = `<tr><td class="empty">${H.esc(appr.reason.message)}</td></tr>`;
  }

  async function verifyRecord() {
    if (!record) return;
    const out = $("rg-rec-verify");
    out.textContent = "verifying…"; out.className = "verdict";
    try {
      const r = await H.api("/v1/registries/" + encodeURIComponent(record.registry) + "/records/" + encodeURIComponent(record.id) + "?prove=true");
      const v = r.result;
      H.proofLine(out, r, v ? `record ${record.registry} #${v.id} (${v.state}, version ${v.version})` : "the absence of the record");
    } catch (e) { out.className = "verdict fail"; out.textContent = "✗ " + e.message; }
  }

  function renderCreate() {
    const d = reg.def;
    $("rg-create-roles").innerHTML = `signer must hold ${d.create_roles.length > 1 ? "one of " : ""}${names(d.create_roles)}; the record starts in <code>${H.esc(d.initial)}</code>`;
    createForm.render(reg.name, schema, null, null);
    $("rg-privacy").hidden = d.privacy === "public";
    $("rg-uri-row").hidden = d.privacy !== "pointer";
    $("rg-digest").value = ""; $("rg-uri").value = ""; $("rg-doc").value = "";
    $("rg-create-status").textContent = ""; $("rg-create-status").className = "";
  }

  // renderMove lists the transitions leaving the record's state; the
  // chosen one's patch properties become inputs.
  function renderMove() {
    const d = reg && reg.def, sel = $("rg-move-trans");
    const ts = d ? d.transitions.filter((t) => t.from.includes(record.state)) : [];
    sel.innerHTML = "";
    ts.forEach((t) => sel.append(el("option", { value: t.name, text: `${t.name} → ${t.to}` })));
    $("rg-move").hidden = !ts.length;
    $("rg-move-none").textContent = ts.length ? "" : `no transition leaves ${record.state}` + (d && d.states.find((s) => s.name === record.state && s.deadline) ? " by a transaction (its deadline may)" : "");
    $("rg-move-status").textContent = ""; $("rg-move-status").className = "";
    renderPatch();
  }
  function renderPatch() {
    const t = reg && reg.def.transitions.find((x) => x.name === $("rg-move-trans").value);
    if (!t) { moveForm.render(reg ? reg.name : "", null, [], null); $("rg-move-needs").textContent = ""; return; }
    const data = typeof record.data === "string" ? JSON.parse(record.data) : record.data;
    moveForm.render(reg.name, schema, t.patch || [], data || {});
    $("rg-move-needs").innerHTML = `signer must hold ${t.roles.length > 1 ? "one of " : ""}${names(t.roles)}` +
      (t.approvals > 1 ? `; runs at the ${H.esc(t.approvals)}th approval of version ${H.esc(record.version)}` : "") +
      ((t.requires || []).length ? `; requires: ${t.requires.map(predicate).join("; ")}` +
        (t.requires.some((p) => p.credential) ? " (credential evidence is presented with the CLI: citychain tx registry move --evidence)" : "") : "") +
      ((t.patch || []).length ? "" : "; sets no property");
  }

  function statusOf(id) {
    return (text, cls) => { const e = $(id); e.textContent = text; e.className = "verdict " + (cls || ""); };
  }
  async function submitCreate(ev) {
    ev.preventDefault();
    const status = statusOf("rg-create-status");
    status("validating…");
    const vals = await createForm.validate().catch((e) => { status("✗ " + e.message, "fail"); return null; });
    if (!vals) { if (!$("rg-create-status").classList.contains("fail")) status("✗ the record does not validate: see the fields", "fail"); return; }
    const name = reg.name, msg = { registry: name, data: sorted(vals) };
    const digest = $("rg-digest").value.trim().toLowerCase(), uri = $("rg-uri").value.trim();
    if (reg.def.privacy !== "public") {
      if (!/^[0-9a-f]{64}$/.test(digest)) { status("✗ document digest: want the SHA-256 of the document (64 hex), or choose the file", "fail"); return; }
      msg.digest = digest;
      if (reg.def.privacy === "pointer") msg.uri = uri;
    }
    try {
      const res = await signAndSubmit([{ type: "registry/create", value: msg }], status);
      const id = attr(res, "registry.created", "id"), state = attr(res, "registry.created", "state");
      status(`✓ record #${id} created in state ${state} at height ${res.height}`, "ok");
      $("rg-create-status").dataset.id = id;
      createForm.render(name, schema, null, null);
      location.hash = "#registry/" + encodeURIComponent(name) + "/" + id;
    } catch (e) { status("✗ " + e.message, "fail"); }
  }
  async function submitMove(ev) {
    ev.preventDefault();
    if (!record || !reg) return;
    const status = statusOf("rg-move-status"), t = $("rg-move-trans").value, rec = record;
    status("validating…");
    const vals = await moveForm.validate().catch((e) => { status("✗ " + e.message, "fail"); return null; });
    if (!vals) { if (!$("rg-move-status").classList.contains("fail")) status("✗ the patched record does not validate: see the fields", "fail"); return; }
    const msg = { registry: rec.registry, id: new Int(rec.id), version: new Int(rec.version), transition: t };
    const data = typeof rec.data === "string" ? JSON.parse(rec.data) : rec.data || {};
    const patch = {};
    // The patch carries the properties the form changed (a shallow merge:
    // a cleared input leaves the property as it is).
    const same = (a, b) => { try { return goJSON(sorted(a)) === goJSON(sorted(b)); } catch (e) { return false; } };
    Object.keys(vals).forEach((k) => { if (data[k] === undefined || !same(vals[k], data[k])) patch[k] = vals[k]; });
    if (Object.keys(patch).length) msg.patch = sorted(patch);
    try {
      const res = await signAndSubmit([{ type: "registry/transition", value: msg }], status);
      await showRecord(rec.registry, rec.id, true); // a new version renders the move form anew
      refreshCounts(); loadRecords();
      const to = attr(res, "registry.transitioned", "to");
      if (to) status(`✓ ${t}: record #${rec.id} is now ${to} (version ${attr(res, "registry.transitioned", "version")}) at height ${res.height}`, "ok");
      else status(`✓ approval of ${t} recorded at height ${res.height}: ${attr(res, "registry.approved", "approvals") || "?"} of ${attr(res, "registry.approved", "needed") || "?"} approvals`, "ok");
    } catch (e) { status("✗ " + e.message, "fail"); }
  }

  // whoami shows the address of the key typed in (computed in the page).
  let whoSeq = 0;
  async function whoami() {
    const n = ++whoSeq, v = $("rg-key").value.trim(), out = $("rg-signer");
    if (!v) { out.textContent = ""; return; }
    try {
      const k = await importSeed(v);
      if (n === whoSeq) { out.className = ""; out.textContent = "signs as " + k.address; out.dataset.address = k.address; }
    } catch (e) { if (n === whoSeq) { out.className = "bad"; out.textContent = e.message; } }
  }

  async function hashDocument() {
    const f = $("rg-doc").files[0];
    if (!f) return;
    $("rg-digest").value = hex(await crypto.subtle.digest("SHA-256", await f.arrayBuffer()));
  }

  window.CityRegistries = {
    // init wires the tab to the dashboard's helpers.
    init(helpers) {
      H = helpers;
      createForm = new Form("rg-create", $("rg-create-fields"), $("rg-create-error"), $("rg-create-ok"));
      moveForm = new Form("rg-move", $("rg-move-fields"), $("rg-move-error"), $("rg-move-ok"));
      $("rg-create").addEventListener("submit", submitCreate);
      $("rg-move").addEventListener("submit", submitMove);
      $("rg-move-trans").addEventListener("change", renderPatch);
      $("rg-key").addEventListener("input", whoami);
      $("rg-doc").addEventListener("change", () => hashDocument().catch((e) => { $("rg-create-error").textContent = e.message; }));
      $("rg-verify").addEventListener("click", verifyRecord);
      $("rg-state").addEventListener("change", () => { page = { cursors: [""], i: 0, next: "" }; loadRecords(); });
      $("rg-next").addEventListener("click", () => { if (page.next) { page.cursors[++page.i] = page.next; loadRecords(); } });
      $("rg-prev").addEventListener("click", () => { if (page.i > 0) { page.i--; loadRecords(); } });
      $("rg-counts").addEventListener("click", (e) => {
        const a = e.target.closest("a.rg-state-link");
        if (!a) return;
        e.preventDefault();
        $("rg-state").value = a.dataset.state; page = { cursors: [""], i: 0, next: "" }; loadRecords();
      });
    },
    // show shows the tab: the list, and a registry (and record) when named.
    show(name, id, opened) {
      if (opened) refreshList();
      if (!name) { reg = null; record = null; $("rg-view").hidden = true; return; }
      const p = reg && reg.name === name ? Promise.resolve(showRegistry(name, true)) : showRegistry(name);
      p.then(() => {
        if (id) showRecord(name, id); else { record = null; $("rg-record").hidden = true; }
      });
    },
    // onEvent refreshes what a registry event changed.
    onEvent(ev) {
      if (!ev.type.startsWith("registry.")) return;
      const a = ev.attributes || {};
      H.later("rg-list", 1500, refreshList);
      if (reg && (a.registry === reg.name || a.name === reg.name)) {
        H.later("rg-reg", 1000, () => reg && showRegistry(reg.name, true));
        if (record && String(a.id) === String(record.id)) H.later("rg-rec", 1000, () => record && showRecord(record.registry, record.id, true));
      }
    },
  };
})();
