// The review page's script, inlined into every report (no network, no library).
// Filters and sorts the server-rendered records table and draws a record's detail view on
// demand from the embedded JSON. Data only ever reaches the page as text nodes and
// attribute values: nothing from the data is parsed as HTML.
(() => {
  "use strict";

  const LARGE_TABLE = 2000; // above this many rows, typing in the text filter is debounced
  const DEBOUNCE_MS = 150; // long enough to skip keystrokes typed in a burst

  const byId = (id) => document.getElementById(id);
  const index = JSON.parse(byId("report-index").textContent);
  let details = null; // parsed on first use: opening the page does not pay for it
  const detailData = () =>
    details || (details = JSON.parse(byId("report-details").textContent));

  const table = byId("records-table");
  const tbody = table.tBodies[0];
  const rows = index.rows;
  const rowById = new Map();
  for (const tr of tbody.rows) rowById.set(tr.dataset.recordId, tr);
  rows.forEach((r, i) => {
    r.tr = rowById.get(r.id);
    r.i = i;
  });

  // ------------------------------------------------------------------ filters

  const filters = {
    actor: byId("f-actor"),
    country: byId("f-country"),
    kind: byId("f-kind"),
    period: byId("f-period"),
    text: byId("f-text"),
  };
  const shown = byId("shown");

  function periodMatches(r, value) {
    if (!value) return true;
    if (value === "none") return !r.period;
    if (value.startsWith("y:")) return r.year === value.slice(2);
    return r.period === value.slice(2);
  }

  function applyFilters() {
    const actor = filters.actor.value;
    const country = filters.country.value;
    const kind = filters.kind.value;
    const period = filters.period.value;
    const terms = filters.text.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length) addEvidenceToSearch();
    let count = 0;
    for (const r of rows) {
      const ok =
        (!actor || r.actor === actor) &&
        (!country || r.codes.includes(country)) &&
        (!kind || r.kinds.includes(kind)) &&
        periodMatches(r, period) &&
        terms.every((t) => r.q.includes(t));
      if (r.tr.hidden === ok) r.tr.hidden = !ok;
      if (ok) count += 1;
    }
    shown.textContent = `${count} of ${rows.length} records shown`;
  }

  // The evidence sentences are searched too; they are cut from the article texts on the
  // first text search rather than sent twice in the page.
  let evidenceAdded = false;
  function addEvidenceToSearch() {
    if (evidenceAdded) return;
    evidenceAdded = true;
    const data = detailData();
    for (const r of rows) {
      const entry = data.records[r.id];
      if (!entry) continue;
      const text = entry.a === null ? entry.text : data.articles[entry.a].text;
      const said = entry.spans.filter((s) => s[2] === "evidence").map((s) => text.slice(s[0], s[1]));
      r.q += ` ${said.join(" ").toLowerCase()}`;
    }
  }

  let timer = 0;
  function applySoon() {
    if (rows.length <= LARGE_TABLE) return applyFilters();
    clearTimeout(timer);
    timer = setTimeout(applyFilters, DEBOUNCE_MS);
  }

  const form = byId("filters");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters();
  });
  form.addEventListener("change", applyFilters);
  filters.text.addEventListener("input", applySoon);
  form.addEventListener("reset", () => setTimeout(applyFilters, 0));

  // ------------------------------------------------------------------ sorting

  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const sortKeys = {
    actor: (r) => r.actor,
    action: (r) => r.action,
    targets: (r) => r.n,
    countries: (r) => r.codes.join(" "),
    period: (r) => r.pk,
    reason: (r) => r.reason,
    source: (r) => r.pub || r.site,
  };
  let sortKey = null;
  let sortDir = 1;

  function compare(x, y) {
    if (typeof x === "number") return x - y;
    if (x === y) return 0;
    if (x === "") return 1; // empty values last, whichever the direction
    if (y === "") return -1;
    return collator.compare(x, y);
  }

  function sortBy(key) {
    sortDir = sortKey === key ? -sortDir : 1;
    sortKey = key;
    const keyOf = sortKeys[key];
    const order = rows.slice().sort((a, b) => {
      const x = keyOf(a);
      const y = keyOf(b);
      const c = compare(x, y);
      const emptyLast = typeof x !== "number" && (x === "" || y === "");
      return (emptyLast ? c : c * sortDir) || a.i - b.i;
    });
    // moved one by one in place: measured faster than a fragment or a detached body, whose
    // re-insertion restyles every row (rows out of view are skipped, see the stylesheet)
    for (const r of order) tbody.appendChild(r.tr);
    for (const th of table.tHead.rows[0].cells) {
      if (th.dataset.sort === key) {
        th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    }
  }

  table.tHead.addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (th) sortBy(th.dataset.sort);
  });

  // ------------------------------------------------------------------ detail view

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [name, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false) continue;
        if (name === "class") node.className = value;
        else node.setAttribute(name, value);
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  function isWebUrl(url) {
    try {
      const u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch (_) {
      return false;
    }
  }

  function link(url, text) {
    if (url && isWebUrl(url)) return el("a", { href: url, rel: "noopener noreferrer" }, text || url);
    return el("span", null, text || url || "");
  }

  function plural(kind, count) {
    const words = kind.replace(/_/g, " ");
    return count === 1 ? words : `${words}s`;
  }

  function fmt(n) {
    return n === null || n === undefined ? "" : Number(n).toLocaleString("en");
  }

  function targetText(t) {
    const number = t.count == null ? t.qualifier || "some" : [t.qualifier, fmt(t.count)].filter(Boolean).join(" ");
    const words = `${number} ${plural(t.kind, t.count)}`;
    return t.platform ? `${words} on ${t.platform}` : words;
  }

  // Text from `from` to `to` with spans nested as <mark>s. Spans come sorted outer first
  // ([start, end, kind, label, record start, record end], JavaScript offsets); a span that
  // runs past the one it sits in is cut there and flagged.
  function highlighted(text, spans, from, to) {
    const root = el("div", { class: "excerpt" });
    const stack = [{ node: root, end: to }];
    let pos = from;
    const put = (upto) => {
      if (upto > pos) {
        stack[stack.length - 1].node.append(text.slice(pos, upto));
        pos = upto;
      }
    };
    for (const [s, e, kind, label, os, oe] of spans) {
      if (e <= from || s >= to) continue;
      let start = Math.max(s, from);
      while (stack.length > 1 && stack[stack.length - 1].end <= start) {
        put(stack[stack.length - 1].end);
        stack.pop();
      }
      start = Math.max(start, pos);
      const parentEnd = stack[stack.length - 1].end;
      const end = Math.min(e, parentEnd);
      if (end <= start) continue;
      put(start);
      const mark = el("mark", {
        class: `hl hl-${kind}`,
        "data-kind": kind,
        "data-label": label,
        "data-start": os,
        "data-end": oe,
        "data-clipped": start !== s || end !== e ? "true" : null,
        title: `${kind}: ${label}`,
      });
      stack[stack.length - 1].node.append(mark);
      stack.push({ node: mark, end });
    }
    while (stack.length > 1) {
      put(stack[stack.length - 1].end);
      stack.pop();
    }
    put(to);
    return root;
  }

  function textView(text, spans, ranges, whole) {
    const box = el("div", { class: "text" });
    const parts = whole ? [[0, text.length]] : ranges;
    parts.forEach(([from, to], i) => {
      if (i === 0 && from > 0) box.append(el("p", { class: "gap" }, "[…]"));
      if (i > 0) box.append(el("p", { class: "gap" }, "[…]"));
      box.append(highlighted(text, spans, from, to));
    });
    const last = parts[parts.length - 1];
    if (last && last[1] < text.length && text.slice(last[1]).trim()) {
      box.append(el("p", { class: "gap" }, "[…]"));
    }
    return box;
  }

  function field(dl, name, ...value) {
    if (value.every((v) => v === null || v === undefined || v === "")) return;
    dl.append(el("div", null, el("dt", null, name), el("dd", null, ...value)));
  }

  function list(items) {
    return el("ul", null, ...items.map((item) => el("li", null, item)));
  }

  const LEGEND = [
    ["evidence", "evidence sentence"],
    ["target", "target"],
    ["total", "total"],
    ["country", "country"],
    ["actor", "actor"],
  ];

  // what the page leaves out of a record when it is empty (see _details in report.py)
  const RECORD_DEFAULTS = {
    actor: null, total: null, countries: [], operator: null, reason: null, period: null,
    reach: [], languages: [], investigators: [], primary_sources: [], rules: [],
  };

  function renderRecord(id, entry) {
    const data = detailData();
    const rec = { ...RECORD_DEFAULTS, ...entry.rec };
    const article = entry.a === null ? null : data.articles[entry.a];
    const text = article ? article.text : entry.text;
    const source = article ? article.source : rec.source;
    const actor = rec.actor ? rec.actor.name : "(no actor)";
    byId("detail-title").textContent = `${actor} ${rec.action}${rec.period ? `, ${rec.period}` : ""}`;
    const body = byId("detail-body");
    body.replaceChildren();
    body.dataset.recordId = id;

    for (const warning of entry.warn || []) body.append(el("p", { class: "warn", role: "note" }, warning));

    body.append(el("h3", null, article ? "The article around the evidence" : "Evidence"));
    const kinds = new Set(entry.spans.map((s) => s[2]));
    const legend = el("p", { class: "legend" }, el("span", { class: "sr-label" }, "Highlighted: "));
    for (const [kind, name] of LEGEND) {
      if (kinds.has(kind)) legend.append(el("span", { class: `hl-${kind}` }, name));
    }
    body.append(legend);
    let whole = false;
    let view = textView(text, entry.spans, entry.ranges, whole);
    body.append(view);
    const wholeText = entry.ranges.length !== 1 || entry.ranges[0][0] !== 0 || entry.ranges[0][1] !== text.length;
    if (article && wholeText) {
      const toggle = el("button", { type: "button", "aria-expanded": "false" }, "Show the whole article");
      toggle.addEventListener("click", () => {
        whole = !whole;
        const next = textView(text, entry.spans, entry.ranges, whole);
        view.replaceWith(next);
        view = next;
        toggle.textContent = whole ? "Show the text around the evidence" : "Show the whole article";
        toggle.setAttribute("aria-expanded", String(whole));
      });
      body.append(el("p", null, toggle));
    }

    body.append(el("h3", null, "Fields"));
    const dl = el("dl", { class: "fields" });
    field(dl, "Actor", rec.actor ? `${rec.actor.name} (${rec.actor.kind})` : "");
    field(dl, "Action", rec.action);
    if (rec.targets.length) {
      field(dl, "Targets", list(rec.targets.map((t) => `${targetText(t)} — “${t.text}”${t.approximate ? " (approximate)" : ""}`)));
    }
    if (rec.total) field(dl, "Total", `${[rec.total.qualifier, fmt(rec.total.count)].filter(Boolean).join(" ")} — “${rec.total.text}”`);
    if (rec.countries.length) {
      field(dl, "Countries", list(rec.countries.map((c) => `${c.name} (${c.code}): ${c.role}`)));
    }
    field(dl, "Operator", rec.operator);
    if (rec.reason) field(dl, "Reason", `${rec.reason.label.replace(/_/g, " ")} — “${rec.reason.text}”`);
    field(dl, "Period", rec.period);
    if (rec.reach.length) {
      field(dl, "Reach", list(rec.reach.map((r) => `${r.approximate ? "about " : ""}${fmt(r.count)} ${r.metric.replace(/_/g, " ")}${r.currency ? ` ${r.currency}` : ""} — “${r.text}”`)));
    }
    if (rec.languages.length) field(dl, "Languages", rec.languages.join(", "));
    if (rec.investigators.length) field(dl, "Investigators", rec.investigators.join(", "));
    if (rec.rules.length) {
      field(dl, "Rules", el("span", { class: "rules" }, ...rec.rules.map((r) => el("code", null, r))));
    }
    field(dl, "Record id", el("code", null, id));
    body.append(dl);

    body.append(el("h3", null, "Source"));
    const sdl = el("dl", { class: "fields" });
    field(sdl, "Title", source.url ? link(source.url, source.title || source.url) : source.title);
    field(sdl, "Site", source.site);
    field(sdl, "Author", source.author);
    field(sdl, "Published", source.published);
    field(sdl, "URL", source.url ? link(source.url, source.url) : null);
    field(sdl, "File", source.path ? el("code", null, source.path) : null);
    body.append(sdl);

    body.append(el("h3", null, "Primary sources"));
    if (rec.primary_sources.length) {
      body.append(
        list(
          rec.primary_sources.map((p) =>
            el("span", null, p.publisher ? `${p.publisher}: ` : "", link(p.url, p.text || p.url)),
          ),
        ),
      );
    } else {
      body.append(el("p", { class: "empty" }, "The article links to no primary source."));
    }
  }

  const dialog = byId("detail");
  let opener = null;

  function openRecord(id, from) {
    const entry = detailData().records[id];
    if (!entry) return false;
    opener = from || document.activeElement;
    renderRecord(id, entry);
    if (!dialog.open) dialog.showModal();
    byId("detail-title").focus();
    dialog.scrollTop = 0;
    return true;
  }

  byId("detail-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  dialog.addEventListener("close", () => {
    if (opener && document.contains(opener)) opener.focus();
    opener = null;
  });

  document.addEventListener("click", (event) => {
    const a = event.target.closest('a[href^="#record-"]');
    if (!a) return;
    if (openRecord(a.getAttribute("href").slice("#record-".length), a)) event.preventDefault();
  });

  if (location.hash.startsWith("#record-")) {
    openRecord(decodeURIComponent(location.hash.slice("#record-".length)), null);
  }
  document.documentElement.dataset.ready = "true";
})();
