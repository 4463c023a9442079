"""The site's pages as HTML: the index (every model, filterable) and one page per model."""

from __future__ import annotations

import json
from typing import Any

from registry_tool.core.changes import ChangeKind
from registry_tool.core.model import Binding, ModelVersion
from registry_tool.output.escape import html_text as h
from registry_tool.output.sentences import ARROW, what
from registry_tool.output.site.charts import metric_chart, stage_timeline
from registry_tool.output.site.html import Look, number, page, people, person, table, when
from registry_tool.read.catalog import Catalog, Entry, ModelPage, VersionEntry
from registry_tool.read.documents import binding_dict

LAST_CHANGES = 3  # the changes of the newest commit told in full; more are counted

# The filter box: hidden until this script shows it, so the page without JavaScript has no
# dead control; each row carries its searchable text in data-search (lower case).
FILTER_SCRIPT = """\
<script>
(function () {
  var box = document.getElementById("filter-box"), input = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#models tbody tr"));
  var count = document.getElementById("filter-count");
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search"), hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " models shown";
  }
  input.addEventListener("input", apply);
  box.hidden = false;
  apply();
})();
</script>
"""


def _tags(tags: tuple[str, ...]) -> str:
    return "".join(f'<span class="tag">{h(t)}</span>' for t in tags)


def _json(value: Any) -> str:
    return f"<code>{h(json.dumps(value, sort_keys=True, ensure_ascii=False))}</code>"


def _footer(catalog: Catalog, look: Look) -> str:
    return (f"<footer>Built by registry-tool from commit {look.commit(catalog.commit)}, committed "
            f"{when(catalog.commit)} UTC. Times are commit times (UTC); “by” is who made the change, "
            "as the commits say.</footer>\n")


def _boundary(catalog: Catalog, look: Look) -> str:
    if catalog.boundary is None:
        return ""
    return (f'<p class="note">History before commit {look.commit(catalog.boundary)} ({when(catalog.boundary)}) '
            "is not in this clone (a shallow clone): timelines start there.</p>\n")


def _last_change(changes: tuple[Entry, ...], look: Look) -> str:
    """When, by whom and where the newest commit that changed the model landed, and what it did."""
    if not changes:
        return '<span class="muted">not in the history read</span>'
    first = changes[0]
    commit = first.commit
    where = look.pull(commit.pull_request) or look.commit(commit)
    said = "; ".join(_sentence(e) for e in changes[:LAST_CHANGES])
    more = f"; and {len(changes) - LAST_CHANGES} more" if len(changes) > LAST_CHANGES else ""
    return f'{when(commit)} by {person(first.proposer)}, {where}<br><span class="muted">{h(said)}{more}</span>'


def _sentence(found: Entry) -> str:
    change = found.event.change
    return f"{change.version}: {what(change)}" if change.version is not None else what(change)


# -- the index ---------------------------------------------------------------------------


def index_page(catalog: Catalog, look: Look) -> str:
    """Every model: owner, task, tags, the version in each unique stage, its aliases, and
    its last change; a filter box (with JavaScript) over the rows."""
    stages = list(catalog.unique_stages)
    head = ["Model", "Owner", "Task", "Tags", *(f"In {look.badge(s)}" for s in stages), "Aliases", "Last change"]
    labels = ["Model", "Owner", "Task", "Tags", *(f"In {s}" for s in stages), "Aliases", "Last change"]
    rows, attrs = [], []
    for model_page in catalog.models:
        model = model_page.model
        in_stage = [", ".join(h(v) for v in model_page.in_stage(s)) or '<span class="muted">no version</span>' for s in stages]
        aliases = "<br>".join(f"{h(a)} {ARROW} {h(v)}" for a, v in sorted(model.aliases.items()))
        rows.append([f'<a href="{h(look.model_href(model.name))}">{h(model.name)}</a>'
                     + (f'<br><span class="muted">{h(model.description)}</span>' if model.description else ""),
                     h(model.owner or ""), h(model.task or ""), _tags(model.tags), *in_stage, aliases,
                     _last_change(model_page.last_changes, look)])
        attrs.append(f' data-search="{h(_search_text(model_page))}"')
    count = len(catalog.models)
    body = (f"<header><h1>Model registry</h1>\n<p>{count} model{'s' if count != 1 else ''} at commit "
            f"{look.commit(catalog.commit)} ({when(catalog.commit)} UTC).</p></header>\n<main>\n"
            + _boundary(catalog, look)
            + '<div class="filter" id="filter-box" hidden><label for="filter">Filter models</label> '
              '<input type="search" id="filter" autocomplete="off" placeholder="name, owner, task, tag, version…"> '
              '<span id="filter-count" role="status" aria-live="polite"></span></div>\n'
            + table("Models, sorted by name", head, rows, ident="models", row_attrs=attrs, labels=labels)
            + "</main>\n" + _footer(catalog, look))
    return page("Model registry", body, script=FILTER_SCRIPT)


