"""repair review / show: self-contained pages, escaping, finding the input, the batch index."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from click.testing import CliRunner

from repair.changelog import Change, apply_changes, dumps, parse
from repair.cli import main
from repair.review import embed_json, reconstruct_input

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0a87bb4e7ef8a0af.txt"

HOSTILE = (
    'The officials stated that </script><script>window.__pwned=1;alert(1)</script> was final.\n'
    'Parents stated that youngsters </textarea><img src=x onerror="window.__pwned=2"> were safe.\n'
    'A link: <a href="javascript:window.__pwned=3">click</a> and "quoted" \' attr=" onmouseover=alert(1) x="\n'
    'An HTML comment <!-- and a CDATA <![CDATA[ and the separators \u2028 \u2029 and & &amp; stated.\n'
)
HOSTILE_DICT = "stated\tsaid\t0.9\t\ttest\nyoungsters\tchildren\t0.9\t\ttest <script>alert(1)</script>\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def data_of(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', html, re.S)
    assert m, "no embedded data"
    return json.loads(m.group(1))


def hostile_log(tmp_path):
    article = tmp_path / "hostile.txt"
    article.write_text(HOSTILE, encoding="utf-8")
    d = tmp_path / "d.tsv"
    d.write_text(HOSTILE_DICT, encoding="utf-8")
    out, log = tmp_path / "hostile.fixed.txt", tmp_path / "hostile.fixed.txt.changes.jsonl"
    result = run("fix", article, "--no-dictionary", "-d", d, "--min-confidence", "0", "-o", out, "--log", log)
    assert result.exit_code == 0, result.output
    changes = parse(log.read_text())
    # A change whose text is itself hostile, as a hand-edited log could have.
    at = HOSTILE.index("</script>")
    changes.append(Change("h1", at, at + 9, "</script>", "<script>alert('x')</script>", ["reference"], 0.4,
                          "proposed", [{"source": "reference", "reference": "</script><b>ref</b>"}], "reference:<x>"))
    log.write_text(dumps(changes), encoding="utf-8")
    return article, log, changes


def test_hostile_article_is_inert_in_the_page(tmp_path):
    article, log, changes = hostile_log(tmp_path)
    report = tmp_path / "r.html"
    result = run("review", log, "--input", article, "-o", report)
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    # Exactly our two script elements: the JSON data and the page's code.
    assert len(re.findall(r"<script", html, re.I)) == 2
    assert len(re.findall(r"</script", html, re.I)) == 2
    for needle in ("<img", "</textarea", "<a href", "<!--", "<![CDATA[", "\u2028", "\u2029"):
        assert needle not in html, needle
    raw = html.split('id="review-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in raw and ">" not in raw and "&" not in raw  # the data cannot close its element
    assert "innerHTML" not in html and "outerHTML" not in html and "document.write" not in html
    assert "Content-Security-Policy" in html and "script-src 'sha256-" in html
    assert "http://" not in html and "https://" not in html  # nothing from the network
    data = data_of(html)
    assert data["text"] == HOSTILE  # the article survives exactly
    assert {c["id"] for c in data["changes"]} == {c.id for c in changes}
    assert any(c["after"] == "<script>alert('x')</script>" for c in data["changes"])


def test_embed_json_escapes_markup():
    s = embed_json({"t": "</script><!-- & \u2028"})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s) == {"t": "</script><!-- & \u2028"}


def test_input_is_found_next_to_the_log_or_required(tmp_path):
    out, log = tmp_path / "a.txt", tmp_path / "a.txt.changes.jsonl"
    assert run("fix", SEED, "-o", out, "--log", log).exit_code == 0
    result = run("review", log)  # X.changes.jsonl next to X: the input is rebuilt from X
    assert result.exit_code == 0, result.output
    html = (tmp_path / "a.txt.changes.html").read_text(encoding="utf-8")
    assert data_of(html)["text"] == SEED.read_text(encoding="utf-8")

    other = tmp_path / "plain.jsonl"
    other.write_text(log.read_text())
    result = run("review", other)
    assert result.exit_code == 1 and "--input" in result.stderr

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("Something else entirely, stated briefly.")
    result = run("review", log, "--input", wrong, "-o", tmp_path / "x.html")
    assert result.exit_code == 1 and "another input" in result.stderr

    first = min((c for c in parse(log.read_text()) if c.status == "applied"), key=lambda c: c.start)
    text = out.read_text(encoding="utf-8")
    out.write_text(text[:first.start] + "ZZZ" + text[first.start + len(first.after):], encoding="utf-8")
    # (the repaired text no longer matches its log where the first change stands)
    result = run("review", log, "-o", tmp_path / "y.html")
    assert result.exit_code == 1 and "--input" in result.stderr


def test_reconstruct_input_undoes_applied_changes():
    text = "aa bb cc dd"
    changes = [Change("c1", 3, 5, "bb", "BBBB", ["dictionary"], 0.9), Change("c2", 6, 6, "", "X ", ["model"], 0.9),
               Change("c3", 9, 11, "dd", "d", ["dictionary"], 0.2, "proposed")]
    repaired = apply_changes(text, changes)
    assert reconstruct_input(repaired, changes) == text


def test_batch_index_sorted_by_spin_score(tmp_path):
    seed = SEED.read_text(encoding="utf-8")
    docs = tmp_path / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "clean", "text": "A short clean note about the weather today."}) + "\n")
        fh.write(json.dumps({"id": "<script>alert(1)</script>", "text": seed}) + "\n")
        fh.write(json.dumps({"id": "bad", "text": 5}) + "\n")
    out = tmp_path / "out"
    assert run("batch", docs, "-o", out, "-j", "1", "-q").exit_code == 1
    result = run("review", out)
    assert result.exit_code == 0, result.output
    index = (out / "review" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index
    rows = data_of(index)["documents"]
    scores = [r["spin_score"] for r in rows if r["spin_score"] is not None]
    assert scores == sorted(scores, reverse=True) and len(scores) == 2
    assert rows[0]["id"] == "<script>alert(1)</script>" and rows[-1]["id"] == "bad" and rows[-1]["error"]
    for row in rows[:2]:
        assert row["page"].startswith("./")
        page = out / "review" / unquote(row["page"][2:])
        assert page.is_file(), row["page"]
        data = data_of(page.read_text(encoding="utf-8"))
        assert (page.parent / data["index"]).resolve() == (out / "review" / "index.html").resolve()
    page = next(p for p in (out / "review").rglob("*.html") if p.name != "index.html" and "clean" not in p.name)
    data = data_of(page.read_text(encoding="utf-8"))
    assert data["text"] == seed and len(data["changes"]) > 10


def test_show_prints_a_literal_table(tmp_path):
    log = tmp_path / "x.jsonl"
    log.write_text(dumps([
        Change("c0001", 0, 6, "stated", "said", ["dictionary", "model"], 0.93, "applied", [], "t.tsv:1"),
        Change("c0002", 10, 25, "[bold]x[/bold]", "\x1b[31mred", ["reference"], 0.31, "proposed", [], "reference:r"),
    ]))
    result = CliRunner().invoke(main, ["show", str(log)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    for needle in ("c0001", "stated", "said", "dictionary+model", "0.93", "applied", "c0002", "[bold]x[/bold]",
                   "proposed", "0.31", "t.tsv:1", "2 change(s), 1 applied, 1 proposed, 0 rejected"):
        assert needle in out, needle
    assert "\x1b[31m" not in out and "\\x1b" in out
    result = CliRunner().invoke(main, ["show", str(log), "--status", "proposed"], env={"COLUMNS": "160"})
    assert "c0002" in result.output and "c0001" not in result.output
