package report

import (
	"html/template"
	"strings"
)

var funcs = template.FuncMap{
	"join":    strings.Join,
	"heading": func(level int) int { return min(6, level+3) },
	"lower":   func(parts ...string) string { return strings.ToLower(strings.Join(parts, " ")) },
	"attr": func(units []unit, field string) string {
		var out []string
		for _, u := range units {
			switch field {
			case "sector":
				out = append(out, u.Sector)
			case "modality":
				out = append(out, u.Modality)
			case "actor":
				out = append(out, u.Actor)
			}
		}
		return strings.Join(out, " ")
	},
}

// readerTemplate renders the reader's documents, the bulk of the page. It
// is a template of its own so that a release renders it once for the
// pages of two versions (see Collector.readerHTML); the page holds its
// output where the reader's section opens, in the same HTML context a
// nested template would have started in.
var readerTemplate = template.Must(template.New("reader").Funcs(funcs).Parse(`{{range .Reader}}<section id="doc-{{.ID}}" class="doc"><h3>{{.TitleZh}}{{if .TitleEn}} / {{.TitleEn}}{{end}} <small>({{.ID}})</small></h3>
{{range .Clauses}}{{if not .Text}}<h{{heading .Level}} id="c-{{.ID}}" class="heading">{{.Label}} {{.TitleZh}}{{if .TitleEn}} / {{.TitleEn}}{{end}}</h{{heading .Level}}>
{{else}}<table class="pair" id="c-{{.ID}}"><tbody>
{{range .Sentences}}<tr id="s-{{.ID}}" class="s" data-text="{{lower .Zh .En}}" data-sector="{{attr .Units "sector"}}" data-modality="{{attr .Units "modality"}}" data-actor="{{attr .Units "actor"}}"><td class="zh" lang="zh">{{.Zh}}</td><td class="en" lang="en">{{.En}} {{range .Units}} <span class="chip">{{.Actor}} · {{.Modality}} · {{.Strength}} · {{.Sector}}</span>{{end}}{{if .Review}}<span class="flag" title="{{.Reason}}">⚑ review</span>{{end}}</td></tr>
{{end}}</tbody></table>
{{end}}{{end}}</section>
{{end}}`))

