"""Choosing abstention thresholds from a run's rows, on hand-made rows whose outcome at each
threshold is worked out in the comments."""

from __future__ import annotations

from typing import Any

import pytest

from eval.calibrate import Thresholds, abstains, calibrate


def _row(
    answerable: bool, closest: float, dont_know: float | None, by: str | None
) -> dict[str, Any]:
    return {
        "generated": True,
        "answerable": answerable,
        "closest": closest,
        "dont_know": dont_know,
        "abstained": by is not None,
        "abstained_by": by,
    }


# A run that asked the model about every question past min_score (1.01: never took its
# "I don't know"), so any probability threshold can be judged from it.
SWEEP = Thresholds(0.35, 1.01)
DEFAULTS = Thresholds(0.35, 0.46)  # in use: preferred when other thresholds do no better
ROWS = [
    _row(True, 0.80, 0.10, None),
    _row(True, 0.70, 0.55, None),  # abstains at a probability threshold up to 0.55
    _row(True, 0.40, 0.20, None),  # abstains at a min_score above 0.40
    _row(True, 0.60, 0.30, "grounding"),  # its answer was refused: abstains at any threshold
    _row(False, 0.30, None, "threshold"),  # never asked: a min_score under 0.31 can't be judged
    _row(False, 0.50, 0.90, None),  # answered: abstains up to 0.90
    _row(False, 0.45, 0.60, None),  # answered: abstains up to 0.60
    _row(False, 0.70, 0.40, "grounding"),
]


def test_at_the_runs_own_thresholds_each_row_is_what_it_was() -> None:
    assert [abstains(r, SWEEP, SWEEP) for r in ROWS] == [r["abstained"] for r in ROWS]


def test_what_the_run_never_generated_is_unknown_not_guessed() -> None:
    run = Thresholds(0.35, 0.46)
    by_probability = _row(True, 0.70, 0.50, "model")  # abstained without generating
    assert abstains(by_probability, run, Thresholds(0.35, 0.40)) is True
    assert abstains(by_probability, run, Thresholds(0.35, 0.60)) is None
    said_so = _row(True, 0.70, 0.20, "model")  # generated "I don't know": that stands
    assert abstains(said_so, run, Thresholds(0.35, 0.60)) is True
    below = _row(False, 0.30, None, "threshold")
    assert abstains(below, run, Thresholds(0.40, 0.46)) is True
    assert abstains(below, run, Thresholds(0.25, 0.46)) is None


def test_a_question_a_passage_holds_every_word_of_passes_any_min_score() -> None:
    run = Thresholds(0.35, 0.46)
    worded = _row(True, 0.30, 0.20, None) | {"worded": True}  # answered under min_score
    assert abstains(worded, run, Thresholds(0.60, 0.46)) is False
    assert abstains(worded, run, Thresholds(0.35, 0.10)) is True  # its "I don't know" still counts


def test_the_fewest_false_abstentions_that_reach_the_target_nearest_those_in_use() -> None:
    result = calibrate(ROWS, SWEEP, target=0.9, max_false=0.3, prefer=DEFAULTS)
    # This run: 2 of 4 unanswerable abstained (threshold, grounding), 1 of 4 answerable.
    assert (result.run.abstention_unanswerable, result.run.false_abstention) == (0.5, 0.25)
    # At 0.46 the second answerable row (0.55) abstains too.
    assert result.preferred is not None
    assert (result.preferred.abstention_unanswerable, result.preferred.false_abstention) == (
        1.0,
        0.5,
    )
    # All four unanswerable abstain once the probability threshold is at most 0.60; above 0.55
    # the second answerable row still answers: 0.56 is the nearest to 0.46. min_score may be
    # 0.31-0.40: 0.35 is in use.
    assert result.chosen.thresholds == Thresholds(0.35, 0.56)
    assert (result.chosen.abstention_unanswerable, result.chosen.false_abstention) == (1.0, 0.25)
    assert result.reaches_target
    assert (result.answerable, result.unanswerable) == (4, 4)


def test_out_of_reach_targets_give_the_best_balance_and_say_so() -> None:
    # The refused answerable row makes false abstention at least 0.25, over the 0.10 allowed.
    result = calibrate(ROWS, SWEEP, target=0.9, max_false=0.1, prefer=SWEEP)
    assert not result.reaches_target
    # 1.0 - 0.25 is the best balance; nearest to 1.01 in its range (0.56-0.60) is 0.60.
    assert result.chosen.thresholds == Thresholds(0.35, 0.6)


def test_thresholds_the_run_cannot_judge_are_never_chosen() -> None:
    run = Thresholds(0.35, 0.46)
    rows = [
        _row(True, 0.70, 0.50, "model"),  # answerable, abstained at 0.46: unknown above 0.50
        _row(True, 0.70, 0.10, None),
        _row(False, 0.60, 0.80, "model"),
    ]
    result = calibrate(rows, run, target=0.9, max_false=0.1, prefer=Thresholds(0.35, 0.9))
    assert result.preferred is None  # 0.9 would answer the first row: unknown
    # Keeping the first row answered would need a threshold over 0.50, which the run can't judge.
    assert result.chosen.thresholds.dont_know_probability <= 0.50
    assert result.chosen.false_abstention == 0.5


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_row(True, 0.7, 0.1, None)], "both answerable and unanswerable"),
        (
            [{**_row(True, 0.7, 0.1, None), "generated": False}, _row(False, 0.5, 0.9, "model")],
            "both answerable and unanswerable",
        ),
        (
            [
                {k: v for k, v in _row(True, 0.7, 0.1, None).items() if k != "closest"},
                _row(False, 0.5, 0.9, "model"),
            ],
            "run the evaluation again",
        ),
    ],
)
def test_rows_that_cannot_calibrate_are_refused(rows: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calibrate(rows, SWEEP, target=0.9, max_false=0.1, prefer=DEFAULTS)
