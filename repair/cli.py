"""The ``repair`` command line: a thin layer over the library.

Exit status: 0 success; 1 the input, a dictionary or a log could not be used
(one-line message on stderr); 2 a usage error.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click

from . import __version__
from .changelog import ChangeLogError, apply_changes, dumps, parse
from .config import RepairConfig
from .dictionary import DictionaryError, PhraseDictionary, shipped_dictionary_paths
from .files import InputError, read_text, write_text_atomic

EXIT_DATA_ERROR = 1


class _Failure(click.ClickException):
    exit_code = EXIT_DATA_ERROR

    def show(self, file=None):
        click.echo(f"repair: error: {self.message}", err=True)


def _fail(message: str) -> None:
    raise _Failure(message)


def _read(path: str) -> str:
    try:
        return read_text(path)
    except InputError as exc:
        _fail(str(exc))


def _same_file(a: str, b: str) -> bool:
    if a == "-" or b == "-":
        return False
    try:
        return os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


def _write(path: str | None, text: str, what: str) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        _fail(f"cannot write {what} {path}: {exc.strerror or exc}")


def _load_dictionary(paths: tuple[str, ...], no_dictionary: bool) -> PhraseDictionary:
    files = ([] if no_dictionary else shipped_dictionary_paths()) + [Path(p) for p in paths]
    try:
        return PhraseDictionary.load(files)
    except DictionaryError as exc:
        _fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spin-repair")
def main() -> None:
    """spin-repair: find and undo machine spinning in articles.

    \b
    repair fix ARTICLE.txt -o REPAIRED.txt --log CHANGES.jsonl
    repair fix ARTICLE.txt --reference CLEANER.txt
    repair apply ARTICLE.txt CHANGES.jsonl -o REPAIRED.txt
    """


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", metavar="OUTPUT", help="Where to write the repaired text (default: stdout).")
@click.option("--log", "log_path", metavar="LOG.jsonl", help="Write the change log (JSON Lines) here.")
@click.option("-r", "--reference", "references", multiple=True, metavar="REF",
              help="A cleaner text on the same story; repeatable.")
@click.option("-d", "--dictionary", "dictionaries", multiple=True, metavar="DICT",
              help="An extra phrase dictionary (TSV); repeatable. Added to the shipped ones.")
@click.option("--no-dictionary", is_flag=True, help="Do not load the shipped dictionaries.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=RepairConfig.min_confidence,
              show_default=True, help="Apply candidates at or above this confidence; log the rest as proposed.")
@click.option("--in-place", is_flag=True, help="Allow OUTPUT to be INPUT; the input is kept as INPUT.bak.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def fix(input_path, output, log_path, references, dictionaries, no_dictionary, min_confidence, in_place, quiet):
    """Repair INPUT (a text file, or - for stdin) and log every change.

    The repaired text goes to OUTPUT (stdout by default), the change log to
    LOG. Cleanup (ftfy) always runs; spin changes need a confident candidate
    from the dictionary, a reference or the context model, and are never made
    inside quotations, names or numbers.
    """
    from .pipeline import repair_text

    if output and _same_file(input_path, output) and not in_place:
        _fail(f"refusing to overwrite the input {input_path}; use --in-place (keeps {input_path}.bak)")
    if log_path and (_same_file(input_path, log_path) or (output and output == log_path)):
        _fail("the change log must not overwrite the input or the output")
    text = _read(input_path)
    refs = [(r, _read(r)) for r in references]
    dictionary = _load_dictionary(dictionaries, no_dictionary)
    config = RepairConfig(min_confidence=min_confidence, use_dictionary=len(dictionary) > 0)
    result = repair_text(text, references=refs, dictionary=dictionary, config=config)
    if output and in_place and _same_file(input_path, output):
        shutil.copy2(input_path, input_path + ".bak")
    if log_path:
        _write(log_path, dumps(result.changes), "the change log")
    _write(output, result.text, "the output")
    if not quiet:
        click.echo(
            f"repair: {len(result.applied)} change(s) applied, {len(result.proposed)} proposed; "
            f"spin score {result.spin_score:.2f}", err=True)


@main.command("apply")
@click.argument("input_path", metavar="INPUT")
@click.argument("log_path", metavar="LOG")
@click.option("-o", "--output", metavar="OUTPUT", help="Where to write the text (default: stdout).")
def apply_cmd(input_path, log_path, output):
    """Replay a (reviewed) change log on INPUT.

    Records with status "applied" are applied; "proposed" and "rejected" are
    not. Each record must match the input at its offsets.
    """
    if output and _same_file(input_path, output):
        _fail(f"refusing to overwrite the input {input_path}")
    text = _read(input_path)
    try:
        changes = parse(_read(log_path), log_path)
        repaired = apply_changes(text, changes)
    except ChangeLogError as exc:
        _fail(str(exc))
    _write(output, repaired, "the output")


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines (one object per input) instead of tables.")
@click.option("-d", "--dictionary", "dictionaries", multiple=True, metavar="DICT", help="An extra dictionary; repeatable.")
@click.option("--no-dictionary", is_flag=True, help="Do not load the shipped dictionaries.")
@click.option("--spans/--no-spans", default=True, show_default=True, help="List the flagged spans.")
def detect(inputs, as_json, dictionaries, no_dictionary, spans):
    """Score how spun each INPUT is and list the flagged spans.

    The spin score is 0..1: below 0.5 (the default --min-document-score of
    fix) a text counts as clean and fix changes nothing in it. Flagged spans
    are the places that look spun, with the likely original; a clean text
    may show a few, which is why the score weighs them against its length.
    Exit status: 0, or 1 if an input could not be read.
    """
    from .pipeline import repair_text

    dictionary = _load_dictionary(dictionaries, no_dictionary)
    config = RepairConfig(use_dictionary=len(dictionary) > 0)
    failed = False
    console = None
    for path in inputs:
        try:
            text = read_text(path)
        except InputError as exc:
            click.echo(f"repair: error: {exc}", err=True)
            failed = True
            continue
        result = repair_text(text, dictionary=dictionary, config=config)
        report = {
            "input": path, "spin_score": round(result.spin_score, 4), "words": result.word_count,
            "spun": result.spin_score >= config.min_document_score,
            "flagged": [{"start": c.start, "end": c.end, "text": c.before, "suggestion": c.after,
                         "signal": c.confidence, "sources": c.sources, "rule": c.rule}
                        for c in result.flagged] if spans else [],
        }
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
            continue
        from rich.console import Console
        from rich.table import Table

        console = console or Console()
        verdict = "spun" if report["spun"] else "clean"
        title = f"{path}: spin score {report['spin_score']:.2f} ({verdict}, {report['words']} words, " \
                f"{len(result.flagged)} flagged)"
        if not spans or not report["flagged"]:
            console.print(title)
            continue
        table = Table(title=title, title_justify="left")
        for col in ("offset", "text", "suggestion", "signal", "source"):
            table.add_column(col)
        for f in report["flagged"]:
            table.add_row(str(f["start"]), f["text"], f["suggestion"], f"{f['signal']:.2f}", ",".join(f["sources"]))
        console.print(table)
    if failed:
        raise SystemExit(EXIT_DATA_ERROR)
