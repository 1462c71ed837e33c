import io

import pytest
from pypdf import PdfReader

from reviews.services import award_application

# academy, two_place_round and application (in review) come from tests/conftest.py.


def pdf_text(data: bytes) -> str:
    """All pages' text with whitespace collapsed (line breaks fall anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def letter_bytes(letter) -> bytes:
    with letter.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def award(application, academy):
    """A released award decision (the round has no four-eyes rule); its task has not run."""
    return award_application(application=application, by=academy)
