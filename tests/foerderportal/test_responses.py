"""The download headers every file response shares (foerderportal.files.responses)."""

import pytest
from django.http import Http404

from foerderportal.files import bytes_response, file_response


def test_a_download_is_sandboxed_unsniffed_and_not_cached():
    response = bytes_response(b"x", filename="liste.csv", content_type="text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="liste.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_an_inline_pdf_is_not_sandboxed_so_the_browser_can_show_it():
    response = bytes_response(b"%PDF-", filename="Vorschau.pdf", content_type="application/pdf", as_attachment=False)
    assert response["Content-Disposition"] == 'inline; filename="Vorschau.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("Beschluss Gemeinderat.pdf", 'attachment; filename="Beschluss Gemeinderat.pdf"'),
        ("Bürgerhaus.pdf", "attachment; filename*=utf-8''B%C3%BCrgerhaus.pdf"),
        ('../../etc/pa"ss\r\nwd.pdf', 'attachment; filename="pa\\"sswd.pdf"'),
        ("", 'attachment; filename="download"'),
    ],
)
def test_the_file_name_is_sanitised(name, header):
    assert bytes_response(b"x", filename=name, content_type="application/pdf")["Content-Disposition"] == header


class _EmptyStorage:
    def open(self, name, mode="rb"):
        raise FileNotFoundError(name)


class _MissingFile:
    """A field file whose storage no longer has the file."""

    name = "attachments/verschwunden.pdf"
    storage = _EmptyStorage()

    def __bool__(self):
        return True


@pytest.mark.parametrize("fieldfile", [None, _MissingFile()])
def test_no_file_or_a_missing_one_answers_404(fieldfile):
    with pytest.raises(Http404):
        file_response(fieldfile, filename="a.pdf", content_type="application/pdf")
