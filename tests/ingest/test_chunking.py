from collections.abc import Callable

import pytest
from llama_index.core.schema import MetadataMode

from groundline.settings import Settings
from groundline.wiring import build_tokenizer
from ingest.chunking import Chunker
from ingest.loaders import LoadedDocument, Section

pytestmark = pytest.mark.slow

Fixture = tuple[Chunker, Callable[[str], list[int]]]


@pytest.fixture(scope="module")
def chunker_and_count() -> Fixture:
    settings = Settings()
    tokenizer = build_tokenizer(settings)

    def encode(text: str) -> list[int]:
        return list(tokenizer.encode(text, add_special_tokens=False, verbose=False))

    return Chunker(encode, settings.ingest.chunk_tokens, settings.ingest.chunk_overlap), encode


def _long_document() -> LoadedDocument:
    paragraph = (
        "Tallybook reconciles bank feeds nightly, matching each transaction to an invoice, "
        "a bill or an expense claim by amount, date and reference. "
    )
    return LoadedDocument(
        "A rather long help article title",
        [
            Section(paragraph * 60, heading="Banking › Reconciliation › Automatic matching"),
            Section("Short section.", heading="Banking › Notes"),
        ],
    )


def test_every_chunk_fits_the_embedders_window_with_its_prefix(chunker_and_count: Fixture) -> None:
    chunker, encode = chunker_and_count
    nodes = chunker.chunk(_long_document(), "doc.md", "/x/doc.md", "h1")
    assert len(nodes) > 5
    for node in nodes:
        embedded = node.get_content(metadata_mode=MetadataMode.EMBED)
        assert embedded.startswith("A rather long help article title › Banking › ")
        assert len(encode(embedded)) + 2 <= 256  # + [CLS] and [SEP]


def test_chunks_carry_title_section_and_source(chunker_and_count: Fixture) -> None:
    chunker, _ = chunker_and_count
    nodes = chunker.chunk(_long_document(), "doc.md", "/x/doc.md", "h1")
    last = nodes[-1]
    assert last.metadata["title"] == "A rather long help article title"
    assert last.metadata["section"] == "Banking › Notes"
    assert last.metadata["source"] == "/x/doc.md"
    assert last.ref_doc_id == "doc.md"
    assert last.get_content(metadata_mode=MetadataMode.LLM) == "Short section."


def test_chunk_ids_are_deterministic_and_depend_on_content(chunker_and_count: Fixture) -> None:
    chunker, _ = chunker_and_count
    first = [n.node_id for n in chunker.chunk(_long_document(), "doc.md", "/x", "h1")]
    again = [n.node_id for n in chunker.chunk(_long_document(), "doc.md", "/x", "h1")]
    changed = [n.node_id for n in chunker.chunk(_long_document(), "doc.md", "/x", "h2")]
    assert first == again
    assert len(set(first)) == len(first)
    assert not set(first) & set(changed)


@pytest.mark.parametrize(
    ("fence", "inner"),
    [
        ("```", ""),
        # A README showing Markdown: backticks inside a ~~~ block are its code, not its fence.
        ("~~~", "```\n"),
    ],
)
def test_a_chunk_cut_inside_a_block_of_code_closes_it_and_the_next_opens_it(
    chunker_and_count: Fixture, fence: str, inner: str
) -> None:
    chunker, _ = chunker_and_count
    code = "".join(f"    total_{i} = compute_the_total(invoice_{i}, rate={i})\n" for i in range(60))
    text = f"Run this:\n{fence}\n{inner}{code}{inner}{fence}\nThen save. " + "Saved nightly. " * 10
    nodes = chunker.chunk(LoadedDocument("T", [Section(text)]), "d.md", "/d.md", "h")
    texts = [n.get_content() for n in nodes]
    assert len(texts) > 2
    assert texts[0].startswith(f"Run this:\n{fence}\n")
    assert texts[0].endswith(f"\n{fence}")
    for text in texts[1:-1]:  # cut inside the block: code from start to end, with its own fence
        assert text.startswith(f"{fence}\n")
        assert text.endswith(f"\n{fence}")
    assert texts[-1].endswith("Saved nightly.")
    for text in texts:
        lines = text.split("\n")
        assert sum(line == fence for line in lines) % 2 == 0, text
        # Every line of the code (the splitter may cut one), and only those, is inside a block.
        inside = False
        for line in lines:
            if line == fence:
                inside = not inside
            else:
                assert inside == ("total" in line or "rate=" in line or line == "```"), line