def _search_text(model_page: ModelPage) -> str:
    model = model_page.model
    words = [model.name, model.owner or "", model.task or "", model.description or "", *model.tags,
             *(f"{a} {v}" for a, v in sorted(model.aliases.items())),
             *(f"{s} {' '.join(labels)}" for s, labels in model_page.in_stages if labels)]
    return " ".join(" ".join(words).lower().split())


# -- a model's page ----------------------------------------------------------------------


def model_page_html(catalog: Catalog, model_page: ModelPage, look: Look) -> str:
    model = model_page.model
    facts = [("Owner", h(model.owner or "")), ("Task", h(model.task or "")), ("Tags", _tags(model.tags)),
             ("Aliases", ", ".join(f"{h(a)} {ARROW} {h(v)}" for a, v in sorted(model.aliases.items()))),
             *((f"In {look.badge(s)}", ", ".join(h(v) for v in labels) or '<span class="muted">no version</span>')
               for s, labels in model_page.in_stages),
             ("Metadata", _json(dict(model.metadata)) if model.metadata else ""),
             ("Last change", _last_change(model_page.last_changes, look))]
    body = (f'<nav class="crumbs"><a href="{look.root}index.html">All models</a></nav>\n'
            f"<header><h1>{h(model.name)}</h1>\n"
            + (f'<p class="desc">{h(model.description)}</p>\n' if model.description else "")
            + "</header>\n<main>\n" + _boundary(catalog, look) + _facts(facts)
            + _versions_section(model_page, look)
            + _timeline_section(model_page, look)
            + _metrics_section(model_page)
            + _details_section(model_page, look)
            + "</main>\n" + _footer(catalog, look))
    return page(f"{h(model.name)}: model registry", body, root=look.root)


def _facts(pairs: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in pairs if v)
    return f'<dl class="facts">{items}</dl>\n'


def _versions_section(model_page: ModelPage, look: Look) -> str:
    entries = list(reversed(model_page.versions))  # newest first
    rows = [[f'<a href="#v{e.version.index}">{h(e.version.version)}</a>', look.badge(e.version.stage),
             h(", ".join(e.aliases)), *_since_cells(e, look)] for e in entries]
    summary = table("Versions, newest first, with when and by whom each reached its stage",
                    ["Version", "Stage", "Aliases", "In this stage since", "By", "Commit", "Claimed PR"], rows)
    return f'<section aria-labelledby="versions"><h2 id="versions">Versions</h2>\n{summary}</section>\n'


def _details_section(model_page: ModelPage, look: Look) -> str:
    details = "".join(_version_details(e, look) for e in reversed(model_page.versions))
    return (f'<section aria-labelledby="details"><h2 id="details">Version details</h2>\n'
            f"<p>Newest first: the artifact, its checksum, size and format, the training run, tags, metrics "
            f"and provider bindings.</p>\n{details}</section>\n")


def _since_cells(found: VersionEntry, look: Look) -> list[str]:
    since = found.since
    if since is None:
        return ['<span class="muted">before the history read</span>', "", "", ""]
    return [when(since.commit), person(since.proposer), look.commit(since.commit), look.pull(since.commit.pull_request)]


def _version_details(found: VersionEntry, look: Look) -> str:
    v = found.version
    artifact = v.artifact
    facts = [("Stage", look.badge(v.stage)), ("Aliases", h(", ".join(found.aliases))),
             ("Description", f'<span class="desc">{h(v.description)}</span>' if v.description else ""),
             ("Artifact", f"<code>{h(artifact.uri)}</code>"),
             ("sha256", f"<code>{h(artifact.sha256)}</code>" if artifact.sha256 else '<span class="muted">not given</span>'),
             ("Size", _size(artifact.size_bytes)), ("Format", h(artifact.format or "")),
             ("Run", f"<code>{h(v.run_id)}</code>" if v.run_id else ""), ("Tags", _tags(v.tags)),
             ("Metrics", _metrics_text(v)),
             ("Metadata", _json(dict(v.metadata)) if v.metadata else "")]
    return (f'<h3 id="v{v.index}">{h(v.version)} {look.badge(v.stage)}</h3>\n' + _facts(facts)
            + _bindings(v.bindings))


