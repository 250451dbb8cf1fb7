// The evidence viewer: #f-<fact id> selects a fact (its highlighted words, the panel, its
// row), scrolled into view. Clicking a highlight selects the most specific fact it belongs
// to; clicking it again selects the next one.
(function () {
  "use strict";
  var facts = JSON.parse(document.getElementById("facts-data").textContent);
  var panel = document.getElementById("panel");

  function marksOf(key) {
    return document.querySelectorAll('mark[data-facts~="' + key + '"]');
  }

  function element(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function describe(key, coveringKeys) {
    var fact = facts[key];
    panel.textContent = "";
    panel.appendChild(element("h2", fact.indicator || "?"));
    var value = element("p", "", "big");
    value.textContent = (fact.value === null ? "?" : fact.value) + (fact.unit ? " " + fact.unit : "");
    if (fact.approximate) value.textContent = "≈ " + value.textContent;
    panel.appendChild(value);
    var list = element("dl");
    var rows = [
      ["Region 地区", fact.region],
      ["Period 时期", fact.period],
      ["Measure 口径", fact.measure],
      ["Qualifier", fact.qualifier],
      ["Of 分母", fact.denominator],
      ["Status 状态", fact.status + (fact.current ? " · the current value" : "")],
      [fact.status === "loaded" ? "Flags" : "Failed", fact.notes.join(", ")],
      ["Fact id", key],
    ];
    rows.forEach(function (row) {
      if (!row[1]) return;
      list.appendChild(element("dt", row[0]));
      list.appendChild(element("dd", row[1], row[0].indexOf("Status") === 0 && fact.status !== "loaded" ? "status-q" : ""));
    });
    panel.appendChild(list);
    panel.appendChild(element("p", fact.evidence, "evidence"));
    var others = (coveringKeys || []).filter(function (k) { return k !== key; });
    if (others.length) {
      var ul = element("ul", null, "others");
      ul.appendChild(element("li", "Also stated in these words:"));
      others.forEach(function (k) {
        var li = element("li");
        var a = element("a", (facts[k].indicator || "?") + " · " + facts[k].measure + " " + (facts[k].value || "") + " " + (facts[k].unit || ""));
        a.href = "#f-" + k;
        li.appendChild(a);
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
  }

  function select(key, scroll) {
    if (!facts[key]) return;
    document.querySelectorAll(".doc-text-wrap .is-target, tr.is-target").forEach(function (el) {
      el.classList.remove("is-target");
    });
    var marks = marksOf(key);
    marks.forEach(function (m) { m.classList.add("is-target"); });
    document.querySelectorAll('tr[data-fact="' + key + '"]').forEach(function (tr) { tr.classList.add("is-target"); });
    describe(key, marks.length ? marks[0].dataset.facts.split(" ") : []);
    if (scroll && marks.length) marks[0].scrollIntoView({ block: "center", inline: "nearest" });
  }

  function fromHash() {
    var match = /^#f-([0-9a-f]+)$/.exec(window.location.hash);
    if (match) select(match[1], true);
  }

  document.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("mark[data-facts]");
    if (!mark || mark.closest(".legend")) return;
    var keys = mark.dataset.facts.split(" ");
    var current = window.location.hash.replace(/^#f-/, "");
    var next = keys[(keys.indexOf(current) + 1) % keys.length];
    window.history.replaceState(null, "", "#f-" + next);
    select(next, false);
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
