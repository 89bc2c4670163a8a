/* The course site's search, inlined in every page by the template (tools/make_html.py builds the site).
   It reads window.COURSE_SEARCH_INDEX, which search-index.js (written by the build beside the pages,
   loaded by a <script src>, so it works from file:// where fetch is refused) sets: the pages as
   [href, title] and the sections of their prose as [page, anchor, heading, text].
   Matching: the query and the text are folded (Unicode NFKC, lower case) and each word of the query
   must occur in the section (its heading or its text) as a substring: Japanese writes no spaces between
   words, so a word is found inside a longer one. Ranking: a word in the heading counts more than one in
   the text.
   Keyboard: type in the box; ArrowDown moves to the results, ArrowUp/ArrowDown between them, Enter
   opens one (Enter in the box opens the first), Escape goes back to the box. Nothing is fetched. */
(function () {
  "use strict";
  var box = document.getElementById("course-search-input");
  var panel = document.getElementById("course-search-results");
  var root = box && box.closest(".course-search");
  if (!box || !panel || !root) return;
  var status = document.getElementById("course-search-status");
  var list = panel.querySelector("ol");
  var LIMIT = 30;
  var entries = null;

  function fold(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function words(query) {
    return fold(query).split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function say(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(fields[key]); });
  }

  function prepare() {
    var data = window.COURSE_SEARCH_INDEX;
    if (!data) return null;
    return data.entries.map(function (e) {
      var page = data.pages[e[0]];
      return {
        href: page[0] + (e[1] ? "#" + e[1] : ""), page: page[1], heading: e[2], text: e[3],
        folded: fold(e[2] + " " + e[3]), head: fold(e[2])
      };
    });
  }

  function count(haystack, needle) {
    var n = 0, at = haystack.indexOf(needle);
    while (at !== -1 && n < 5) { n += 1; at = haystack.indexOf(needle, at + needle.length); }
    return n;
  }

  function search(query) {
    var terms = words(query);
    var hits = [];
    entries.forEach(function (entry, order) {
      var score = 0;
      for (var i = 0; i < terms.length; i += 1) {
        if (entry.folded.indexOf(terms[i]) === -1) return;
        score += count(entry.folded, terms[i]) + (entry.head.indexOf(terms[i]) !== -1 ? 10 : 0);
      }
      hits.push({entry: entry, score: score, order: order});
    });
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return {terms: terms, hits: hits};
  }

  // a short piece of the section's text around the first word found, the word marked
  function snippet(text, terms) {
    var lower = text.toLowerCase(), at = -1, length = 0;
    for (var i = 0; i < terms.length && at === -1; i += 1) {
      at = lower.indexOf(terms[i]);
      length = terms[i].length;
    }
    var piece = document.createElement("span");
    piece.className = "course-search-snippet";
    if (at === -1) {
      piece.textContent = text.slice(0, 140) + (text.length > 140 ? "…" : "");
      return piece;
    }
    var start = Math.max(0, at - 50), end = Math.min(text.length, at + length + 90);
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + length);
    piece.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    piece.appendChild(mark);
    piece.appendChild(document.createTextNode(text.slice(at + length, end) + (end < text.length ? "…" : "")));
    return piece;
  }

  function show(query) {
    list.textContent = "";
    if (!query.trim()) {
      panel.hidden = true;
      status.textContent = "";
      return;
    }
    panel.hidden = false;
    if (entries === null) entries = prepare();
    if (entries === null) {
      status.textContent = root.dataset.missing;
      return;
    }
    var found = search(query);
    var shown = found.hits.slice(0, LIMIT);
    var fields = {n: found.hits.length, q: query.trim(), shown: shown.length};
    status.textContent = say(
      found.hits.length === 0 ? root.dataset.none : (shown.length < found.hits.length ? root.dataset.more : root.dataset.count),
      fields
    );
    shown.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = hit.entry.href;
      link.textContent = hit.entry.heading === hit.entry.page ? hit.entry.page : hit.entry.page + " › " + hit.entry.heading;
      item.appendChild(link);
      if (hit.entry.text) item.appendChild(snippet(hit.entry.text, found.terms));
      list.appendChild(item);
    });
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll("a"));
  }

  box.addEventListener("input", function () { show(box.value); });
  box.addEventListener("keydown", function (event) {
    var all = links();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      all[0].focus();
    } else if (event.key === "Enter" && all.length) {
      event.preventDefault();
      all[0].click();
    } else if (event.key === "Escape") {
      box.value = "";
      show("");
    }
  });
  list.addEventListener("keydown", function (event) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (at === -1) return;
    if (event.key === "ArrowDown" && at + 1 < all.length) {
      event.preventDefault();
      all[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (at > 0 ? all[at - 1] : box).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      box.focus();
    }
  });
  if (box.value) show(box.value); // a value the browser kept on going back
})();
