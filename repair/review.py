"""Review a change log: a self-contained HTML page, a batch index, and a terminal table.

The page carries everything inline (CSS, JS, data); it loads nothing from the
network. Article text only ever reaches the page as JSON inside
``<script type="application/json">`` with ``<``, ``>``, ``&`` and the line
separators escaped, and the script puts it into the DOM with ``textContent``
and ``createElement`` only, never ``innerHTML``; a Content-Security-Policy
with the hashes of the page's own script and style blocks any other script.
So an article containing ``<script>``, ``</textarea>``, ``javascript:`` URLs or
quotes meant to break out of an attribute shows as plain text.

Which input a log belongs to: ``--input`` if given. Otherwise, when the log
is named ``X.changes.jsonl`` and the repaired text ``X`` lies beside it (as
``repair batch`` writes them, or ``repair fix A -o X --log X.changes.jsonl``),
the input is rebuilt from ``X`` by undoing the applied changes, and checked by
replaying the log on it. Otherwise the input must be given.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from .batch import LOG_SUFFIX, STATE_DIR
from .changelog import Change, ChangeLogError, apply_changes, parse
from .files import InputError, read_text, write_text_atomic


class ReviewError(Exception):
    """A log that cannot be reviewed (no input, or not the log of that input); one line."""


# --------------------------------------------------------------------------- data


def reconstruct_input(repaired: str, changes: list[Change], name: str = "the repaired text") -> str:
    """The input a log was applied to, rebuilt from the repaired text by undoing
    its applied changes; checked by replaying the log on the result."""
    out, pos, delta = [], 0, 0
    for c in sorted((c for c in changes if c.status == "applied"), key=lambda c: (c.start, c.end)):
        at = c.start + delta
        if at < pos or repaired[at:at + len(c.after)] != c.after:
            raise ReviewError(f"{name} does not contain change {c.id} ({c.after!r}) where the log puts it;"
                              " give the input with --input")
        out.append(repaired[pos:at])
        out.append(c.before)
        pos = at + len(c.after)
        delta += len(c.after) - (c.end - c.start)
    out.append(repaired[pos:])
    text = "".join(out)
    try:
        if apply_changes(text, changes) != repaired:
            raise ChangeLogError("replay differs")
    except ChangeLogError:
        raise ReviewError(f"{name} is not what the log makes of its input; give the input with --input") from None
    return text


def check_fits(text: str, changes: list[Change], input_name: str, log_name: str) -> None:
    """Every record (applied or not) must match the input at its offsets."""
    for c in changes:
        if c.end > len(text) or text[c.start:c.end] != c.before:
            raise ReviewError(f"{log_name}: change {c.id} expects {c.before!r} at {c.start}..{c.end}, "
                              f"{input_name} does not have it there (the log of another input?)")


def find_input(log_path: str, changes: list[Change]) -> tuple[str, str]:
    """(input text, how it was found) for a log given without --input."""
    if log_path.endswith(LOG_SUFFIX):
        repaired_path = log_path[: -len(LOG_SUFFIX)]
        if os.path.isfile(repaired_path):
            try:
                repaired = read_text(repaired_path)
            except InputError as exc:
                raise ReviewError(str(exc)) from None
            return reconstruct_input(repaired, changes, repaired_path), repaired_path
    raise ReviewError(f"{log_path}: which input is this the log of? give it with --input INPUT "
                      f"(a log named X{LOG_SUFFIX} next to its repaired text X needs none)")


def _batch_record(log_path: str) -> dict | None:
    """The batch state record of a log inside a batch OUTDIR, if there is one."""
    path = Path(log_path).resolve()
    for root in path.parents:
        state = root / STATE_DIR
        if state.is_dir():
            rel = path.relative_to(root).as_posix()
            if rel.endswith(LOG_SUFFIX):
                try:
                    return json.loads((state / (rel[: -len(LOG_SUFFIX)] + ".json")).read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    return None
            return None
    return None


def page_data(text: str, changes: list[Change], log_name: str, input_name: str,
              replay_input: str | None = None, index_href: str | None = None) -> dict:
    stem = Path(log_name).name
    if stem.endswith(LOG_SUFFIX):
        stem = stem[: -len(LOG_SUFFIX)]
    elif stem.endswith(".jsonl"):
        stem = stem[: -len(".jsonl")]
    changes_data = [_change_dict(c) for c in sorted(changes, key=lambda c: (c.start, c.end, c.id))]
    digest = hashlib.sha256(json.dumps([text, changes_data], ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return {
        "title": f"Review: {Path(log_name).name}",
        "fingerprint": digest.hexdigest()[:24],  # decisions saved in the browser belong to exactly this log
        "log": log_name,
        "input": input_name,
        "replay_input": replay_input or input_name,
        "export_name": f"{stem}.reviewed.jsonl",
        "input_name": Path(input_name).name or "input.txt",
        "repaired_name": f"{stem}.reviewed.txt",
        "index": index_href,
        "text": text,
        "changes": changes_data,
    }


def _change_dict(c: Change) -> dict:
    return {"id": c.id, "start": c.start, "end": c.end, "before": c.before, "after": c.after,
            "sources": list(c.sources), "confidence": c.confidence, "status": c.status,
            "evidence": list(c.evidence), "rule": c.rule}


# --------------------------------------------------------------------------- HTML


def embed_json(data) -> str:
    """JSON safe inside a <script> element: no '<', '>', '&' or line separators appear raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def render_html(data: dict, script: str, style: str = None) -> str:
    style = _STYLE if style is None else style
    csp = (f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<title>spin-repair review</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n"
        "<noscript>This review page needs JavaScript (it runs locally; nothing is loaded from the network).</noscript>\n"
        f"<script type=\"application/json\" id=\"review-data\">{embed_json(data)}</script>\n"
        f"<script>{script}</script>\n</body>\n</html>\n"
    )


