// dom.js: the element helpers the dashboard's own-file pages share
// (voting.js, labour.js). Chain data only ever becomes text nodes.
window.CityDOM = (function () {
  // el makes an element with attributes (on* as handlers, text as its
  // text, className) and children; strings become text nodes, so chain
  // data is never parsed as HTML.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "text") e.textContent = v;
      else if (k === "className") e.className = v;
      else e.setAttribute(k, v === true ? "" : v);
    });
    kids.flat(Infinity).forEach((c) => { if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c)); });
    return e;
  }
  // fill replaces e's children.
  const fill = (e, ...kids) => { e.replaceChildren(); kids.flat(Infinity).forEach((k) => k && e.append(k)); };
  const badge = (text, cls) => el("span", { className: "badge " + (cls || "") }, text);
  const code = (s, full) => el("code", { title: full || s }, s);
  const addr = (a) => (a ? code(String(a).slice(0, 10) + "…", String(a)) : "–");
  const fmt = (n) => Number(n || 0).toLocaleString("en");
  // result is a provable read's value; list is a list answer's items.
  const result = (r) => (r && typeof r === "object" && "result" in r && "height" in r ? r.result : r);
  const list = (r, name) => (Array.isArray(r) ? r : (r && (r.items || r[name] || r.result)) || []);
  const td = (...kids) => el("td", {}, ...kids);
  const tdn = (...kids) => el("td", { className: "n" }, ...kids);
  // rows fills a table with a header row ("name:n" right-aligns) and one
  // row per item (row returns the cells), or one "empty" row; it returns
  // the item rows.
  function rows(tbl, head, items, row, empty) {
    const th = (h) => (h.endsWith(":n") ? el("th", { className: "n" }, h.slice(0, -2)) : el("th", {}, h));
    if (!items.length) { fill(tbl, el("tr", {}, el("td", { className: "empty" }, empty))); return []; }
    const trs = items.map((it, i) => el("tr", {}, row(it, i)));
    fill(tbl, el("tr", {}, head.map(th)), trs);
    return trs;
  }
  // kv fills a two-column table with the pairs whose value is set.
  function kv(tbl, pairs) {
    fill(tbl, pairs.filter((p) => p[1] !== null && p[1] !== undefined && p[1] !== "").map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v))));
  }
  return { el, fill, badge, code, addr, fmt, result, list, td, tdn, rows, kv };
})();
