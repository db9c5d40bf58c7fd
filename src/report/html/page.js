// The HTML report's script: renders the views the address names (#overview, #groups,
// #group/ID, #spun, #spun/ID, #themes, #theme/THEME/ARTICLE, #documents, #documents/lang=xx,
// #doc/ID, #doc/ID/pN) from the JSON block. Text goes into the page as text nodes only (never as
// markup), and every link it makes starts with "#".
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var docs = data.documents, groups = data.groups, themes = data.themes, articles = data.articles;
  var docIndex = new Map(), groupIndex = new Map(), themeIndex = new Map();
  docs.forEach(function (d, i) { docIndex.set(d.id, i); });
  groups.forEach(function (g, i) { groupIndex.set(g.id, i); });
  themes.forEach(function (t, i) { themeIndex.set(t.id, i); });
  var RULES = {
    tortured_phrase: "tortured phrase from the lexicon",
    in_context: "spun word undone in context",
    spintax: "leftover spintax",
    artefact: "autoblog artefact",
    fused_word: "two words run together",
    doubled_word: "word written twice"
  };
  var PAGE_ROWS = 200, MATRIX_COLUMNS = 40;
  document.body.classList.add("js");

  // A new element: attrs sets attributes (null values are left out), children are nodes or text.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) {
          node.setAttribute(name, String(attrs[name]));
        }
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
    return node;
  }
  function route() {
    return Array.prototype.map.call(arguments, function (part) { return encodeURIComponent(String(part)); }).join("/");
  }
  function link(parts, text, attrs) {
    var a = el("a", attrs || {}, [text]);
    a.setAttribute("href", "#" + route.apply(null, parts));
    return a;
  }
  function docLink(i, text) { return link(["doc", docs[i].id], text || docs[i].id); }
  function langAttrs(code, rtl) {
    return { lang: code && code !== "und" ? code : null, dir: rtl ? "rtl" : "auto" };
  }
  function percent(score) { return Math.round(score * 100) + "%"; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function notes(d) {
    return [d.note ? el("p", { "class": "note" }, [d.note]) : null].concat(d.warnings.map(function (w) {
      return el("p", { "class": "note" }, ["Warning: " + w]);
    }));
  }
  function paraClass(p) { return p.k === 1 ? "heading" : p.k === 2 ? "boilerplate" : ""; }

  // A paragraph's text with its sentences as spans; beadOf maps a sentence number to its row.
  function sentences(p, beadOf) {
    var out = [], at = 0;
    p.s.forEach(function (range, j) {
      if (range[0] > at) out.push(p.t.slice(at, range[0]));
      var bead = beadOf ? beadOf.get(p.n + j) : undefined;
      out.push(el("span", { "class": "s", "data-k": bead === undefined ? null : bead, tabindex: bead === undefined ? null : 0 },
        [p.t.slice(range[0], range[1])]));
      at = range[1];
    });
    if (at < p.t.length) out.push(p.t.slice(at));
    return out;
  }

  // A paragraph's text with each edit inline: the spun words struck out, the restored ones after.
  function withEdits(p) {
    var out = [], at = 0;
    (p.e || []).forEach(function (edit) {
      var start = edit[0], end = edit[1], to = edit[2], rule = RULES[edit[3]] || edit[3];
      if (start < at) return;
      if (start > at) out.push(p.t.slice(at, start));
      var label = rule + " · confidence " + edit[4].toFixed(2);
      out.push(el("span", { "class": "edit", tabindex: 0, title: label, "data-rule": label }, [
        el("del", null, [p.t.slice(start, end)]), to ? el("ins", null, [to]) : null
      ]));
      at = end;
    });
    if (at < p.t.length) out.push(p.t.slice(at));
    return out;
  }

  function show(page) {
    // Sections are named page-NAME, not NAME, so that the browser does not scroll to them.
    var id = page === "view" ? "view" : "page-" + page;
    document.querySelectorAll("section.page").forEach(function (s) { s.hidden = s.id !== id; });
    document.querySelectorAll("nav a").forEach(function (a) {
      var current = a.getAttribute("data-page") === page ||
        (page === "view" && a.getAttribute("data-page") === viewOf);
      if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
  }
  var viewOf = "";
  var view = document.getElementById("view");

  function missing(what) {
    viewOf = "";
    clear(view).appendChild(el("p", { "class": "empty" }, ["No " + what + " here: the address names nothing in this report."]));
    show("view");
  }

  // ---- Documents -------------------------------------------------------------------------
  function renderDocument(id, target) {
    var i = docIndex.get(id);
    if (i === undefined) return missing("document");
    var d = docs[i];
    viewOf = "documents";
    clear(view);
    view.appendChild(el("h2", null, ["Document " + d.id]));
    var facts = el("dl", { "class": "facts" });
    function fact(name, value) { facts.appendChild(el("dt", null, [name])); facts.appendChild(el("dd", null, [value])); }
    fact("File", el("span", { "class": "path" }, [d.path]));
    fact("Language", d.language + " (" + d.lang + ", confidence " + d.confidence.toFixed(2) + ")");
    fact("Size", d.words + " words, " + d.paragraph_count + " paragraphs, " + d.bytes + " bytes");
    if (d.group !== null) fact("Group", link(["group", groups[d.group].id], groups[d.group].id + " (" + groups[d.group].kind + ")"));
    fact("Themes", d.themes.length ? el("span", null, d.themes.map(function (t) {
      return el("a", { "class": "chip", href: "#" + route("theme", themes[t].id, d.article) }, [themes[t].label]);
    })) : "none");
    if (d.spun) {
      var verdict = (d.spun.mangled ? "yes" : "no") + ", score " + d.spun.score.toFixed(2) + ", " + d.spun.edits + " edits";
      fact("Spun", d.spun.edits ? link(["spun", d.id], verdict) : verdict);
    }
    view.appendChild(facts);
    notes(d).forEach(function (n) { if (n) view.appendChild(n); });
    var text = el("div", Object.assign({ "class": "text" }, langAttrs(d.lang, d.rtl)));
    d.paragraphs.forEach(function (p, index) {
      var attrs = { "class": "para " + paraClass(p), id: "p" + index };
      if (p.l) attrs.lang = p.l;
      var children = [el("a", { "class": "pn", href: "#" + route("doc", d.id, "p" + index), "aria-label": "paragraph " + index }, ["¶" + index])];
      if (p.k === 1) children.push(el("span", { "class": "tag" }, ["heading"]));
      if (p.k === 2) children.push(el("span", { "class": "tag" }, ["boilerplate"]));
      text.appendChild(el("div", attrs, children.concat([p.t])));
    });
    view.appendChild(text);
    show("view");
    var node = target && document.getElementById(target);
    if (node) { node.classList.add("target"); node.scrollIntoView({ block: "center" }); } else window.scrollTo(0, 0);
  }

  var filters = document.getElementById("filters");
  var listShown = PAGE_ROWS;
  function matching() {
    var f = new FormData(filters);
    var lang = f.get("lang"), spun = f.get("spun"), group = f.get("group"), theme = f.get("theme");
    var q = String(f.get("q") || "").toLowerCase(), t = theme ? themeIndex.get(theme) : undefined;
    return docs.map(function (d, i) { return i; }).filter(function (i) {
      var d = docs[i], isSpun = !!(d.spun && d.spun.mangled);
      return (!lang || d.lang === lang) && (!spun || (spun === "yes") === isSpun) &&
        (!group || (group === "yes") === (d.group !== null)) &&
        (!theme || d.themes.indexOf(t) >= 0) && (!q || d.id.toLowerCase().indexOf(q) >= 0);
    });
  }
  function renderList() {
    var list = clear(document.getElementById("doclist"));
    var rows = matching();
    list.appendChild(el("p", { "class": "muted" }, [rows.length + " of " + docs.length + " documents"]));
    if (!rows.length) return;
    var body = el("tbody");
    rows.slice(0, listShown).forEach(function (i) {
      var d = docs[i];
      body.appendChild(el("tr", null, [
        el("td", null, [docLink(i)]),
        el("td", null, [d.lang]),
        el("td", { "class": "num" }, [d.words]),
        el("td", null, [d.group === null ? "" : link(["group", groups[d.group].id], groups[d.group].id)]),
        el("td", null, d.themes.map(function (t) { return el("span", { "class": "chip" }, [themes[t].label]); })),
        el("td", { "class": "num" }, [d.spun && d.spun.mangled ? link(["spun", d.id], d.spun.score.toFixed(2)) : ""])
      ]));
    });
    list.appendChild(el("table", { "class": "list" }, [
      el("thead", null, [el("tr", null, ["Document", "Language", "Words", "Group", "Themes", "Spun"].map(function (h) {
        return el("th", { scope: "col" }, [h]);
      }))]), body]));
    if (rows.length > listShown) {
      var more = el("button", { type: "button" }, ["Show " + Math.min(PAGE_ROWS, rows.length - listShown) + " more (" + (rows.length - listShown) + " not shown)"]);
      more.addEventListener("click", function () { listShown += PAGE_ROWS; renderList(); });
      list.appendChild(more);
    }
  }
  function renderDocuments(query) {
    var params = new URLSearchParams(query || "");
    ["lang", "spun", "group", "theme", "q"].forEach(function (name) {
      filters.elements[name].value = params.get(name) || "";
    });
    listShown = PAGE_ROWS;
    renderList();
    top("documents");
  }
  filters.addEventListener("input", function () {
    listShown = PAGE_ROWS;
    var params = new URLSearchParams();
    new FormData(filters).forEach(function (value, name) { if (value) params.set(name, value); });
    history.replaceState(null, "", "#documents" + (params.toString() ? "/" + params.toString() : ""));
    renderList();
  });
  filters.addEventListener("submit", function (event) { event.preventDefault(); });

  // ---- Groups ----------------------------------------------------------------------------
  function cell(d, indices, beadOf) {
    if (!indices.length) return el("td", { "class": "gap" }, ["no paragraph here in this version"]);
    var td = el("td", langAttrs(d.lang, d.rtl));
    indices.forEach(function (index) {
      var p = d.paragraphs[index];
      if (!p) { td.appendChild(el("div", { "class": "cellpara muted" }, ["paragraph " + index + " is not shown"])); return; }
      var attrs = { "class": "cellpara " + paraClass(p), "data-p": index };
      if (p.l) attrs.lang = p.l;
      td.appendChild(el("div", attrs, sentences(p, beadOf)));
    });
    return td;
  }
  function beadMaps(pair) {
    var a = new Map(), b = new Map();
    pair.sentences.forEach(function (row, k) {
      row[0].forEach(function (s) { a.set(s, k); });
      row[1].forEach(function (s) { b.set(s, k); });
    });
    return [a, b];
  }
  function highlight(table, k) {
    table.querySelectorAll(".s.hl").forEach(function (s) { s.classList.remove("hl"); });
    if (k === null) return;
    table.querySelectorAll('.s[data-k="' + Number(k) + '"]').forEach(function (s) { s.classList.add("hl"); });
  }
  function sideBySide(pair) {
    var a = docs[pair.a], b = docs[pair.b], maps = beadMaps(pair);
    var body = el("tbody");
    pair.paragraphs.forEach(function (row) {
      var score = row[2], gap = !row[0].length || !row[1].length;
      var grade = gap ? "gap" : score < data.weak_row ? "weak" : score < 0.75 ? "fair" : "good";
      var label = gap ? "unpaired" : grade === "weak" ? "weak match" : grade === "fair" ? "fair match" : "good match";
      body.appendChild(el("tr", { "class": "row " + grade, "data-a": row[0].join("+"), "data-b": row[1].join("+") }, [
        cell(a, row[0], maps[0]),
        el("td", { "class": "score", title: "How well the two sides match, 0 to 100%" }, gap ? [label] : [
          percent(score), el("span", { "class": "meter", "aria-hidden": "true" }, [el("span")]),
          grade === "weak" ? el("span", { "class": "tag weak" }, ["weak"]) : label
        ]),
        cell(b, row[1], maps[1])
      ]));
    });
    // The meter's width is set through the DOM, not through markup.
    var table = el("table", { "class": "sbs", "data-pair": a.id + " ↔ " + b.id }, [
      el("colgroup", null, [el("col", { "class": "side" }), el("col", { "class": "score" }), el("col", { "class": "side" })]),
      el("thead", null, [el("tr", null, [
        el("th", { scope: "col" }, [docLink(pair.a), " ", el("span", { "class": "lang" }, [a.language])]),
        el("th", { scope: "col" }, ["match"]),
        el("th", { scope: "col" }, [docLink(pair.b), " ", el("span", { "class": "lang" }, [b.language])])
      ])]), body]);
    table.querySelectorAll("tr.row").forEach(function (tr, r) {
      var bar = tr.querySelector(".meter > span");
      if (bar) bar.style.width = Math.max(0, Math.min(100, pair.paragraphs[r][2] * 100)) + "%";
    });
    function over(event) {
      var s = event.target.closest && event.target.closest(".s[data-k]");
      highlight(table, s ? s.getAttribute("data-k") : null);
    }
    table.addEventListener("mouseover", over);
    table.addEventListener("focusin", over);
    table.addEventListener("mouseleave", function () { highlight(table, null); });
    table.addEventListener("focusout", function () { highlight(table, null); });
    return table;
  }
  function renderGroup(id) {
    var g = groups[groupIndex.get(id)];
    if (!g) return missing("group");
    viewOf = "groups";
    clear(view);
    view.appendChild(el("h2", null, ["Group " + g.id + " · " + g.kind + " · " + g.documents.length + " versions"]));
    view.appendChild(el("p", null, g.documents.map(function (i) {
      return el("span", null, [docLink(i), " ", el("span", { "class": "lang" }, [docs[i].language]), "  "]);
    })));
    view.appendChild(el("p", { "class": "help" }, [
      "Weakest pair score " + g.score.toFixed(2) + " (0 unrelated, 1 certain). Each row pairs paragraphs; its match says how well their lengths, numbers and shared names agree. " +
      "Rows under " + percent(data.weak_row) + " are marked weak: read them before trusting them. Hover or focus a sentence to see the sentence it pairs with."
    ]));
    if (g.evidence.length) {
      var evidence = el("tbody");
      g.evidence.forEach(function (e) {
        evidence.appendChild(el("tr", null, [
          el("td", null, [e.a + " ↔ " + e.b]), el("td", { "class": "num" }, [e.score.toFixed(2)]),
          el("td", { "class": "num" }, [percent(e.aligned_paragraphs)]), el("td", { "class": "num" }, [e.trigram_similarity.toFixed(2)]),
          el("td", null, [e.shared_anchors.join(", ")])
        ]));
      });
      view.appendChild(el("table", { "class": "list" }, [el("thead", null, [el("tr", null,
        ["Pair", "Score", "Paragraphs aligned", "Same wording", "Shared names and numbers"].map(function (h) { return el("th", { scope: "col" }, [h]); }))]), evidence]));
    }
    g.pairs.forEach(function (pair) {
      view.appendChild(el("h3", null, [docs[pair.a].id + " ↔ " + docs[pair.b].id]));
      view.appendChild(sideBySide(pair));
    });
    show("view");
    window.scrollTo(0, 0);
  }

  // ---- Spun documents --------------------------------------------------------------------
  function renderSpun(id) {
    var i = docIndex.get(id);
    if (i === undefined || !docs[i].spun) return missing("spun document");
    var d = docs[i], s = d.spun, e = s.evidence;
    viewOf = "spun";
    clear(view);
    view.appendChild(el("h2", null, ["Spun: ", docLink(i)]));
    view.appendChild(el("p", null, ["Score " + s.score.toFixed(2) + (s.mangled ? " — spun" : " — not spun") + ", " + s.edits + " edits."]));
    var facts = el("dl", { "class": "facts" });
    [["English words", e.words], ["Tortured phrases", e.tortured_phrases], ["Spun words undone in context", e.in_context],
      ["Artefacts", e.artefacts], ["Suspicious single words", e.suspicious_words], ["Evidence per 100 words", e.per_100_words.toFixed(2)],
      ["Word-model surprisal, as found → restored", e.surprisal === null ? "not measured" : e.surprisal.toFixed(2) + " → " + (e.restored_surprisal === null ? "?" : e.restored_surprisal.toFixed(2)) + " nats"]
    ].forEach(function (row) { facts.appendChild(el("dt", null, [row[0]])); facts.appendChild(el("dd", null, [row[1]])); });
    view.appendChild(facts);
    notes(d).forEach(function (n) { if (n) view.appendChild(n); });
    var text = el("div", Object.assign({ "class": "text spun" }, langAttrs(d.lang, d.rtl)));
    d.paragraphs.forEach(function (p, index) {
      var attrs = { "class": "para " + paraClass(p), id: "p" + index };
      text.appendChild(el("div", attrs, [el("a", { "class": "pn", href: "#" + route("doc", d.id, "p" + index) }, ["¶" + index])].concat(withEdits(p))));
    });
    view.appendChild(text);
    show("view");
    window.scrollTo(0, 0);
  }

  // ---- Themes ----------------------------------------------------------------------------
  var matrixStart = 0, openCell = null;
  var quotesOf = themes.map(function (t) {
    var byArticle = new Map();
    t.evidence.forEach(function (q) {
      var article = docs[q[0]].article;
      if (!byArticle.has(article)) byArticle.set(article, []);
      byArticle.get(article).push(q);
    });
    return byArticle;
  });
  var statedIn = themes.map(function () { return new Set(); });
  docs.forEach(function (d) { d.themes.forEach(function (t) { statedIn[t].add(d.article); }); });
  function articleLabel(a) {
    var article = articles[a];
    return article.group === null ? article.label : article.label + ": " + article.documents.map(function (i) { return docs[i].lang; }).join("+");
  }
  function renderMatrix() {
    var host = clear(document.getElementById("matrix"));
    if (!themes.length || !articles.length) { host.appendChild(el("p", { "class": "empty" }, ["No theme or no article."])); return; }
    var end = Math.min(articles.length, matrixStart + MATRIX_COLUMNS), columns = [];
    for (var a = matrixStart; a < end; a++) columns.push(a);
    var head = el("tr", null, [el("th", { scope: "col" }, ["Theme"])].concat(columns.map(function (a) {
      var article = articles[a];
      var title = article.documents.map(function (i) { return docs[i].id + " (" + docs[i].lang + ")"; }).join(", ");
      return el("th", { scope: "col", title: title, "data-article": a }, [
        article.group === null ? link(["doc", article.label], articleLabel(a)) : link(["group", article.label], articleLabel(a))]);
    })));
    var body = el("tbody");
    themes.forEach(function (t, ti) {
      body.appendChild(el("tr", { "data-theme": t.id }, [el("th", { scope: "row", "class": "theme", title: t.definition }, [(t.recurring ? "★ " : "") + t.label])]
        .concat(columns.map(function (a) {
          var quotes = quotesOf[ti].get(a) || [];
          if (!statedIn[ti].has(a) && !quotes.length) return el("td", { "class": "off", "aria-label": "not stated" }, ["·"]);
          var open = openCell && openCell[0] === ti && openCell[1] === a;
          return el("td", { "class": "on" + (open ? " open" : ""), "data-quotes": quotes.length }, [
            link(["theme", t.id, a], "✓" + quotes.length, { "aria-label": t.label + " in " + articles[a].label + ": " + quotes.length + " quotes" })]);
        }))));
    });
    host.appendChild(el("table", null, [el("thead", null, [head]), body]));
    if (articles.length > MATRIX_COLUMNS) {
      var prev = el("button", { type: "button", disabled: matrixStart === 0 }, ["← previous articles"]);
      var next = el("button", { type: "button", disabled: end >= articles.length }, ["next articles →"]);
      prev.addEventListener("click", function () { matrixStart = Math.max(0, matrixStart - MATRIX_COLUMNS); renderMatrix(); });
      next.addEventListener("click", function () { matrixStart += MATRIX_COLUMNS; renderMatrix(); });
      host.appendChild(el("div", { "class": "pager" }, [prev, "articles " + (matrixStart + 1) + "–" + end + " of " + articles.length, next]));
    }
  }
  function renderCell(themeId, articleText) {
    var host = clear(document.getElementById("cell"));
    var ti = themeIndex.get(themeId), a = Number(articleText);
    openCell = null;
    if (ti === undefined || !(a >= 0 && a < articles.length)) return;
    openCell = [ti, a];
    matrixStart = a - (a % MATRIX_COLUMNS);
    var t = themes[ti], quotes = quotesOf[ti].get(a) || [];
    host.appendChild(el("h3", null, [t.label + " in " + articles[a].label]));
    host.appendChild(el("p", { "class": "help" }, [t.definition]));
    if (!quotes.length) host.appendChild(el("p", { "class": "empty" }, ["Stated, but no quote is kept for this article."]));
    quotes.forEach(function (q) {
      var d = docs[q[0]];
      host.appendChild(el("blockquote", langAttrs(q[2], d.rtl && q[2] === d.lang), [q[3], " ",
        link(["doc", d.id, "p" + q[1]], d.id + " ¶" + q[1], { "class": "source", lang: "en", dir: "ltr" })]));
    });
  }

  // ---- Routing ---------------------------------------------------------------------------
  function onRoute() {
    var hash = location.hash.slice(1) || document.body.getAttribute("data-start") || "overview";
    var raw = hash.split("/"), parts;
    try { parts = raw.map(decodeURIComponent); } catch (error) { parts = ["overview"]; }
    switch (parts[0]) {
      case "doc": return renderDocument(parts[1], parts[2]);
      case "group": return renderGroup(parts[1]);
      case "spun": return parts.length > 1 ? renderSpun(parts[1]) : top("spun");
      case "documents": return renderDocuments(raw.slice(1).join("/"));
      case "theme":
        renderCell(parts[1], parts[2]); renderMatrix(); show("themes");
        var open = document.querySelector(".matrix td.open");
        if (open) open.scrollIntoView({ block: "nearest", inline: "center" });
        return;
      case "themes": renderCell(); renderMatrix(); return top("themes");
      case "groups": return top("groups");
      case "languages": case "errors":
        show("overview");
        return document.getElementById(parts[0]).scrollIntoView();
      case "discovered":
        renderMatrix(); show("themes");
        return document.getElementById("discovered").scrollIntoView();
      default: return top("overview");
    }
  }
  function top(page) { show(page); window.scrollTo(0, 0); }
  window.addEventListener("hashchange", onRoute);
  onRoute();
})();