def review_page(text: str, changes: list[Change], log_name: str, input_name: str,
                replay_input: str | None = None, index_href: str | None = None) -> str:
    return render_html(page_data(text, changes, log_name, input_name, replay_input, index_href), _PAGE_JS)


def review_log(log_path: str, input_path: str | None = None) -> str:
    """The HTML page for one log."""
    try:
        changes = parse(read_text(log_path), log_path)
    except (InputError, ChangeLogError) as exc:
        raise ReviewError(str(exc)) from None
    replay_input = None
    if input_path:
        try:
            text = read_text(input_path)
        except InputError as exc:
            raise ReviewError(str(exc)) from None
        input_name = replay_input = input_path
    else:
        text, found = find_input(log_path, changes)
        record = _batch_record(log_path)
        input_name = f"rebuilt from {found}"
        if record and record.get("input") and os.path.isfile(str(record["input"])):
            replay_input = str(record["input"])
    check_fits(text, changes, input_name, log_path)
    return review_page(text, changes, log_path, input_name, replay_input)


def _load_batch_records(outdir: Path) -> list[dict]:
    summary = outdir / "summary.json"
    if summary.is_file():
        try:
            return list(json.loads(summary.read_text(encoding="utf-8"))["documents"])
        except (OSError, ValueError, KeyError, TypeError):
            raise ReviewError(f"{summary}: not a batch summary") from None
    state = outdir / STATE_DIR
    if not state.is_dir():
        raise ReviewError(f"{outdir}: not a batch output directory (no summary.json, no {STATE_DIR}/)")
    records = []
    for path in sorted(state.rglob("*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return records


def _safe_inside(base: Path, rel: str) -> Path | None:
    """base/rel if it stays inside base (the records are data: don't trust their paths)."""
    if not rel or os.path.isabs(rel) or any(part == ".." for part in Path(rel).parts):
        return None
    target = base / rel
    real, top = os.path.realpath(target), os.path.realpath(base)
    return target if real.startswith(top.rstrip(os.sep) + os.sep) else None


def review_batch(outdir: str, report_dir: str | None = None) -> tuple[Path, int, list[str]]:
    """Write an index page over a batch and one page per repaired document.

    Returns (index path, pages written, problems). Pages go to
    ``REPORT_DIR/<output>.html`` (default ``OUTDIR/review``).
    """
    out = Path(outdir)
    report = Path(report_dir) if report_dir else out / "review"
    report.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    rows = []
    pages = 0
    for record in _load_batch_records(out):
        if not isinstance(record, dict):
            continue
        output = str(record.get("output") or "")
        row = {"id": str(record.get("id", output)), "spin_score": record.get("spin_score"),
               "applied": record.get("applied"), "proposed": record.get("proposed"),
               "status": record.get("status"), "error": record.get("error"), "page": None,
               "input": record.get("input")}
        text_path = _safe_inside(out, output)
        log_path = _safe_inside(out, output + LOG_SUFFIX) if output else None
        page_path = _safe_inside(report, output + ".html") if output else None
        if record.get("status") == "ok" and text_path and log_path and page_path:
            try:
                changes = parse(read_text(str(log_path)), str(log_path))
                text = reconstruct_input(read_text(str(text_path)), changes, str(text_path))
                check_fits(text, changes, str(text_path), str(log_path))
                depth = len(Path(output).parts) - 1
                index_href = "../" * depth + "index.html"
                replay = str(record.get("input") or "")
                html = review_page(text, changes, str(log_path), row["id"],
                                   replay if replay and os.path.isfile(replay) else None, index_href)
                page_path.parent.mkdir(parents=True, exist_ok=True)
                write_text_atomic(page_path, html)
                row["page"] = "./" + "/".join(quote(p, safe="") for p in Path(output + ".html").parts)
                pages += 1
            except (InputError, ChangeLogError, ReviewError, OSError) as exc:
                problems.append(f"{row['id']}: {exc}")
                row["error"] = row["error"] or f"no review page: {exc}"
        rows.append(row)
    rows.sort(key=lambda r: (r["spin_score"] is None, -(r["spin_score"] or 0.0), r["id"]))
    data = {"title": f"Batch review: {out.name or outdir}", "outdir": str(outdir), "documents": rows}
    index = report / "index.html"
    write_text_atomic(index, render_html(data, _INDEX_JS))
    return index, pages, problems


# --------------------------------------------------------------------------- terminal


def show_table(changes: list[Change], title: str = "", console=None) -> None:
    """Print the changes as a rich table; all cell text is literal (no markup).
    The rule column is shown on terminals at least 110 columns wide."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    if title:
        console.print(Text(title), soft_wrap=True)
    table = Table(expand=True)
    fixed = {"no_wrap": True}
    with_rule = console.width >= 110  # on a narrow terminal the rule column would crush the text
    columns = [("id", fixed), ("offsets", {"justify": "right", **fixed}),
               ("before", {"ratio": 3, "overflow": "fold"}), ("after", {"ratio": 3, "overflow": "fold"}),
               ("sources", {"ratio": 2, "overflow": "fold"}), ("conf", {"justify": "right", **fixed}),
               ("status", fixed)] + ([("rule", {"ratio": 2, "overflow": "fold"})] if with_rule else [])
    for col, kw in columns:
        table.add_column(col, **kw)
    styles = {"applied": "green", "proposed": "yellow", "rejected": "red"}
    for c in changes:
        row = [Text(c.id), Text(f"{c.start}-{c.end}"), Text(_visible(c.before)), Text(_visible(c.after)),
               Text("+".join(c.sources)), Text(f"{c.confidence:.2f}"), Text(c.status, style=styles.get(c.status, ""))]
        table.add_row(*row, *([Text(c.rule)] if with_rule else []))
    console.print(table)


def _visible(s: str) -> str:
    """Control characters shown as escapes, so a change cannot drive the terminal."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in s)


# --------------------------------------------------------------------------- assets

_STYLE = """
:root{--ok:#1a7f37;--prop:#9a6700;--rej:#cf222e;--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--fg);background:var(--bg)}
header{position:sticky;top:0;z-index:2;background:#f6f8fa;border-bottom:1px solid var(--line);padding:.5rem 1rem}
h1{font-size:1.1rem;margin:.2rem 0}
.meta{color:var(--muted);font-size:.85rem;overflow-wrap:anywhere}
.toolbar{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;margin-top:.4rem}
.toolbar label{white-space:nowrap}
button{font:inherit;padding:.15rem .6rem;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
button:hover{background:#f3f4f6}
button.primary{background:#1f6feb;color:#fff;border-color:#1f6feb}
main{display:grid;grid-template-columns:1fr 1fr 28rem;gap:0;min-height:80vh}
main>section{padding:.5rem 1rem;border-right:1px solid var(--line);overflow:auto;max-height:calc(100vh - 8rem)}
main>section h2{font-size:.95rem;margin:.3rem 0;color:var(--muted)}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-family:Georgia,serif;font-size:1rem}
mark{border-radius:3px;padding:0 1px;cursor:pointer;color:inherit}
mark.applied{background:#dafbe1}mark.proposed{background:#fff8c5}mark.rejected{background:#ffebe9}
mark.kept{background:transparent;border-bottom:2px dashed #bf8700}
mark.rejected.kept{border-bottom-color:var(--rej)}
mark.dim{background:transparent;border:0;cursor:default}
mark.empty::after{content:"\\2038";color:var(--muted)}
mark.focus{outline:2px solid #1f6feb}
.card{border:1px solid var(--line);border-radius:8px;padding:.4rem .6rem;margin:.4rem 0}
.card.focus{outline:2px solid #1f6feb}
.card .head{display:flex;gap:.5rem;align-items:baseline;flex-wrap:wrap}
.badge{font-size:.75rem;padding:0 .4rem;border-radius:10px;border:1px solid currentColor}
.badge.applied{color:var(--ok)}.badge.proposed{color:var(--prop)}.badge.rejected{color:var(--rej)}
.decided{font-weight:bold}
.edit{margin:.2rem 0;overflow-wrap:anywhere}
del{background:#ffebe9;text-decoration:line-through}ins{background:#dafbe1;text-decoration:none}
.small{font-size:.8rem;color:var(--muted);overflow-wrap:anywhere}
.evidence{margin:.2rem 0 0 0;padding-left:1rem;font-size:.8rem;color:var(--muted)}
.evidence li{overflow-wrap:anywhere}
.buttons{display:flex;gap:.3rem;flex-wrap:wrap;margin-top:.3rem}
.warn{color:var(--rej);font-weight:bold}
.hidden{display:none}
table{border-collapse:collapse;margin:1rem}
td,th{border:1px solid var(--line);padding:.2rem .6rem;text-align:left;overflow-wrap:anywhere}
td.num{text-align:right}
@media (max-width:1100px){main{grid-template-columns:1fr}main>section{max-height:none}}
"""

_PAGE_JS = r"""
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const changes = data.changes;
  const byId = new Map(changes.map(c => [c.id, c]));
  const decisions = new Map();          // id -> "applied" | "rejected" (the reviewer's)
  const storeKey = "spin-repair-review:" + data.fingerprint;
  try {
    const saved = JSON.parse(window.localStorage.getItem(storeKey) || "{}");
    for (const [id, st] of Object.entries(saved)) {
      if (byId.has(id) && (st === "applied" || st === "rejected")) decisions.set(id, st);
    }
  } catch (e) { /* no storage on this page: decisions live until it is closed */ }
  const restored = decisions.size;

  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const kid of kids) node.append(kid);
    return node;
  }
  const status = c => decisions.get(c.id) || c.status;
  const sources = [...new Set(changes.flatMap(c => c.sources))].sort();
  const rules = new Map();
  for (const c of changes) if (c.rule) { if (!rules.has(c.rule)) rules.set(c.rule, []); rules.get(c.rule).push(c); }

  // ---- layout
  document.title = data.title;
  const header = el("header");
  const h1 = el("h1", {text: data.title});
  const meta = el("div", {class: "meta"});
  meta.append(el("div", {text: "Log: " + data.log}), el("div", {text: "Input: " + data.input}));
  if (data.index) {
    const back = el("a", {text: "\u2190 all documents"});
    back.href = data.index;
    meta.prepend(el("div", {}, back));
  }
  const toolbar = el("div", {class: "toolbar"});
  const sourceBoxes = new Map();
  const srcGroup = el("span", {}, "Sources: ");
  for (const s of sources) {
    const box = el("input", {type: "checkbox", "data-source": s});
    box.checked = true;
    box.addEventListener("change", render);
    sourceBoxes.set(s, box);
    srcGroup.append(el("label", {}, box, " " + s + " "));
  }
  const minConf = el("input", {type: "range", min: "0", max: "1", step: "0.01", value: "0", id: "min-confidence"});
  const minConfOut = el("output", {text: "0.00"});
  minConf.addEventListener("input", () => { minConfOut.textContent = Number(minConf.value).toFixed(2); render(); });
  const statusSel = el("select", {id: "status-filter"});
  for (const s of ["all", "applied", "proposed", "rejected"]) statusSel.append(el("option", {value: s, text: s}));
  statusSel.addEventListener("change", render);
  const counts = el("span", {class: "small", id: "counts"});
  const warning = el("span", {class: "warn", id: "overlap-warning"});
  toolbar.append(
    srcGroup,
    el("label", {}, "Min confidence ", minConf, " ", minConfOut),
    el("label", {}, "Status ", statusSel),
    el("button", {text: "Accept shown", id: "accept-shown", onclick: () => decideAll(visible(), "applied")}),
    el("button", {text: "Reject shown", id: "reject-shown", onclick: () => decideAll(visible(), "rejected")}),
    el("button", {text: "Export reviewed log", class: "primary", id: "export", onclick: exportLog}),
    el("button", {text: "Download input", id: "download-input",
                  onclick: () => download(data.input_name, data.text, "text/plain")}),
    el("button", {text: "Download repaired text", id: "download-text",
                  onclick: () => download(data.repaired_name, repairedText(), "text/plain")}),
    counts, warning);
  const hint = el("div", {class: "small", text:
    "Replay the exported log: repair apply " + data.replay_input + " " + data.export_name + " -o REPAIRED.txt"});
  header.append(h1, meta, toolbar, hint);

  const original = el("div", {class: "text", id: "original"});
  const repaired = el("div", {class: "text", id: "repaired"});
  const list = el("div", {id: "changes"});
  const main = el("main", {},
    el("section", {}, el("h2", {text: "Original"}), original),
    el("section", {}, el("h2", {text: "Repaired (with your decisions)"}), repaired),
    el("section", {}, el("h2", {text: "Changes (" + changes.length + ")"}), list));
  document.body.append(header, main);

  // ---- filtering and decisions
  function shown(c) {
    if (!c.sources.some(s => sourceBoxes.get(s) && sourceBoxes.get(s).checked) && c.sources.length) return false;
    if (c.confidence < Number(minConf.value)) return false;
    const want = statusSel.value;
    return want === "all" || status(c) === want;
  }
  const visible = () => changes.filter(shown);
  function decide(c, st) {
    decisions.set(c.id, st);
    save(); render();
  }
  function decideAll(list, st) { for (const c of list) decisions.set(c.id, st); save(); render(); }
  function reset(c) { decisions.delete(c.id); save(); render(); }
  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(Object.fromEntries(decisions))); } catch (e) {}
  }

  // ---- text panes
  function spans() {   // non-overlapping changes in order (a later overlapping one is listed, not drawn)
    const out = []; let end = -1;
    for (const c of changes) { if (c.start >= end) { out.push(c); end = Math.max(end, c.end); } }
    return out;
  }
  function focus(id) {
    for (const n of document.querySelectorAll(".focus")) n.classList.remove("focus");
    for (const n of document.querySelectorAll("[data-change]")) {
      if (n.dataset.change === id) { n.classList.add("focus"); if (n.classList.contains("card")) n.scrollIntoView({block: "nearest"}); }
    }
  }
  function mark(c, text, cls) {
    const m = el("mark", {class: cls + (text === "" ? " empty" : ""), title: c.id + ": " + c.before + " \u2192 " + c.after});
    m.dataset.change = c.id;
    m.textContent = text;
    m.addEventListener("click", () => focus(c.id));
    return m;
  }
  function renderText() {
    original.replaceChildren(); repaired.replaceChildren();
    let pos = 0;
    const t = data.text;
    for (const c of spans()) {
      original.append(t.slice(pos, c.start)); repaired.append(t.slice(pos, c.start));
      const st = status(c), vis = shown(c);
      original.append(mark(c, c.before, vis ? st : "dim"));
      if (st === "applied") repaired.append(mark(c, c.after, vis ? "applied" : "dim"));
      else repaired.append(mark(c, c.before, vis ? st + " kept" : "dim"));
      pos = c.end;
    }
    original.append(t.slice(pos)); repaired.append(t.slice(pos));
  }
  function repairedText() {
    let out = "", pos = 0;
    for (const c of changes.filter(c => status(c) === "applied").sort((a, b) => a.start - b.start || a.end - b.end)) {
      if (c.start < pos) continue;
      out += data.text.slice(pos, c.start) + c.after; pos = c.end;
    }
    return out + data.text.slice(pos);
  }

  // ---- change cards
  function evidenceItem(ev) {
    const parts = [];
    for (const [k, v] of Object.entries(ev)) parts.push(k + ": " + (typeof v === "string" ? v : JSON.stringify(v)));
    return el("li", {text: parts.join("; ")});
  }
  function card(c) {
    const st = status(c);
    const box = el("div", {class: "card"});
    box.dataset.change = c.id;
    const badge = el("span", {class: "badge " + st + (decisions.has(c.id) ? " decided" : ""),
                              text: st + (decisions.has(c.id) ? " (reviewed)" : "")});
    box.append(el("div", {class: "head"}, el("strong", {text: c.id}), badge,
      el("span", {class: "small", text: "confidence " + Number(c.confidence).toFixed(2)}),
      el("span", {class: "small", text: "at " + c.start + "\u2013" + c.end})));
    const edit = el("div", {class: "edit"}, el("del", {text: c.before}), " \u2192 ", el("ins", {text: c.after}));
    edit.addEventListener("click", () => { focus(c.id); const m = original.querySelector("mark.focus"); if (m) m.scrollIntoView({block: "center"}); });
    box.append(edit);
    box.append(el("div", {class: "small", text: "sources: " + (c.sources.join(", ") || "-") + (c.rule ? " \u00b7 rule: " + c.rule : "")}));
    if (c.evidence && c.evidence.length) box.append(el("ul", {class: "evidence"}, ...c.evidence.map(evidenceItem)));
    const buttons = el("div", {class: "buttons"},
      el("button", {text: "Accept", class: "accept", onclick: () => decide(c, "applied")}),
      el("button", {text: "Reject", class: "reject", onclick: () => decide(c, "rejected")}));
    if (decisions.has(c.id)) buttons.append(el("button", {text: "Undo", class: "undo", onclick: () => reset(c)}));
    const same = c.rule ? rules.get(c.rule) : null;
    if (same && same.length > 1) {
      buttons.append(
        el("button", {text: "Accept all " + same.length + " of this rule", class: "accept-rule", onclick: () => decideAll(same, "applied")}),
        el("button", {text: "Reject all " + same.length + " of this rule", class: "reject-rule", onclick: () => decideAll(same, "rejected")}));
    }
    box.append(buttons);
    return box;
  }
  function renderList() {
    list.replaceChildren(...visible().map(card));
  }
  function overlaps() {
    const acc = changes.filter(c => status(c) === "applied").sort((a, b) => a.start - b.start || a.end - b.end);
    const bad = [];
    for (let i = 1; i < acc.length; i++) if (acc[i].start < acc[i - 1].end) bad.push(acc[i - 1].id + "/" + acc[i].id);
    return bad;
  }
  function render() {
    renderText(); renderList();
    const n = {applied: 0, proposed: 0, rejected: 0};
    for (const c of changes) n[status(c)] = (n[status(c)] || 0) + 1;
    counts.textContent = (restored ? "(" + restored + " decisions restored from an earlier visit) " : "")
      + n.applied + " applied, " + n.proposed + " proposed, " + n.rejected + " rejected; "
      + decisions.size + " reviewed; " + visible().length + " shown";
    const bad = overlaps();
    warning.textContent = bad.length ? "Overlapping accepted changes (replay will refuse): " + bad.join(", ") : "";
  }

  // ---- export
  function download(name, text, type) {
    const blob = new Blob([text], {type: type + ";charset=utf-8"});
    const url = URL.createObjectURL(blob);
    const a = el("a", {download: name});
    a.href = url;
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  function exportLog() {
    const lines = changes.map(c => JSON.stringify(Object.assign({}, c, {status: status(c)})) + "\n");
    download(data.export_name, lines.join(""), "application/x-ndjson");
  }
  render();
})();
"""

_INDEX_JS = r"""
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  function el(tag, text, cls) { const n = document.createElement(tag); if (text !== undefined) n.textContent = text; if (cls) n.className = cls; return n; }
  document.title = data.title;
  const header = el("header");
  header.append(el("h1", data.title), el("div", "Output directory: " + data.outdir, "meta"));
  const docs = data.documents;
  const ok = docs.filter(d => d.status === "ok");
  header.append(el("div", docs.length + " documents, " + ok.length + " repaired, " + (docs.length - ok.length)
    + " not; sorted by spin score (most spun first)", "meta"));
  const filter = document.createElement("input");
  filter.placeholder = "filter by name"; filter.id = "filter";
  header.append(filter);
  const table = el("table");
  const head = el("tr");
  for (const h of ["document", "spin score", "applied", "proposed", "error"]) head.append(el("th", h));
  table.append(head);
  const rows = [];
  for (const d of docs) {
    const tr = el("tr");
    const name = el("td");
    if (typeof d.page === "string" && /^\.\//.test(d.page)) {
      const a = el("a", d.id); a.href = d.page; name.append(a);
    } else name.textContent = d.id;
    tr.append(name,
      el("td", d.spin_score === null || d.spin_score === undefined ? "" : Number(d.spin_score).toFixed(2), "num"),
      el("td", d.status === "ok" ? String(d.applied) : "", "num"),
      el("td", d.status === "ok" ? String(d.proposed) : "", "num"),
      el("td", d.error || "", d.error ? "warn" : ""));
    rows.push([d.id.toLowerCase(), tr]);
    table.append(tr);
  }
  filter.addEventListener("input", () => {
    const q = filter.value.toLowerCase();
    for (const [id, tr] of rows) tr.classList.toggle("hidden", q !== "" && !id.includes(q));
  });
  document.body.append(header, table);
})();
"""
