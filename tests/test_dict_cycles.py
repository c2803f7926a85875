"""Dictionary cycles (a -> b and b -> a): allowed, never loop, and reported by `repair dict check`."""
from click.testing import CliRunner

from repair import PhraseDictionary, RepairConfig, repair_text
from repair.cli import main
from repair.dictionary import parse_text

CYCLE = "spun\toriginal\tconfidence\tcontext\tsource\nsafety\tsecurity\t0.99\t\tt\nsecurity\tsafety\t0.99\t\tt\n"


def test_a_cycle_changes_each_span_at_most_once_per_run():
    d = PhraseDictionary(parse_text(CYCLE, "cycle.tsv"))
    text = "The safety rules and the security rules. " * 20
    result = repair_text(text, dictionary=d, config=RepairConfig(min_confidence=0.0, min_proposal=0.0, min_document_score=0.0))
    spans = [(c.start, c.end) for c in result.applied]
    assert len(spans) == len(set(spans))
    assert result.text.count("security rules") == 20 and result.text.count("safety rules") == 20


def test_dict_check_warns_about_cycles_and_passes(tmp_path):
    path = tmp_path / "cycle.tsv"
    path.write_text(CYCLE, encoding="utf-8")
    result = CliRunner().invoke(main, ["dict", "check", str(path)])
    assert result.exit_code == 0
    assert "cycle" in result.output and f"{path}:2" in result.output and f"{path}:3" in result.output