var pageTemplate = template.Must(template.New("page").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — version {{.Version}}</title>
<style>
:root { --fg: #1b1b1b; --muted: #555; --accent: #1f5fa8; --mark: #b5452a; --bg: #fff; --line: #ddd; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg); line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif; }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 9; }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 1px solid var(--line); }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .4rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem; padding: 0; list-style: none; }
.figures li { border: 1px solid var(--line); border-radius: .4rem; padding: .5rem; }
.figures .n { display: block; font-size: 1.5rem; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(28rem, 1fr)); gap: 1rem; }
figure { margin: 0; } figcaption { color: var(--muted); font-size: .85rem; }
svg .bar { fill: var(--accent); } svg .bar.marked { fill: var(--mark); }
svg text { font-size: 12px; fill: var(--fg); }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: 1rem 0; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; }
input, select, button { font: inherit; padding: .3rem .4rem; }
.pair td { width: 50%; }
.pair td.zh { font-size: 1rem; }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 1rem; padding: 0 .4rem; margin: .1rem; font-size: .75rem; color: var(--muted); }
.flag { color: var(--mark); font-weight: 600; }
tr:target { outline: 2px solid var(--accent); }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; }
.card { font-size: .92rem; }
[hidden] { display: none !important; }
@media (max-width: 40rem) {
  .charts { grid-template-columns: 1fr; }
  .pair, .pair tbody, .pair tr, .pair td { display: block; width: 100%; }
  .pair td.zh { border-bottom: none; }
  .hide-narrow { display: none; }
  table:not(.pair) { display: block; overflow-x: auto; }
}
@media print {
  nav, .filters, button, .skip { display: none !important; }
  h2 { page-break-before: always; } h2:first-of-type { page-break-before: avoid; }
  a { color: inherit; text-decoration: none; }
}
</style>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header>
<h1>{{.Title}}</h1>
<p>Version <strong id="version">{{.Version}}</strong>. This page is part of the release and works offline.</p>
<nav aria-label="Sections"><ul>
<li><a href="#overview">Overview</a></li><li><a href="#charts">Charts</a></li><li><a href="#reader">Reader</a></li>
<li><a href="#review">Review queue</a></li><li><a href="#card">Data card</a></li><li><a href="#loading">Loading</a></li>
</ul></nav>
</header>
<main id="main">
<section id="overview" aria-labelledby="h-overview">
<h2 id="h-overview">Overview</h2>
<ul class="figures">
<li><span class="n" id="n-documents">{{len .Docs}}</span>documents</li>
<li><span class="n" id="n-clauses">{{index .Totals "clauses"}}</span>clauses</li>
<li><span class="n" id="n-sentences">{{index .Totals "sentences"}}</span>sentences</li>
<li><span class="n" id="n-commitments">{{index .Totals "commitments"}}</span>commitments</li>
<li><span class="n" id="n-mechanisms">{{index .Totals "mechanisms"}}</span>mechanisms</li>
<li><span class="n" id="n-links">{{index .Totals "links"}}</span>cross-document links</li>
</ul>
<table>
<caption>Documents</caption>
<thead><tr><th scope="col">document</th><th scope="col">title</th><th scope="col" class="hide-narrow">languages</th><th scope="col" class="num">clauses</th><th scope="col" class="num">sentences</th><th scope="col" class="num">commitments</th><th scope="col">quality</th></tr></thead>
<tbody>
{{range .Docs}}<tr><td><a href="#doc-{{.ID}}">{{.ID}}</a></td><td>{{.TitleZh}}{{if .TitleEn}}<br>{{.TitleEn}}{{end}}</td><td class="hide-narrow">{{join .Languages ", "}}</td><td class="num" data-doc="{{.ID}}" data-field="clauses">{{.Clauses}}</td><td class="num" data-doc="{{.ID}}" data-field="sentences">{{.Sentences}}</td><td class="num" data-doc="{{.ID}}" data-field="commitments">{{.Commitments}}</td><td>{{.Quality}}</td></tr>
{{end}}</tbody>
</table>
<table>
<caption>Clauses by kind</caption>
<thead><tr><th scope="col">kind</th><th scope="col" class="num">clauses</th></tr></thead>
<tbody>{{range .Kinds}}<tr><td>{{.K}}</td><td class="num" data-kind="{{.K}}">{{.V}}</td></tr>{{end}}</tbody>
</table>
</section>
<section id="charts" aria-labelledby="h-charts">
<h2 id="h-charts">Charts</h2>
<div class="charts">
{{range .Charts}}<figure id="chart-{{.ID}}"><figcaption><strong>{{.Title}}</strong>: {{.Caption}}</figcaption>{{.SVG}}</figure>
{{end}}</div>
</section>
<section id="reader" aria-labelledby="h-reader">
<h2 id="h-reader">Reader</h2>
<p>Each document in its own hierarchy, Chinese and English side by side, a row per aligned bead, with the commitment labels of its units; <span class="flag">⚑</span> marks a bead to review.{{if .ReaderNote}} {{.ReaderNote}}{{end}}</p>
<form class="filters" role="search" onsubmit="return false">
<label>Text<input id="f-text" type="search" placeholder="words in either language"></label>
<label>Sector<select id="f-sector"><option value="">any</option>{{range .Sectors}}<option>{{.}}</option>{{end}}</select></label>
<label>Modality<select id="f-modality"><option value="">any</option>{{range .ModalitiesL}}<option>{{.}}</option>{{end}}</select></label>
<label>Actor<select id="f-actor"><option value="">any</option>{{range .Actors}}<option>{{.}}</option>{{end}}</select></label>
<output id="f-count" aria-live="polite"></output>
</form>
{{.ReaderHTML}}</section>
<section id="review" aria-labelledby="h-review">
<h2 id="h-review">Review queue</h2>
<p>Beads a person should check before quoting them, and each document's quality warnings.{{if .ReviewNote}} {{.ReviewNote}}{{end}}</p>
<table>
<thead><tr><th scope="col">what</th><th scope="col">where</th><th scope="col">why</th></tr></thead>
<tbody>{{range .Review}}<tr class="review-item"><td>{{.Kind}}</td><td>{{if eq .Kind "bead"}}<a href="#s-{{.ID}}">{{.ID}}</a>{{else}}<a href="#doc-{{.ID}}">{{.ID}}</a>{{end}}</td><td>{{.Reason}}{{if .Text}}<br><small>{{.Text}}</small>{{end}}</td></tr>
{{end}}</tbody>
</table>
</section>
<section id="card" aria-labelledby="h-card" class="card">
<h2 id="h-card">Data card</h2>
{{.CardHTML}}
</section>
<section id="loading" aria-labelledby="h-loading">
<h2 id="h-loading">Loading</h2>
<p>From this release folder:</p>
<pre id="snippet-duckdb"><code>-- DuckDB
SELECT doc_id, sector, count(*) AS commitments
FROM 'commitments.parquet'
WHERE is_commitment
GROUP BY ALL ORDER BY ALL;</code></pre>
<button type="button" data-copy="snippet-duckdb">Copy the DuckDB query</button>
<pre id="snippet-pandas"><code>import pandas as pd
commitments = pd.read_json('commitments.jsonl', lines=True, dtype=False)
print(commitments[commitments.is_commitment].groupby(['doc_id', 'sector']).size())</code></pre>
<button type="button" data-copy="snippet-pandas">Copy the pandas code</button>
</section>
</main>
<script>
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.s'));
  var text = document.getElementById('f-text'), sector = document.getElementById('f-sector'),
      modality = document.getElementById('f-modality'), actor = document.getElementById('f-actor'),
      count = document.getElementById('f-count');
  function has(list, v) { return !v || (' ' + list + ' ').indexOf(' ' + v + ' ') >= 0; }
  function apply() {
    var q = text.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var ok = (!q || r.dataset.text.indexOf(q) >= 0) && has(r.dataset.sector, sector.value) &&
               has(r.dataset.modality, modality.value) && has(r.dataset.actor, actor.value);
      r.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + ' of ' + rows.length + ' beads shown';
  }
  [text, sector, modality, actor].forEach(function (el) { el.addEventListener('input', apply); });
  apply();
  document.querySelectorAll('button[data-copy]').forEach(function (b) {
    b.addEventListener('click', function () {
      var t = document.getElementById(b.dataset.copy).textContent;
      if (navigator.clipboard) { navigator.clipboard.writeText(t).catch(function () {}); }
    });
  });
})();
</script>
</body>
</html>
`))
