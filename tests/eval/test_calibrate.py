"""Choosing abstention thresholds from a run's rows, on hand-made rows whose outcome at each
threshold is worked out in the comments."""

from __future__ import annotations

from typing import Any

import pytest

from eval.calibrate import Thresholds, abstains, calibrate


def _row(
    answerable: bool,
    closest: float,
    dont_know: float | None,
    by: str | None,
    covered: float | None = None,
) -> dict[str, Any]:
    return {
        "generated": True,
        "answerable": answerable,
        "closest": closest,
        "dont_know": dont_know,
        "covered": covered,
        "abstained": by is not None,
        "abstained_by": by,
    }


RUN = Thresholds(0.35, 0.46)  # the run's, and in use: preferred when others do no better
ROWS = [
    _row(True, 0.80, 0.10, None, 0.9),
    _row(True, 0.70, 0.55, "doubt", 0.4),  # doubted, half uncovered: abstains up to 0.55
    _row(True, 0.40, 0.20, None, 0.8),  # abstains at a min_score above 0.40
    _row(True, 0.60, 0.30, "grounding"),  # its answer was refused: abstains at any threshold
    _row(True, 0.70, 0.80, None, 0.75),  # doubted, but its passages cover the question
    _row(False, 0.30, None, "threshold"),  # never asked: a min_score under 0.31 can't be judged
    _row(False, 0.50, 0.90, "doubt", 0.3),  # abstains up to 0.90
    _row(False, 0.45, 0.60, "doubt", 0.5),  # half is not more than half: abstains up to 0.60
    _row(False, 0.70, 0.40, "grounding"),
]


def test_at_the_runs_own_thresholds_each_row_is_what_it_was() -> None:
    assert [abstains(r, RUN) for r in ROWS] == [r["abstained"] for r in ROWS]


def test_other_thresholds_replay_the_doubt_and_what_the_run_never_asked_is_unknown() -> None:
    doubted = ROWS[1]  # P("I don't know") 0.55, 0.4 of the question covered
    assert abstains(doubted, Thresholds(0.35, 0.55)) is True
    assert abstains(doubted, Thresholds(0.35, 0.56)) is False  # not doubted: shown
    covered = ROWS[4]
    assert abstains(covered, Thresholds(0.35, 0.0)) is False  # doubted at any threshold: shown
    said_so = _row(True, 0.70, 0.20, "model")  # the reply was "I don't know": that stands
    assert abstains(said_so, Thresholds(0.35, 1.01)) is True
    below = ROWS[5]
    assert abstains(below, Thresholds(0.40, 0.46)) is True
    assert abstains(below, Thresholds(0.25, 0.46)) is None


def test_the_fewest_false_abstentions_that_reach_the_target_nearest_those_in_use() -> None:
    result = calibrate(ROWS, RUN, target=0.9, max_false=0.3, prefer=RUN)
    # This run: all 4 unanswerable abstained; 2 of 5 answerable (doubt, grounding).
    assert (result.run.abstention_unanswerable, result.run.false_abstention) == (1.0, 0.4)
    assert result.preferred == result.run
    # All four unanswerable abstain while the probability threshold is at most 0.60; above 0.55
    # the doubted answerable row is shown: 0.56 is the nearest to 0.46. min_score may be
    # 0.31-0.40: 0.35 is in use.
    assert result.chosen.thresholds == Thresholds(0.35, 0.56)
    assert (result.chosen.abstention_unanswerable, result.chosen.false_abstention) == (1.0, 0.2)
    assert result.reaches_target
    assert (result.answerable, result.unanswerable) == (5, 4)


def test_out_of_reach_targets_give_the_best_balance_and_say_so() -> None:
    # The refused answerable row makes false abstention at least 0.2, over the 0.10 allowed.
    result = calibrate(ROWS, RUN, target=0.9, max_false=0.1, prefer=Thresholds(0.35, 1.01))
    assert not result.reaches_target
    # 1.0 - 0.2 is the best balance; nearest to 1.01 in its range (0.56-0.60) is 0.60.
    assert result.chosen.thresholds == Thresholds(0.35, 0.6)


def test_thresholds_the_run_cannot_judge_are_never_chosen() -> None:
    rows = [
        _row(True, 0.30, None, "threshold"),  # answerable, under min_score: unknown below 0.31
        _row(True, 0.70, 0.10, None, 0.9),
        _row(False, 0.60, 0.80, "doubt", 0.2),
    ]
    result = calibrate(rows, RUN, target=0.9, max_false=0.1, prefer=Thresholds(0.2, 0.46))
    assert result.preferred is None  # 0.2 would ask the model about the first row: unknown
    # Answering the first row would need a min_score of 0.30 or less, which the run can't judge.
    assert result.chosen.thresholds.min_score > 0.30
    assert result.chosen.false_abstention == 0.5


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_row(True, 0.7, 0.1, None)], "both answerable and unanswerable"),
        (
            [
                {**_row(True, 0.7, 0.1, None), "generated": False},
                _row(False, 0.5, 0.9, "doubt", 0.2),
            ],
            "both answerable and unanswerable",
        ),
        (
            [
                {k: v for k, v in _row(True, 0.7, 0.1, None).items() if k != "covered"},
                _row(False, 0.5, 0.9, "doubt", 0.2),
            ],
            "run the evaluation again",
        ),
    ],
)
def test_rows_that_cannot_calibrate_are_refused(rows: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calibrate(rows, RUN, target=0.9, max_false=0.1, prefer=RUN)
