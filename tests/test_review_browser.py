"""The review page in a real headless browser (Debian's chromium, driven by Playwright).

Skipped only when /usr/bin/chromium is absent (.ci/run installs it); Playwright
comes with the test extras (pip), and its own browser download is never used.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from repair.changelog import apply_changes, parse
from repair.cli import main

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0a87bb4e7ef8a0af.txt"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # a test dependency: missing is a failure, not a skip

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    pg.errors, pg.dialogs, pg.requests = [], [], []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def export(page, path: Path) -> Path:
    with page.expect_download() as info:
        page.click("#export")
    info.value.save_as(path)
    return path


def test_reject_one_change_export_and_replay(page, tmp_path):
    out, log, report = tmp_path / "fixed.txt", tmp_path / "fixed.txt.changes.jsonl", tmp_path / "report.html"
    run("fix", SEED, "-o", out, "--log", log)
    run("review", log, "--input", SEED, "-o", report)
    changes = parse(log.read_text(encoding="utf-8"))
    target = [c for c in changes if c.status == "applied" and "cleanup" not in c.sources][1]

    page.goto(report.as_uri())
    assert page.locator("#changes .card").count() == len(changes)
    assert page.locator("#original").inner_text().replace("\n", "") == SEED.read_text(encoding="utf-8").replace("\n", "")
    page.locator(f'.card[data-change="{target.id}"] button.reject').click()
    # The repaired pane shows the kept words at once.
    assert page.locator(f'#repaired mark[data-change="{target.id}"]').inner_text() == target.before
    exported = export(page, tmp_path / "reviewed.jsonl")
    with page.expect_download() as info:
        page.click("#download-text")
    info.value.save_as(tmp_path / "text.txt")

    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [c.id for c in changes]
    for r, c in zip(records, changes):
        assert r["status"] == ("rejected" if c.id == target.id else c.status)
        assert (r["start"], r["end"], r["before"], r["after"], r["rule"]) == (c.start, c.end, c.before, c.after, c.rule)

    replayed = CliRunner().invoke(main, ["apply", str(SEED), str(exported)], catch_exceptions=False)
    assert replayed.exit_code == 0, replayed.output
    original = SEED.read_text(encoding="utf-8")
    repaired = out.read_text(encoding="utf-8")
    # Equal to the original repair except the rejected span, which keeps the input's words.
    shift = sum(len(c.after) - (c.end - c.start) for c in changes if c.status == "applied" and c.end <= target.start)
    at = target.start + shift
    assert repaired[at:at + len(target.after)] == target.after
    assert replayed.stdout == repaired[:at] + target.before + repaired[at + len(target.after):]
    assert replayed.stdout == apply_changes(original, parse(exported.read_text(encoding="utf-8")))
    assert (tmp_path / "text.txt").read_text(encoding="utf-8") == replayed.stdout  # the page's own replay agrees
    # Decisions survive a reload of the page (kept in the browser for exactly this log).
    page.reload()
    assert page.locator(f'.card[data-change="{target.id}"] .badge').inner_text().startswith("rejected")
    assert "1 decisions restored" in page.locator("#counts").inner_text()
    assert not page.errors and all(u.startswith(("file:", "blob:", "data:")) for u in page.requests)


def test_reject_a_whole_rule_and_filter(page, tmp_path):
    d = tmp_path / "t.tsv"
    d.write_text("stated\tsaid\t0.9\t\ttest\nyoungsters\tchildren\t0.9\t\ttest\nadditionally\talso\t0.3\t\ttest\n")
    art = tmp_path / "a.txt"
    art.write_text("Officials stated it. Parents stated that youngsters were safe.\n\n"
                   "The officers additionally stated that talks were ready.\n\n"
                   "A youngsters league began.\n")  # a change the model does not back: dictionary only
    out, log = tmp_path / "a.out.txt", tmp_path / "a.out.txt.changes.jsonl"
    run("fix", art, "--no-dictionary", "-d", d, "-o", out, "--log", log)
    run("review", log, "-o", tmp_path / "r.html")  # input rebuilt from a.out.txt
    changes = parse(log.read_text())
    stated = [c for c in changes if c.before == "stated"]
    assert len(stated) == 3

    page.goto((tmp_path / "r.html").as_uri())
    page.locator(f'.card[data-change="{stated[0].id}"] button.reject-rule').click()
    cards = page.locator("#changes .card")
    assert cards.count() == len(changes)
    # Confidence filter: only the changes at or above it stay listed.
    threshold = sorted(c.confidence for c in changes)[len(changes) // 2]
    threshold = int(threshold * 100) / 100
    page.eval_on_selector("#min-confidence", f"e => {{ e.value = '{threshold}'; e.dispatchEvent(new Event('input')); }}")
    assert cards.count() == sum(c.confidence >= threshold for c in changes)
    page.eval_on_selector("#min-confidence", "e => { e.value = '1'; e.dispatchEvent(new Event('input')); }")
    assert cards.count() == sum(c.confidence >= 1 for c in changes) < len(changes)
    page.eval_on_selector("#min-confidence", "e => { e.value = '0'; e.dispatchEvent(new Event('input')); }")
    # Source filter: a change is listed while one of its sources is ticked.
    page.uncheck('input[data-source="dictionary"]')
    assert cards.count() == sum(any(s != "dictionary" for s in c.sources) for c in changes) < len(changes)
    page.uncheck('input[data-source="model"]')
    assert cards.count() == 0
    page.check('input[data-source="dictionary"]')
    page.check('input[data-source="model"]')
    exported = export(page, tmp_path / "rev.jsonl")
    status = {json.loads(l)["id"]: json.loads(l)["status"] for l in exported.read_text().splitlines()}
    assert {status[c.id] for c in stated} == {"rejected"}
    assert all(status[c.id] == c.status for c in changes if c.before != "stated")
    replayed = CliRunner().invoke(main, ["apply", str(art), str(exported)])
    assert replayed.exit_code == 0 and replayed.stdout.count("stated") == 3 and "children" in replayed.stdout
    assert not page.errors


def test_hostile_article_stays_text(page, tmp_path):
    hostile = ('Officials stated </script><script>window.__pwned=1;alert(1)</script> the safety ensures.\n'
               'Parents stated </textarea><img src=x onerror="window.__pwned=2;alert(2)"> that youngsters...\n'
               '<a id="evil" href="javascript:alert(3)">x</a> "><svg onload=alert(4)> stated youngsters.\n')
    art = tmp_path / "h.txt"
    art.write_text(hostile)
    d = tmp_path / "t.tsv"
    d.write_text("stated\tsaid\t0.9\t\t<b onmouseover=alert(5)>test</b>\n"
                 "safety ensures\tsecurity guarantees\t0.95\t\ttest\nyoungsters\tchildren\t0.9\t\ttest\n")
    log = tmp_path / "h.jsonl"
    run("fix", art, "--no-dictionary", "-d", d, "--min-confidence", "0", "--log", log, "-o", tmp_path / "h.out")
    assert len(parse(log.read_text())) >= 3
    run("review", log, "--input", art, "-o", tmp_path / "h.html")
    page.goto((tmp_path / "h.html").as_uri())
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert not page.dialogs and not page.errors
    assert page.locator("img, svg, #evil, textarea").count() == 0
    assert page.locator("#original").inner_text().replace("\n", "") == hostile.replace("\n", "")
    assert "<b onmouseover=alert(5)>test</b>" in page.locator("#changes").inner_text()
    page.locator("#changes .card button.reject").first.click()
    page.locator("#original mark").first.click()
    assert page.evaluate("window.__pwned") is None and not page.dialogs


def test_batch_index_links_to_document_pages(page, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "spun.txt").write_bytes(SEED.read_bytes())
    (src / "clean.txt").write_text("A short clean note about the weather.\n")
    out = tmp_path / "out"
    CliRunner().invoke(main, ["batch", str(src), "-o", str(out), "-j", "1", "-q"], catch_exceptions=False)
    run("review", out)
    page.goto((out / "review" / "index.html").as_uri())
    links = page.locator("table a")
    assert links.count() == 2 and links.first.inner_text() == "spun.txt"  # most spun first
    links.first.click()
    page.wait_for_selector("#changes .card")
    assert page.locator("#changes .card").count() > 10
    assert not page.errors
