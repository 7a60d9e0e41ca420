import pytest

from bot.citations import CitationFilter, cited_numbers


def _run(deltas: list[str], count: int) -> tuple[str, CitationFilter]:
    f = CitationFilter(count)
    out = "".join(f.feed(d) for d in deltas) + f.flush()
    return out, f


def test_valid_markers_pass_and_are_recorded() -> None:
    out, f = _run(["Refunds take 30 days [", "2", "]. Cards ", "[1][2]."], count=3)
    assert out == "Refunds take 30 days [2]. Cards [1][2]."
    assert f.cited == [2, 1]
    assert f.dropped == 0


@pytest.mark.parametrize("marker", ["[0]", "[4]", "[17]"])
def test_markers_outside_the_given_passages_are_dropped(marker: str) -> None:
    out, f = _run(["It is so ", marker[:2], marker[2:], "."], count=3)
    assert out == "It is so ."
    assert f.cited == []
    assert f.dropped == 1


def test_brackets_that_are_not_markers_are_kept() -> None:
    out, _ = _run(["Use list[int] or [x", " for x]; an unfinished [1"], count=3)
    assert out == "Use list[int] or [x for x]; an unfinished [1"


def test_cited_numbers_in_order_of_first_use() -> None:
    assert cited_numbers("a [3] b [1] c [3]") == [3, 1]
