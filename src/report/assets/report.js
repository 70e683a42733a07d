"use strict";
// twinwire report: renders the run's data (the JSON in #data). Text from the corpus only ever goes
// into the page through textContent, never as markup.
(function () {
  const errors = document.getElementById("errors");
  function showError(message) {
    errors.hidden = false;
    errors.appendChild(el("p", {}, message));
  }
  window.addEventListener("error", (e) => showError("error in the report: " + e.message));

  const PAGE = 50;
  const D = JSON.parse(document.getElementById("data").textContent);
  const kinds = D.kinds;
  const texts = new Map(D.texts.map((t) => [t[0], { text: t[1], cut: t[2] }]));
  const docId = (d) => D.docs[d][0];
  // Ids in lower case for the searches, made once, at the first search.
  let lowerIds = null;
  const idHas = (d, q) => {
    lowerIds = lowerIds || D.docs.map((doc) => doc[0].toLowerCase());
    return lowerIds[d].includes(q);
  };

  // el("td", {class: "n"}, "text", childNode, ...): an element; strings become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return node;
  }
  const fmt = (n) => Number(n).toLocaleString("en-US");
  const score = (s) => Number(s).toFixed(4);

  function viewOf(a, b) {
    const x = Math.min(a, b), y = Math.max(a, b);
    const v = D.views[x + "-" + y];
    if (!v) return null;
    if (v.aligned) {
      return { aligned: a === x ? v.aligned : v.aligned.map((r) => [r[1], r[0], r[2]]) };
    }
    return a === x ? { a: v.a, b: v.b } : { a: v.b, b: v.a };
  }

  // ---- summary ------------------------------------------------------------------------------
  function renderSummary() {
    const s = D.summary;
    document.getElementById("run").textContent =
      "twinwire " + s.version + " · " + s.inputs.join(", ") + " · " + s.settings;
    const rows = [["documents", s.documents, "count-documents"]];
    for (const k of kinds) rows.push([k + " pairs", s.pairs[k], "count-" + k]);
    rows.push(["pairs in all", s.pairs_total, "count-pairs"]);
    rows.push(["clusters of copies", s.clusters, "count-clusters"]);
    rows.push(["removed (cluster members)", s.removed, "count-removed"]);
    rows.push(["kept", s.kept, "count-kept"]);
    const stats = el("div", { class: "stats" });
    for (const [label, n, id] of rows) {
      stats.appendChild(el("div", { class: "stat" }, el("span", { class: "n", id: id, "data-n": n }, fmt(n)), el("span", {}, label)));
    }
    stats.appendChild(el("div", { class: "stat" }, el("span", { class: "n" }, s.seconds.toFixed(2) + " s"), el("span", {}, "time")));
    document.getElementById("summary").appendChild(stats);
    const L = D.limits;
    const withText = Math.min(L.text_clusters, D.clusters.length);
    let note = "Texts are carried for the " + fmt(withText) + " largest clusters (up to " + L.members_with_text +
      " members each, --texts " + L.text_clusters + ") and the first " + L.text_translations +
      " translations; " + fmt(D.clusters.length - withText) + " clusters are listed without their texts.";
    note += L.pairs_left_out > 0
      ? " The first " + fmt(D.pairs.length) + " pairs are listed; " + fmt(L.pairs_left_out) + " more are counted but left out."
      : " Every pair is listed.";
    document.getElementById("left-out").textContent = note;
  }

  // ---- clusters -----------------------------------------------------------------------------
  const clusters = D.clusters.map((c, i) => {
    let mask = 0, weakest = 1;
    for (const m of c[1]) { mask |= 1 << m[1]; weakest = Math.min(weakest, m[2]); }
    return { index: i, rep: c[0], members: c[1], size: c[1].length + 1, mask: mask, weakest: weakest, text: texts.has(c[0]) };
  });
  const clusterState = { query: "", kind: -1, min: 2, sort: "size", asc: false, page: 0 };

  function clusterRows() {
    const q = clusterState.query.toLowerCase();
    let rows = clusters.filter((c) =>
      c.size >= clusterState.min &&
      (clusterState.kind < 0 || (c.mask & (1 << clusterState.kind))) &&
      (!q || idHas(c.rep, q) || c.members.some((m) => idHas(m[0], q))));
    const key = {
      index: (c) => c.index, size: (c) => c.size, weakest: (c) => c.weakest, rep: (c) => docId(c.rep),
    }[clusterState.sort];
    const sign = clusterState.asc ? 1 : -1;
    rows = rows.slice().sort((x, y) => {
      const a = key(x), b = key(y);
      return a < b ? -sign : a > b ? sign : x.index - y.index;
    });
    return rows;
  }

  // The rows of the state's page (the page brought back in range), and how many pages there are.
  function pageOf(rows, state) {
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    return [rows.slice(state.page * PAGE, (state.page + 1) * PAGE), pages];
  }

  function renderClusters() {
    const rows = clusterRows();
    const [shown, pages] = pageOf(rows, clusterState);
    const body = document.querySelector("#cluster-table tbody");
    body.replaceChildren();
    for (const c of shown) {
      const rels = kinds.filter((_, k) => c.mask & (1 << k)).join(", ");
      const tr = el("tr", { "data-cluster": c.index },
        el("td", {}, c.index + 1), el("td", { class: "n" }, fmt(c.size)), el("td", { class: "id" }, docId(c.rep)),
        el("td", {}, rels), el("td", { class: "n" }, score(c.weakest)), el("td", {}, c.text ? "yes" : "no"));
      tr.addEventListener("click", () => { location.hash = "cluster=" + (c.index + 1); });
      body.appendChild(tr);
    }
    document.getElementById("cluster-count").textContent =
      fmt(rows.length) + " of " + fmt(clusters.length) + " clusters";
    for (const th of document.querySelectorAll("#cluster-table th[data-sort]")) {
      th.classList.toggle("sorted", th.dataset.sort === clusterState.sort);
      th.classList.toggle("asc", clusterState.asc);
    }
    pager("cluster-pager", clusterState, pages, renderClusters);
  }

  function pager(id, state, pages, render) {
    const box = document.getElementById(id);
    box.replaceChildren();
    const prev = el("button", { type: "button" }, "previous");
    const next = el("button", { type: "button" }, "next");
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    prev.addEventListener("click", () => { state.page--; render(); });
    next.addEventListener("click", () => { state.page++; render(); });
    box.append(prev, el("span", {}, "page " + (state.page + 1) + " of " + pages), next);
  }

  function showCluster(i) {
    const c = clusters[i];
    const detail = document.getElementById("detail");
    if (!c) { detail.replaceChildren(el("p", { class: "note" }, "No cluster " + (i + 1) + ".")); return; }
    const table = el("table", { class: "list", id: "member-table" },
      el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", {}, "id"), el("th", {}, "words"),
        el("th", {}, "relation to the kept one"), el("th", {}, "score"), el("th", {}, ""))));
    const body = el("tbody", {});
    const d = D.docs[c.rep];
    body.appendChild(el("tr", {}, el("td", { class: "kept" }, "kept"), el("td", { class: "id" }, d[0]),
      el("td", { class: "n" }, fmt(d[1])), el("td", {}, "representative"), el("td", {}, ""), el("td", {}, "")));
    c.members.forEach((m, j) => {
      const md = D.docs[m[0]];
      const open = viewOf(c.rep, m[0])
        ? el("a", { href: "#member=" + (i + 1) + "/" + (j + 1), class: "open" }, "compare")
        : el("span", { class: "note" }, "text not carried");
      body.appendChild(el("tr", { "data-member": j }, el("td", { class: "removed" }, "removed"),
        el("td", { class: "id" }, md[0]), el("td", { class: "n" }, fmt(md[1])), el("td", {}, kinds[m[1]]),
        el("td", { class: "n" }, score(m[2])), el("td", {}, open)));
    });
    table.appendChild(body);
    detail.replaceChildren(
      el("h2", { id: "detail-title" }, "Cluster " + (i + 1) + ": " + fmt(c.size) + " documents"),
      el("p", { class: "note" }, "Every member is related to the kept document itself (no chaining); dedupe keeps it and removes the others."),
      table);
  }

  // ---- pairs --------------------------------------------------------------------------------
  const pairState = { query: "", kind: -1, page: 0 };

  function pairRows() {
    const q = pairState.query.toLowerCase();
    const rows = [];
    D.pairs.forEach((p, k) => {
      if (pairState.kind >= 0 && p[2] !== pairState.kind) return;
      if (q && !idHas(p[0], q) && !idHas(p[1], q)) return;
      rows.push(k);
    });
    return rows;
  }

  function renderPairs() {
    const rows = pairRows();
    const [shown, pages] = pageOf(rows, pairState);
    const body = document.querySelector("#pair-table tbody");
    body.replaceChildren();
    for (const k of shown) {
      const p = D.pairs[k];
      const tr = el("tr", { "data-pair": k }, el("td", {}, k + 1), el("td", { class: "id" }, docId(p[0])),
        el("td", { class: "id" }, docId(p[1])), el("td", {}, kinds[p[2]]), el("td", { class: "n" }, score(p[3])),
        el("td", {}, viewOf(p[0], p[1]) ? "yes" : "no"));
      tr.addEventListener("click", () => { location.hash = "pair=" + (k + 1); });
      body.appendChild(tr);
    }
    document.getElementById("pair-count").textContent = fmt(rows.length) + " of " + fmt(D.pairs.length) + " listed pairs";
    pager("pair-pager", pairState, pages, renderPairs);
  }

  // ---- one pair, side by side ---------------------------------------------------------------
  function marked(text, spans) {
    const box = el("div", { class: "text" });
    let at = 0;
    for (const [s, e] of spans) {
      if (s < at) continue;
      if (s > at) box.appendChild(document.createTextNode(text.slice(at, s)));
      box.appendChild(el("mark", { class: "shared" }, text.slice(s, e)));
      at = e;
    }
    if (at < text.length) box.appendChild(document.createTextNode(text.slice(at)));
    return box;
  }

  function side(d, spans, role) {
    const t = texts.get(d);
    const doc = D.docs[d];
    const head = el("h3", {}, doc[0], " ", el("span", { class: "note" },
      "(" + fmt(doc[1]) + " words" + (doc[2] ? ", " + doc[2] : "") + ")" + (role ? " " + role : "")));
    const shared = spans.reduce((n, [s, e]) => n + (e - s), 0);
    const share = t && t.text.length ? Math.round((100 * shared) / t.text.length) : 0;
    return el("div", { class: "side", "data-doc": d }, head,
      el("p", { class: "note" }, spans.length + " shared passages marked (" + share + "% of the text)" +
        (t && t.cut ? "; text cut at " + fmt(D.limits.text_chars) + " characters" : "")),
      marked(t ? t.text : "", spans));
  }

  function showPair(a, b, kind, s, roles, scroll) {
    const box = document.getElementById("pair");
    const v = viewOf(a, b);
    const title = el("h2", { id: "pair-title" }, docId(a) + " — " + docId(b) + ": " + kinds[kind] + " " + score(s));
    if (!v) {
      box.replaceChildren(title, el("p", { class: "note" },
        "The texts of this pair are not carried in this report (see the note at the top; rerun with a larger --texts)."));
      return;
    }
    if (v.aligned) {
      const table = el("table", { class: "aligned", id: "aligned" });
      table.appendChild(el("tr", {}, el("th", {}, "similarity"), el("th", {}, docId(a)), el("th", {}, docId(b))));
      for (const [ta, tb, sim] of v.aligned) {
        table.appendChild(el("tr", {}, el("td", { class: "s" }, Number(sim).toFixed(2)), el("td", {}, ta), el("td", {}, tb)));
      }
      box.replaceChildren(title, el("p", { class: "note" }, v.aligned.length + " aligned sentence groups, in document order"), table);
    } else {
      box.replaceChildren(title, el("div", { class: "sides" }, side(a, v.a, roles[0]), side(b, v.b, roles[1])));
    }
    if (scroll) box.scrollIntoView({ block: "start" });
  }

  // ---- navigation: #cluster=N, #member=N/M, #pair=K (1-based) ---------------------------------
  function route(event) {
    const scroll = event !== undefined;
    const h = decodeURIComponent(location.hash.slice(1));
    let m;
    if ((m = /^cluster=(\d+)$/.exec(h))) {
      showCluster(+m[1] - 1);
    } else if ((m = /^member=(\d+)\/(\d+)$/.exec(h))) {
      const c = clusters[+m[1] - 1];
      showCluster(+m[1] - 1);
      const member = c && c.members[+m[2] - 1];
      if (member) showPair(c.rep, member[0], member[1], member[2], ["kept", "removed"], scroll);
    } else if ((m = /^pair=(\d+)$/.exec(h))) {
      selectTab("pairs");
      const p = D.pairs[+m[1] - 1];
      if (p) showPair(p[0], p[1], p[2], p[3], ["", ""], scroll);
    }
  }

  function selectTab(name) {
    for (const b of document.querySelectorAll("#tabs button")) b.setAttribute("aria-pressed", String(b.dataset.tab === name));
    document.getElementById("clusters-tab").hidden = name !== "clusters";
    document.getElementById("pairs-tab").hidden = name !== "pairs";
  }

  function wire() {
    for (const id of ["cluster-kind", "pair-kind"]) {
      const select = document.getElementById(id);
      kinds.forEach((k, i) => select.appendChild(el("option", { value: i }, k)));
    }
    const on = (id, event, f) => document.getElementById(id).addEventListener(event, f);
    on("cluster-search", "input", (e) => { clusterState.query = e.target.value; clusterState.page = 0; renderClusters(); });
    on("cluster-kind", "change", (e) => { clusterState.kind = e.target.value === "" ? -1 : +e.target.value; clusterState.page = 0; renderClusters(); });
    on("cluster-min", "input", (e) => { clusterState.min = +e.target.value || 2; clusterState.page = 0; renderClusters(); });
    on("pair-search", "input", (e) => { pairState.query = e.target.value; pairState.page = 0; renderPairs(); });
    on("pair-kind", "change", (e) => { pairState.kind = e.target.value === "" ? -1 : +e.target.value; pairState.page = 0; renderPairs(); });
    for (const th of document.querySelectorAll("#cluster-table th[data-sort]")) {
      th.addEventListener("click", () => {
        const key = th.dataset.sort;
        clusterState.asc = clusterState.sort === key ? !clusterState.asc : key === "index" || key === "rep";
        clusterState.sort = key;
        renderClusters();
      });
    }
    for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => selectTab(b.dataset.tab));
    window.addEventListener("hashchange", route);
  }

  renderSummary();
  wire();
  renderClusters();
  renderPairs();
  route(undefined);
  document.body.setAttribute("data-ready", "1");
})();
