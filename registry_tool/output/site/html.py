"""The pieces every page of the site is made of: escaping, the page frame, the style
sheet, stage badges, people, links to the Git host.

Every text that comes from a file or a commit goes through :func:`h` (HTML-escaped, odd
characters shown as escapes); numbers and ids we make ourselves are plain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from registry_tool.core.model import Stage
from registry_tool.core.policy import StageSet
from registry_tool.history.events import CommitInfo, Person
from registry_tool.output.escape import html_text as h

GENERATOR = "registry-tool site"  # the mark of a folder this command may write over
STYLE_FILE = "style.css"
MODELS_DIR = "models"

# Colour-blind-safe fills (Okabe and Ito), each with a text colour of at least 4.5:1
# contrast. A stage is always written out in words beside or on its colour.
PALETTE = {
    "st-n": ("#e8e8e8", "#000"),  # none, and stages the policy no longer declares
    "st-o": ("#e69f00", "#000"),  # orange: staging, the first ordinary stage
    "st-s": ("#56b4e9", "#000"),  # sky blue
    "st-y": ("#f0e442", "#000"),  # yellow
    "st-g": ("#009e73", "#000"),  # bluish green: production, the first unique stage
    "st-b": ("#0072b2", "#fff"),  # blue
    "st-p": ("#cc79a7", "#000"),  # reddish purple
    "st-v": ("#d55e00", "#000"),  # vermillion
    "st-x": ("#999999", "#000"),  # grey: archived, the final stages
}
_ORDINARY = ("st-o", "st-s", "st-y", "st-p")
_UNIQUE = ("st-g", "st-b", "st-v", "st-p")


def stage_classes(stages: StageSet) -> dict[str, str]:
    """The colour class of each declared stage: final stages grey, unique ones green,
    blue, ...; ordinary ones orange, sky blue, ... in declared order; ``none`` light grey."""
    found: dict[str, str] = {}
    ordinary = unique = 0
    for stage in stages.defs:
        if stage.final:
            found[stage.name] = "st-x"
        elif stage.unique:
            found[stage.name] = _UNIQUE[unique % len(_UNIQUE)]
            unique += 1
        elif stage.name == Stage.NONE:
            found[stage.name] = "st-n"
        else:
            found[stage.name] = _ORDINARY[ordinary % len(_ORDINARY)]
            ordinary += 1
    return found


@dataclass(frozen=True)
class Look:
    """How pages refer to things: stage colours and links to the Git host."""

    classes: dict[str, str]
    repo_url: str | None = None  # https://github.com/OWNER/REPO (no trailing slash)
    root: str = ""  # the path from the page to the site's root: "" or "../"

    def stage_class(self, stage: str) -> str:
        return self.classes.get(stage, "st-n")

    def badge(self, stage: Stage | str | None) -> str:
        if stage is None:
            return '<span class="none">&#8212;</span>'
        return f'<span class="stage {self.stage_class(stage)}">{h(stage)}</span>'

    def commit(self, commit: CommitInfo | str) -> str:
        sha = commit if isinstance(commit, str) else commit.id
        text = f'<code class="sha">{h(sha[:12])}</code>'
        if self.repo_url is None:
            return text
        return f'<a href="{h(self.repo_url)}/commit/{h(quote(sha))}">{text}</a>'

    def pull(self, number: int | None) -> str:
        """A pull-request number read from a commit message: a claim, said so on hover."""
        if number is None:
            return ""
        claim = f'title="the commit message claims pull request #{number}"'
        if self.repo_url is None:
            return f"<span {claim}>#{number}</span>"
        return f'<a href="{h(self.repo_url)}/pull/{number}" {claim}>#{number}</a>'

    def model_href(self, name: str) -> str:
        return f"{self.root}{MODELS_DIR}/{quote(name)}.html"


def person(who: Person | None) -> str:
    return h(who.name or who.email) if who is not None else ""


def people(who: Iterable[Person]) -> str:
    return ", ".join(person(p) for p in who)


def when(commit: CommitInfo) -> str:
    """The commit's time (UTC) as a ``<time>`` element: ``2024-11-20 09:12``."""
    return f'<time datetime="{h(commit.time)}">{h(commit.time[:16].replace("T", " "))}</time>'


def number(value: float | int) -> str:
    """A metric value as people read it: 0.92, 1200, 1.5e-07."""
    return str(value) if isinstance(value, int) else f"{value:.6g}"