def _size(size: int | None) -> str:
    if size is None:
        return ""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size:,} bytes ({size / scale:.1f} {unit})"
    return f"{size:,} bytes"


def _metrics_text(v: ModelVersion) -> str:
    parts = [f"{h(name)} {h(_value(value))}" for name, value in sorted(v.metrics.items())]
    parts += [f"{h(suite)}/{h(name)} {h(_value(value))}" for suite, results in sorted(v.suites.items())
              for name, value in sorted(results.items())]
    return ", ".join(parts)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _bindings(bindings: tuple[Binding, ...]) -> str:
    if not bindings:
        return ""
    rows = []
    for b in bindings:
        d = binding_dict(b)
        rows.append([h(b.provider), f"<code>{h(b.provider_model_id)}</code>", h(b.status or ""), h(b.region or ""),
                     f"<code>{h(b.endpoint_url)}</code>" if b.endpoint_url else "",
                     _json(d["config"]) if "config" in d else ""])
    return table("Provider bindings", ["Provider", "Provider model id", "Status", "Region", "Endpoint", "Config"], rows)


def _timeline_section(model_page: ModelPage, look: Look) -> str:
    grid, entries = model_page.grid, model_page.timeline
    drawing = (f'<div class="scroll timeline">{stage_timeline(grid, look, model_page.name)}</div>\n'
               if grid.lanes else "")
    approvals = any(e.approvers for e in entries)
    head = ["When", "Version", "Change", "Commit", "Claimed PR", "Proposed by", *(["Approved by"] if approvals else [])]
    rows = []
    for e in entries:
        commit = e.commit
        merged = (f' <span class="muted">(merged by {person(e.merged_by)})</span>'
                  if e.merged_by is not None and e.merged_by != e.proposer else "")
        rows.append([when(commit), h(e.event.change.version or ""), _change_html(e, look), look.commit(commit),
                     look.pull(commit.pull_request), person(e.proposer) + merged,
                     *([people(e.approvers)] if approvals else [])])
    listing = (table("Every stage and alias change, newest first", head, rows) if rows
               else '<p class="muted">No stage or alias changes in the history read.</p>\n')
    return ('<section aria-labelledby="timeline"><h2 id="timeline">Stage timeline</h2>\n'
            '<p>Each row is a version, each column a commit that moved one (oldest on the left); '
            "the stage is written on its bar.</p>\n" + drawing + listing + "</section>\n")


def _change_html(e: Entry, look: Look) -> str:
    change = e.event.change
    if change.kind is ChangeKind.VERSION_REGISTERED:
        return f"registered in {look.badge(change.to_stage)}"
    if change.kind is ChangeKind.STAGE_CHANGED:
        rollback = ' <span class="muted">(rollback: was there before)</span>' if e.event.rollback else ""
        return f"{look.badge(change.from_stage)} {ARROW} {look.badge(change.to_stage)}{rollback}"
    if change.kind is ChangeKind.VERSION_REMOVED:
        return f"removed (was {look.badge(change.from_stage)})"
    return h(what(change))


def _metrics_section(model_page: ModelPage) -> str:
    if not model_page.metrics:
        return ('<section aria-labelledby="metrics"><h2 id="metrics">Metrics</h2>\n'
                '<p class="muted">No version reports a numeric metric.</p></section>\n')
    figures = []
    for i, series in enumerate(model_page.metrics):
        marked = [p for p in series.points if p.marked]
        caption = (f"<strong>{h(series.metric)}</strong>: {len(series.points)} "
                   f"version{'s' if len(series.points) != 1 else ''}"
                   + "".join(f"; {h(p.stage)} {h(p.version)}: {number(p.value)} (the diamond)" for p in marked))
        figures.append(f"<figure>{metric_chart(series, f'm{i}')}<figcaption>{caption}</figcaption></figure>")
    return ('<section aria-labelledby="metrics"><h2 id="metrics">Metrics across versions</h2>\n'
            "<p>One chart per metric, versions oldest to newest from left to right; suite metrics are named "
            "suite/metric.</p>\n"
            f'<div class="charts">{"".join(figures)}</div></section>\n')
