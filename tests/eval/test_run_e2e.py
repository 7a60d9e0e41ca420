"""`groundline eval run / compare / calibrate / from-feedback` as a user runs them, on the smoke
dataset with the real 0.5B model, embedder and Qdrant local mode (this is CI's smoke evaluation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.feedback import FeedbackStore
from tests.conftest import REPO, SAMPLES
from tests.test_cli_e2e import _env, groundline

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SMOKE = REPO / "eval" / "smoke.jsonl"
UNANSWERABLE = REPO / "eval" / "smoke-unanswerable.jsonl"


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Path:
    tmp = tmp_path_factory.mktemp("eval")
    out = tmp / "run"
    args = ["eval", "run", "--dataset", str(SMOKE), "--dataset", str(UNANSWERABLE)]
    args += ["--docs", str(SAMPLES), "--out", str(out), "--limit", "3", "--judge", "--json"]
    result = groundline(_env(tmp, model_dir), *args, timeout=900)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads((out / "report.json").read_text())
    return out


def test_smoke_run_writes_rows_and_a_report_with_the_stable_keys(smoke_run: Path) -> None:
    rows = [json.loads(line) for line in (smoke_run / "results.jsonl").read_text().splitlines()]
    assert [(r["dataset"], r["id"]) for r in rows] == [
        ("smoke", "q01"),
        ("smoke", "q02"),
        ("smoke", "f01"),
        ("smoke-unanswerable", "u01"),
        ("smoke-unanswerable", "u02"),
        ("smoke-unanswerable", "u03"),
    ]
    report = json.loads((smoke_run / "report.json").read_text())
    assert set(report["datasets"]) == {"smoke", "smoke-unanswerable"}
    for scope in [*report["datasets"].values(), report["overall"]]:
        assert set(scope) == {"n", "retrieval", "answers", "cost"}
        assert {"evidence_hit@1", "evidence_hit@10", "mrr@10", "ndcg@10", "source_hit@5"} <= set(
            scope["retrieval"]
        )
        assert {"abstention_f1", "citation_validity", "groundedness", "rouge_l"} <= set(
            scope["answers"]
        )
        assert {"first_token_ms_p95", "prompt_tokens_mean"} <= set(scope["cost"])
    # Not applicable is null, never 0.
    unanswerable = report["datasets"]["smoke-unanswerable"]
    assert unanswerable["retrieval"]["evidence_hit@5"] is None
    assert unanswerable["answers"]["false_abstention_rate_answerable"] is None
    assert report["datasets"]["smoke"]["answers"]["abstention_rate_unanswerable"] is None
    # The small help centre's answerable questions are found (their evidence is verbatim).
    assert report["datasets"]["smoke"]["retrieval"]["evidence_hit@10"] == 1.0
    assert report["overall"]["n"] == 6
    assert report["config"]["chunks"] > 0
    assert report["config"]["settings"]["collection"] == "eval"
    answered = [r for r in rows if r["generated"] and not r["abstained"]]
    assert report["judge"]["overall"]["n"] == len(answered)
    for row in answered:
        assert set(row["judge"]) == {"faithfulness", "correctness", "error"}
    html = (smoke_run / "report.html").read_text()
    assert "smoke-unanswerable" in html
    assert "<svg" in html


def test_compare_gates_on_a_drop(smoke_run: Path, tmp_path: Path, model_dir: Path) -> None:
    env = _env(tmp_path, model_dir)
    base = smoke_run / "report.json"
    same = groundline(env, "eval", "compare", str(base), str(base))
    assert same.returncode == 0, same.stderr
    # Each report has its results.jsonl beside it: no question changed.
    assert "0 of 6 questions changed" in " ".join(same.stdout.split())
    # A run's folder, as `eval run --out` wrote it, stands for its report.json.
    folder = groundline(env, "eval", "compare", str(smoke_run), str(base))
    assert folder.returncode == 0, folder.stderr
    assert "0 of 6 questions changed" in " ".join(folder.stdout.split())
    worse = json.loads(base.read_text())
    worse["overall"]["retrieval"]["evidence_hit@5"] = (
        worse["overall"]["retrieval"]["evidence_hit@5"] or 0
    ) - 0.05
    worse_path = tmp_path / "worse.json"
    worse_path.write_text(json.dumps(worse))
    dropped = groundline(env, "eval", "compare", str(base), str(worse_path), "--max-drop", "0.02")
    assert dropped.returncode == 1
    assert "evidence_hit@5" in dropped.stdout
    other = tmp_path / "other.json"
    other.write_text('{"datasets": {}}')
    for not_a_report in (smoke_run / "results.jsonl", other):
        refused = groundline(env, "eval", "compare", str(base), str(not_a_report))
        assert refused.returncode == 2
        assert "not a report.json" in " ".join(refused.stderr.split())
        assert "Traceback" not in refused.stderr
    # A folder that holds no run: named, not a traceback.
    refused = groundline(env, "eval", "compare", str(base), str(tmp_path))
    assert refused.returncode == 2
    assert "report.json" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_calibrate_reads_the_runs_own_rates_and_prints_settings(
    smoke_run: Path, tmp_path: Path, model_dir: Path
) -> None:
    env = _env(tmp_path, model_dir)
    result = groundline(env, "eval", "calibrate", str(smoke_run), "--max-false", "0.5")
    assert result.returncode == 0, result.stderr
    answers = json.loads((smoke_run / "report.json").read_text())["overall"]["answers"]
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "this run" in line)
    assert header.index("this run") < header.index("your settings") < header.index("chosen")

    def this_run(label: str) -> str:  # the first figure of the row, in the "this run" column
        row = next(line for line in lines if label in line)
        return row.split("│")[2].strip()

    # Replaying the rows at the run's own thresholds gives the run's measured rates.
    assert this_run("abstains on unanswerable") == f"{answers['abstention_rate_unanswerable']:.3f}"
    assert (
        this_run("abstains on answerable") == f"{answers['false_abstention_rate_answerable']:.3f}"
    )
    assert "GROUNDLINE_RETRIEVAL__MIN_SCORE=" in result.stdout
    assert "GROUNDLINE_ANSWERS__DONT_KNOW_PROBABILITY=" in result.stdout
    not_a_run = groundline(env, "eval", "calibrate", str(tmp_path))
    assert not_a_run.returncode == 2
    assert "report.json" in not_a_run.stderr
    assert "Traceback" not in not_a_run.stderr


def test_bad_dataset_is_a_clear_usage_error(tmp_path: Path, model_dir: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "ok?"}\n{"question": "no id"}\n')
    args = ["eval", "run", "--dataset", str(bad), "--docs", str(SAMPLES), "--out", str(tmp_path)]
    result = groundline(_env(tmp_path, model_dir), *args)
    assert result.returncode == 2
    assert "bad.jsonl:2" in result.stderr
    assert "Traceback" not in result.stderr


def test_thumbs_down_conversations_become_dataset_rows(tmp_path: Path, model_dir: Path) -> None:
    env = _env(tmp_path, model_dir)
    store = FeedbackStore(Path(env["GROUNDLINE_DATA_DIR"]) / "feedback.jsonl")
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    store.add(1, "Refund window?", "30 days [1].", [], ["billing-and-refunds.md"])
    store.add(-1, "And for Payroll?", "I don't know.", history, [])
    out = tmp_path / "review.jsonl"
    result = groundline(env, "eval", "from-feedback", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1
    assert rows[0]["question"] == "And for Payroll?"
    assert rows[0]["history"] == history
    assert rows[0]["bot_answer"] == "I don't know."