def table(caption: str, head: list[str], rows: Iterable[list[str]], *, ident: str = "", row_attrs: Iterable[str] = (),
          labels: list[str] | None = None) -> str:
    """A table with a caption and column headers (cells are HTML already), in a scrolling box.
    ``labels`` (the headers as plain text) make it a table that turns into one card per row
    on a narrow screen or at high zoom, each value labelled with its column's name."""
    attrs = iter(row_attrs)
    head_html = "".join(f'<th scope="col">{cell}</th>' for cell in head)
    body = "".join(f"<tr{next(attrs, '')}>" + "".join(_cell(i, c, labels) for i, c in enumerate(row)) + "</tr>\n"
                   for row in rows)
    klass = ' class="cards"' if labels else ""
    ident_attr = f' id="{ident}"' if ident else ""
    return (f'<div class="scroll"><table{ident_attr}{klass}>'
            f"<caption>{caption}</caption>\n<thead><tr>{head_html}</tr></thead>\n<tbody>\n{body}</tbody></table></div>\n")


def _cell(index: int, cell: str, labels: list[str] | None) -> str:
    if index == 0:
        return f'<th scope="row">{cell}</th>'
    label = f' data-label="{h(labels[index])}"' if labels and index < len(labels) else ""
    return f"<td{label}>{cell}</td>"


def page(title: str, body: str, *, root: str = "", script: str = "") -> str:
    """A whole HTML document: UTF-8, a viewport for small screens and zoom, the shared style
    sheet by a relative path (works from file://), no resource from the network."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        f"<title>{title}</title>\n"
        f'<link rel="stylesheet" href="{root}{STYLE_FILE}">\n'
        "</head>\n<body>\n"
        f"{body}"
        f"{script}"
        "</body>\n</html>\n"
    )


def stylesheet() -> str:
    """The site's one style sheet: readable at 200% zoom (relative sizes, wrapping, tables
    and wide charts scroll in their own box), stage colours as custom properties that HTML
    badges and SVG shapes both use."""
    colours = "".join(f".{name}{{--c:{fill};--t:{text}}}\n" for name, (fill, text) in PALETTE.items())
    return colours + _LAYOUT


_LAYOUT = """\
:root{color-scheme:light;--ink:#1a1a1a;--muted:#555;--line:#c8c8c8;--link:#0b57a4;--accent:#0072b2;--mark:#d55e00}
*{box-sizing:border-box}
body{margin:0 auto;max-width:76rem;padding:1rem 1.25rem 3rem;color:var(--ink);background:#fff;
  font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
a{color:var(--link)}
a:focus-visible,input:focus-visible{outline:3px solid var(--mark);outline-offset:2px}
h1{font-size:1.75rem;margin:.5rem 0;overflow-wrap:anywhere}
h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1.1rem;margin:1.25rem 0 .25rem;overflow-wrap:anywhere}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em;overflow-wrap:anywhere}
code.sha{overflow-wrap:normal;white-space:nowrap}
.muted,.note,footer{color:var(--muted)}
.note{border-left:4px solid var(--mark);padding:.25rem .75rem;background:#fff7f0}
.desc{white-space:pre-line;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0 1rem;min-width:50%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f2f2f2}
tbody th{font-weight:600}
tbody th .muted{font-weight:400}
.stage{display:inline-block;padding:0 .45rem;border-radius:.3rem;background:var(--c);color:var(--t);font-size:.9em;
  white-space:nowrap;border:1px solid #0003}
.tag{display:inline-block;padding:0 .4rem;margin:0 .2rem .2rem 0;border:1px solid var(--line);border-radius:.3rem;font-size:.9em}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:.25rem 0 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.filter{margin:1rem 0}
.filter input{font:inherit;padding:.3rem .5rem;width:min(28rem,100%);border:2px solid var(--muted);border-radius:.3rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(18rem,100%),1fr));gap:1rem}
figure{margin:0;min-width:0}
figure svg{width:100%;height:auto;border:1px solid var(--line)}
figcaption{font-size:.95em;overflow-wrap:anywhere}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif;fill:var(--ink)}
svg .axis{stroke:var(--muted);stroke-width:1}
svg .grid{stroke:#ddd;stroke-width:1}
svg .line{fill:none;stroke:var(--accent);stroke-width:2}
svg .pt{fill:var(--accent);stroke:#fff;stroke-width:1}
svg .pt.mark{fill:var(--mark);stroke:#000;stroke-width:1.5}
svg .marklabel{font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .seg{fill:var(--c);stroke:#fff;stroke-width:1}
svg text.segtext{fill:var(--t);font-size:13px}
svg .gone{fill:none}
.timeline svg{display:block}
nav.crumbs{font-size:.95em}
@media (max-width:44rem){
  table.cards,table.cards caption,table.cards tbody,table.cards tr,table.cards th,table.cards td{display:block}
  table.cards tr[hidden]{display:none}
  table.cards thead tr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
  table.cards tr{border:1px solid var(--line);margin-bottom:.75rem}
  table.cards th,table.cards td{border:0}
  table.cards td:empty{display:none}
  table.cards td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
}
footer{margin-top:3rem;border-top:1px solid var(--line);padding-top:.5rem;font-size:.9em}
"""
