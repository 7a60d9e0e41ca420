import pytest

from bot.citations import CitationFilter, cited_numbers


def _run(deltas: list[str], count: int) -> tuple[str, CitationFilter]:
    f = CitationFilter(count)
    out = "".join(f.feed(d) for d in deltas) + f.flush()
    return out, f


def test_valid_markers_pass() -> None:
    out, f = _run(["Refunds take 30 days [", "2", "]. Cards ", "[1][2]."], count=3)
    assert out == "Refunds take 30 days [2]. Cards [1][2]."
    assert f.dropped == 0


@pytest.mark.parametrize("marker", ["[0]", "[4]", "[17]"])
def test_markers_outside_the_given_passages_are_dropped(marker: str) -> None:
    out, f = _run(["It is so ", marker[:2], marker[2:], "."], count=3)
    assert out == "It is so ."
    assert f.dropped == 1


def test_brackets_that_are_not_markers_are_kept() -> None:
    out, _ = _run(["Use list[int] or [x", " for x]; an unfinished [1"], count=3)
    assert out == "Use list[int] or [x for x]; an unfinished [1"


def test_cited_numbers_in_order_of_first_use() -> None:
    assert cited_numbers("a [3] b [1] c [3]") == [3, 1]


CODE = "Use `sys.argv[1]` [2], or:\n```python\ny = [10]\nprint(y[1])\n```\nas in [9] and [1]."


@pytest.mark.parametrize("size", [1, 3, len(CODE)])
def test_brackets_in_code_are_code_not_markers(size: int) -> None:
    out, f = _run([CODE[i : i + size] for i in range(0, len(CODE), size)], count=3)
    # The list and the indexes reach the user whole; only the prose's markers are checked.
    assert out == CODE.replace(" [9]", " ")
    assert cited_numbers(out) == [2, 1]
    assert f.dropped == 1
    assert cited_numbers(CODE) == [2, 9, 1]


def test_a_marker_after_a_closing_fence_or_an_unclosed_backtick_is_a_marker() -> None:
    assert cited_numbers("```\nx\n```[1]\nthe `x` key [2], a ` tick\nand [3]") == [1, 2, 3]
