"""Uploads that act by themselves or reach elsewhere (issue 10): PDF actions, DOCX/ODT links and OLE.

The samples are minimal handmade files under ``tests/data/uploads`` written by its
``make_samples.py``; ``refused_*`` files must be refused with the named code, ``accepted_*``
files are the controls that stay accepted (a link the reader clicks, a chart, a jump within
the document). No database needed.
"""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from foerderportal.files import DOCX, ODT, PDF, UploadRejected, check_upload
from foerderportal.files.pdf import (
    PDF_FORBIDDEN_NAMES,
    PDF_REMOTE_ACTION_NAMES,
    _pdf_parsed_remote_actions,
    _pdf_raw_names,
)
from tests.data.uploads import make_samples

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "uploads"

REMOTE_PDF = "pdf_remote_action"
ACTIVE_PDF = "pdf_active_content"
EXTERNAL = "external_content"
OLE = "embedded_objects"

REFUSED = {
    # PDF: run without a click
    "refused_pdf_openaction_uri.pdf": REMOTE_PDF,
    "refused_pdf_openaction_goto_next_uri.pdf": REMOTE_PDF,
    "refused_pdf_document_aa_uri.pdf": REMOTE_PDF,
    "refused_pdf_page_aa_uri.pdf": REMOTE_PDF,
    "refused_pdf_link_aa_uri_on_hover.pdf": REMOTE_PDF,
    "refused_pdf_openaction_uri_in_object_stream.pdf": REMOTE_PDF,
    # PDF: other files, even when clicked
    "refused_pdf_link_gotor.pdf": REMOTE_PDF,
    "refused_pdf_link_gotor_url.pdf": REMOTE_PDF,
    "refused_pdf_link_gotoe.pdf": REMOTE_PDF,
    "refused_pdf_link_gotoe_in_object_stream.pdf": REMOTE_PDF,
    "refused_pdf_gotor_in_name_tree.pdf": REMOTE_PDF,
    "refused_pdf_link_launch.pdf": ACTIVE_PDF,
    "refused_pdf_link_submitform.pdf": ACTIVE_PDF,
    "refused_pdf_link_importdata.pdf": ACTIVE_PDF,
    # PDF: clicked links to something other than a web page or an e-mail address
    "refused_pdf_link_file_uri.pdf": REMOTE_PDF,
    "refused_pdf_link_unc_path.pdf": REMOTE_PDF,
    "refused_pdf_link_javascript_uri.pdf": REMOTE_PDF,
    # DOCX
    "refused_docx_attached_template_external.docx": EXTERNAL,
    "refused_docx_ole_object_external.docx": EXTERNAL,
    "refused_docx_ole_object_embedded.docx": OLE,
    "refused_docx_ole_part_without_relationship.docx": OLE,
    "refused_docx_subdocument_external.docx": EXTERNAL,
    "refused_docx_frame_external.docx": EXTERNAL,
    "refused_docx_altchunk.docx": EXTERNAL,
    "refused_docx_linked_image_external.docx": EXTERNAL,
    "refused_docx_hyperlink_to_share.docx": EXTERNAL,
    "refused_docx_relationships_with_dtd.docx": "damaged_archive",
    # ODT
    "refused_odt_ole_object.odt": OLE,
    "refused_odt_linked_section.odt": EXTERNAL,
    "refused_odt_linked_object.odt": EXTERNAL,
    "refused_odt_linked_image.odt": EXTERNAL,
    "refused_odt_floating_frame.odt": EXTERNAL,
    "refused_odt_script_event.odt": EXTERNAL,
    "refused_odt_linked_template.odt": EXTERNAL,
}

ACCEPTED = {
    "accepted_pdf_link_https.pdf": PDF,
    "accepted_pdf_openaction_destination.pdf": PDF,
    "accepted_pdf_openaction_goto.pdf": PDF,
    "accepted_docx_hyperlink.docx": DOCX,
    "accepted_docx_chart_workbook.docx": DOCX,
    "accepted_odt_hyperlink.odt": ODT,
    "accepted_odt_chart_object.odt": ODT,
}

MESSAGE_PARTS = {
    REMOTE_PDF: ("von selbst ausgeführt", "Gewöhnliche Links auf Webseiten (http, https)"),
    ACTIVE_PDF: ("aktive Inhalte",),
    EXTERNAL: ("externen Adressen", "Dokumentvorlage", "als PDF hoch", "Gewöhnliche Links auf Webseiten"),
    OLE: ("eingebettete Objekte (OLE", "als PDF hoch"),
    "damaged_archive": ("beschädigt",),
}


def _sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def _check(name: str):
    return check_upload(SimpleUploadedFile(name, _sample(name), content_type="application/octet-stream"))


def test_committed_samples_are_what_the_script_writes():
    built = make_samples.build()
    on_disk = {path.name for path in SAMPLES_DIR.iterdir() if path.suffix != ".py" and path.is_file()}
    assert on_disk == set(built) == set(REFUSED) | set(ACCEPTED)
    for name, data in built.items():
        assert _sample(name) == data, f"{name} differs from make_samples.py; run the script and commit"


@pytest.mark.parametrize(("name", "code"), REFUSED.items(), ids=REFUSED.keys())
def test_refused_shape(name, code):
    with pytest.raises(UploadRejected) as info:
        _check(name)
    assert info.value.code == code
    for part in MESSAGE_PARTS[code]:
        assert part in info.value.messages[0]


@pytest.mark.parametrize(("name", "content_type"), ACCEPTED.items(), ids=ACCEPTED.keys())
def test_accepted_control(name, content_type):
    assert _check(name).content_type == content_type


@pytest.mark.parametrize("name", [name for name, code in REFUSED.items() if code == REMOTE_PDF])
def test_object_walk_finds_every_remote_pdf_action_on_its_own(name):
    # The byte scan catches /GoToR and /GoToE first; the walk must not depend on it.
    content = _sample(name)
    assert _pdf_parsed_remote_actions(PdfReader(io.BytesIO(content)), content)


@pytest.mark.parametrize(
    "name", ["refused_pdf_openaction_uri_in_object_stream.pdf", "refused_pdf_link_gotoe_in_object_stream.pdf"]
)
def test_actions_in_compressed_object_streams_are_invisible_to_the_byte_scan(name):
    raw = _pdf_raw_names(_sample(name))
    assert not raw & (PDF_FORBIDDEN_NAMES | PDF_REMOTE_ACTION_NAMES)
    assert "/URI" not in raw


def test_the_new_messages_are_distinct_german_and_name_a_way_out():
    messages = {}
    for name, code in REFUSED.items():
        with pytest.raises(UploadRejected) as info:
            _check(name)
        messages.setdefault(code, set()).update(info.value.messages)
    assert all(len(texts) == 1 for texts in messages.values()), messages
    texts = {code: next(iter(found)) for code, found in messages.items()}
    assert len(set(texts.values())) == len(texts)
    for code in (REMOTE_PDF, ACTIVE_PDF, EXTERNAL, OLE):
        assert "aus Sicherheitsgründen abgelehnt" in texts[code]
