"""Tests for foerderportal.files (upload validation). No database needed.

All sample files are generated in code: PDFs via pypdf (or assembled byte by byte where a
specific low-level structure is needed), images via Pillow, DOCX/ODT zipped by hand.
"""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from foerderportal.files import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    CheckedUpload,
    UploadRejected,
    check_upload,
    safe_filename,
)
from foerderportal.files.pdf import _pdf_parsed_forbidden_names, _pdf_raw_forbidden_names
from tests.data.uploads.make_samples import assemble_pdf, pdf_in_object_stream

MIB = 1024 * 1024

MSG_EMPTY = "Die Datei ist leer."
MSG_NOT_ALLOWED = "Dateityp nicht erlaubt. Erlaubt sind PDF, DOCX, ODT, JPEG und PNG."
MSG_PDF_DAMAGED = "Die PDF-Datei ist beschädigt oder kann nicht gelesen werden."


# --------------------------------------------------------------------------- sample builders


def _upload(content: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _rejected(content: bytes, name: str, **kwargs) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        check_upload(_upload(content, name), **kwargs)
    return info.value


def make_pdf(modify=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if modify is not None:
        modify(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
}


def pdf_with_escaped_names() -> bytes:
    """OpenAction JavaScript where every name is #xx-escaped (/J#61vaScript, /J#53)."""
    return assemble_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            **PAGES,
            4: b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        }
    )


def pdf_with_js_in_object_stream() -> bytes:
    """JavaScript action hidden in a Flate-compressed object stream (invisible to a byte scan)."""
    return pdf_in_object_stream(catalog=b"/OpenAction 4 0 R ", packed=b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")


def image_bytes(fmt: str, size=(16, 12)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
CONTENT_TYPES_DOCM = CONTENT_TYPES_DOCX.replace(
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Antrag</w:t></w:r></w:p></w:body></w:document>"
)


def zip_bytes(entries: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes(*, content_types: bytes = CONTENT_TYPES_DOCX, extra: tuple = ()) -> bytes:
    return zip_bytes(
        [("[Content_Types].xml", content_types), ("_rels/.rels", RELS), ("word/document.xml", DOCUMENT_XML), *extra]
    )


def odt_bytes(*, extra: tuple = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            f'manifest:media-type="{ODT}"/></manifest:manifest>',
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2">'
            "<office:body><office:text/></office:body></office:document-content>",
        )
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


# --------------------------------------------------------------------------- accepted files

SAMPLES = {
    "pdf": lambda: make_pdf(),
    "png": lambda: image_bytes("PNG"),
    "jpeg": lambda: image_bytes("JPEG"),
    "docx": lambda: docx_bytes(),
    "odt": lambda: odt_bytes(),
}


@pytest.mark.parametrize(
    ("sample", "name", "content_type", "extension", "safe_name"),
    [
        ("pdf", "Finanzplan 2025.pdf", PDF, "pdf", "Finanzplan 2025.pdf"),
        ("png", "Logo.PNG", PNG, "png", "Logo.png"),
        ("jpeg", "Foto Projektort.jpeg", JPEG, "jpg", "Foto Projektort.jpg"),
        ("jpeg", "foto.JPG", JPEG, "jpg", "foto.jpg"),
        ("docx", "Projektbeschreibung_Müller.docx", DOCX, "docx", "Projektbeschreibung_Müller.docx"),
        ("odt", "Satzung.odt", ODT, "odt", "Satzung.odt"),
        ("pdf", "scan", PDF, "pdf", "scan.pdf"),  # no extension: nothing to contradict
    ],
)
def test_allowed_types_are_accepted(sample, name, content_type, extension, safe_name):
    content = SAMPLES[sample]()
    result = check_upload(_upload(content, name))

    assert result == CheckedUpload(
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        safe_name=safe_name,
    )


@pytest.mark.parametrize(
    ("sample", "name", "browser_type", "expected"),
    [
        ("png", "bild.png", "application/pdf", PNG),
        ("pdf", "antrag.pdf", "application/x-msdownload", PDF),
        ("docx", "antrag.docx", "text/html", DOCX),
    ],
)
def test_browser_content_type_is_ignored(sample, name, browser_type, expected):
    assert check_upload(_upload(SAMPLES[sample](), name, browser_type)).content_type == expected


def test_pdf_magic_may_follow_leading_bytes():
    content = b"\n" * 500 + make_pdf()
    assert check_upload(_upload(content, "antrag.pdf")).content_type == PDF


def test_file_is_rewound_and_read_in_chunks():
    content = make_pdf()
    upload = _upload(content, "antrag.pdf")
    upload.DEFAULT_CHUNK_SIZE = 100  # many small chunks
    upload.read(10)

    result = check_upload(upload)

    assert result.size == len(content)
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    assert upload.read() == content


def test_file_is_rewound_after_rejection():
    upload = _upload(b"MZ\x90\x00 not a pdf", "setup.pdf")
    with pytest.raises(UploadRejected):
        check_upload(upload)
    assert upload.read() == b"MZ\x90\x00 not a pdf"


def test_size_and_hash_come_from_the_bytes_not_the_declared_size():
    content = image_bytes("PNG")
    upload = _upload(content, "bild.png")
    upload.size = 1  # a lying size attribute
    result = check_upload(upload)
    assert result.size == len(content)
    assert result.sha256 == hashlib.sha256(content).hexdigest()


def test_upload_rejected_is_a_validation_error():
    error = _rejected(b"", "leer.pdf")
    assert isinstance(error, ValidationError)
    assert error.messages == [MSG_EMPTY]
    assert error.code == "empty"


# --------------------------------------------------------------------------- size


def test_empty_file_rejected():
    error = _rejected(b"", "leer.pdf")
    assert error.code == "empty"
    assert error.messages == [MSG_EMPTY]


def test_too_large_rejected_with_sizes_in_mb():
    content = b"%PDF-1.4\n" + b"0" * (MIB + MIB // 2)
    error = _rejected(content, "gross.pdf", max_bytes=MIB)
    assert error.code == "too_large"
    assert error.messages == ["Die Datei ist zu groß (1,6 MB). Erlaubt sind höchstens 1 MB."]


def test_too_large_detected_from_bytes_even_if_declared_size_lies():
    upload = _upload(b"x" * 5000, "gross.pdf")
    upload.size = 10
    upload.DEFAULT_CHUNK_SIZE = 1024
    with pytest.raises(UploadRejected) as info:
        check_upload(upload, max_bytes=4096)
    assert info.value.code == "too_large"
    assert upload.tell() == 0


def test_default_limit_comes_from_settings(settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * MIB
    content = make_pdf()
    assert check_upload(_upload(content, "ok.pdf")).size == len(content)

    error = _rejected(b"%PDF-" + b"0" * (3 * MIB), "gross.pdf")
    assert error.code == "too_large"
    assert "Erlaubt sind höchstens 2 MB." in error.messages[0]


def test_file_exactly_at_limit_is_not_too_large():
    content = make_pdf()
    assert check_upload(_upload(content, "ok.pdf"), max_bytes=len(content)).size == len(content)


# --------------------------------------------------------------------------- type detection / names


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (image_bytes("PNG"), "antrag.pdf"),  # PNG named .pdf
        (image_bytes("JPEG"), "bild.png"),
        (make_pdf(), "bild.jpg"),
        (make_pdf(), "antrag.docx"),
        (docx_bytes(), "antrag.pdf"),
        (odt_bytes(), "antrag.docx"),
        (make_pdf(), "antrag.exe"),  # good content, dangerous name
        (b"Hallo, ich bin nur Text.", "antrag.pdf"),  # text file renamed
        (b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode", "antrag.pdf"),  # EXE renamed
        (b"MZ\x90\x00" + make_pdf(), "antrag.pdf"),  # EXE/PDF polyglot
    ],
)
def test_extension_contradicting_content_rejected(content, name):
    error = _rejected(content, name)
    assert error.code == "extension_mismatch"
    extension = name.rsplit(".", 1)[1]
    assert error.messages[0].startswith(f"Der Inhalt der Datei passt nicht zur Dateiendung „.{extension}“.")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Hallo, ich bin nur Text.", "notiz.txt"),
        (b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode", "setup.exe"),
        (b"MZ\x90\x00" + make_pdf(), "ohne_endung"),  # polyglot is not a PDF
        (b"\x7fELF\x02\x01\x01", "programm"),
        (b"<html><script>alert(1)</script></html>", "seite.html"),
        (zip_bytes([("readme.txt", b"hallo")]), "archiv.zip"),  # ZIP that is neither DOCX nor ODT
        (image_bytes("GIF"), "bild.gif"),
        (image_bytes("PNG")[:8] + b"%PDF-1.4 polyglot", "bild"),
    ],
)
def test_unsupported_content_rejected(content, name):
    error = _rejected(content, name)
    assert error.code == "type_not_allowed"
    assert error.messages == [MSG_NOT_ALLOWED]


def test_each_message_is_distinct():
    messages = {
        _rejected(b"", "a.pdf").messages[0],
        _rejected(b"x" * 100, "a.pdf", max_bytes=10).messages[0],
        _rejected(b"text", "a.txt").messages[0],
        _rejected(b"text", "a.pdf").messages[0],
        _rejected(b"PK\x03\x04kaputt", "a.docx").messages[0],
        _rejected(docx_bytes(extra=[("word/vbaProject.bin", b"\xd0\xcf")]), "a.docx").messages[0],
        _rejected(zip_bytes([(f"f{i}", b"") for i in range(2001)]), "a.docx").messages[0],
        _rejected(image_bytes("PNG")[:40], "a.png").messages[0],
        _rejected(make_pdf(lambda w: w.add_attachment("a.exe", b"MZ")), "a.pdf").messages[0],
        _rejected(make_pdf(lambda w: w.encrypt("geheim", algorithm="RC4-128")), "a.pdf").messages[0],
        _rejected(b"%PDF-1.4\nkaputt", "a.pdf").messages[0],
    }
    assert len(messages) == 11


# --------------------------------------------------------------------------- PDF active content


def _set_open_action(action: dict):
    def modify(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(DictionaryObject(action))

    return modify


def _add_annotation(subtype: str):
    def modify(writer: PdfWriter) -> None:
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject(subtype),
                NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(50), FloatObject(50)]),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return modify


def _add_xfa_form(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp:xdp/>")}
    )


def _add_submit_on_page_open(writer: PdfWriter) -> None:
    submit = DictionaryObject(
        {NameObject("/S"): NameObject("/SubmitForm"), NameObject("/F"): TextStringObject("https://example.org/")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): submit})


ACTIVE_PDFS = {
    "javascript name tree (add_open_action)": lambda w: w.add_open_action(JavaScript("app.alert('hi');")),
    "openaction javascript": _set_open_action(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    ),
    "launch action": _set_open_action(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    ),
    "embedded file": lambda w: w.add_attachment("rechnung.exe", b"MZ\x90\x00"),
    "file attachment annotation": _add_annotation("/FileAttachment"),
    "rich media annotation": _add_annotation("/RichMedia"),
    "xfa form": _add_xfa_form,
    "submit form": _add_submit_on_page_open,
    "import data": _set_open_action(
        {NameObject("/S"): NameObject("/ImportData"), NameObject("/F"): TextStringObject("daten.fdf")}
    ),
}


@pytest.mark.parametrize("modify", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_pdf_with_active_content_rejected(modify):
    error = _rejected(make_pdf(modify), "antrag.pdf")
    assert error.code == "pdf_active_content"
    assert "aktive Inhalte" in error.messages[0]


@pytest.mark.parametrize("modify", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_pdf_object_walk_finds_active_content_on_its_own(modify):
    content = make_pdf(modify)
    assert _pdf_parsed_forbidden_names(PdfReader(io.BytesIO(content)), content)


def test_pdf_escaped_names_are_decoded_by_both_checks():
    content = pdf_with_escaped_names()
    assert b"/JavaScript" not in content and b"/JS " not in content

    assert _pdf_raw_forbidden_names(content) == {"/JavaScript", "/JS"}
    assert _pdf_parsed_forbidden_names(PdfReader(io.BytesIO(content)), content) == {"/JavaScript", "/JS"}
    assert _rejected(content, "antrag.pdf").code == "pdf_active_content"


def test_pdf_javascript_in_compressed_object_stream_found_by_object_walk():
    content = pdf_with_js_in_object_stream()
    assert _pdf_raw_forbidden_names(content) == set()  # invisible to the byte scan
    assert _pdf_parsed_forbidden_names(PdfReader(io.BytesIO(content)), content) == {"/JavaScript", "/JS"}
    assert _rejected(content, "antrag.pdf").code == "pdf_active_content"


def test_pdf_launch_outside_any_object_found_by_byte_scan():
    content = make_pdf() + b"\n/L#61unch << /F (cmd.exe) >>\n"
    assert _pdf_parsed_forbidden_names(PdfReader(io.BytesIO(content)), content) == set()
    assert _pdf_raw_forbidden_names(content) == {"/Launch"}
    assert _rejected(content, "antrag.pdf").code == "pdf_active_content"


def test_pdf_object_missing_from_xref_is_still_walked():
    # Object 4 is not in the xref table (appended after %%EOF) but viewers may repair and use it.
    content = assemble_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", **PAGES},
        tail=b"4 0 obj\n<< /S /J#61vaScript /J#53 (x) >>\nendobj\n",
    )
    assert _pdf_parsed_forbidden_names(PdfReader(io.BytesIO(content)), content) == {"/JavaScript", "/JS"}


def test_pdf_names_merely_similar_are_not_flagged():
    content = assemble_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /JSON (x) /JavaScripts (y) /URI << /Base (https://x) >> >>",
            **PAGES,
        }
    )
    assert check_upload(_upload(content, "ok.pdf")).content_type == PDF


def test_pdf_scanned_image_streams_do_not_cause_false_positives():
    # Binary stream data containing "/JS" etc. must not be scanned as names.
    stream = b"\x00\x01/JS /Launch /JavaScript\xff" * 10
    content = assemble_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: PAGES[2],
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        }
    )
    assert check_upload(_upload(content, "scan.pdf")).content_type == PDF


# --------------------------------------------------------------------------- PDF encrypted / damaged


@pytest.mark.parametrize(
    ("user_password", "owner_password"),
    [("geheim", "besitzer"), ("", "besitzer")],
    ids=["user password", "owner password only"],
)
def test_encrypted_pdf_rejected(user_password, owner_password):
    content = make_pdf(lambda w: w.encrypt(user_password, owner_password, algorithm="RC4-128"))
    error = _rejected(content, "geheim.pdf")
    assert error.code == "pdf_encrypted"
    assert "passwortgeschützte" in error.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n",
        b"%PDF-1.4\n" + bytes(range(256)) * 20,
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        make_pdf()[:120],
    ],
    ids=["header only", "binary garbage", "broken catalog", "truncated"],
)
def test_damaged_pdf_rejected(content):
    error = _rejected(content, "antrag.pdf")
    assert error.code == "pdf_damaged"
    assert error.messages == [MSG_PDF_DAMAGED]


# --------------------------------------------------------------------------- DOCX / ODT


@pytest.mark.parametrize(
    "content",
    [
        docx_bytes(content_types=CONTENT_TYPES_DOCM, extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")]),
        docx_bytes(extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")]),  # macro part, innocent types
        docx_bytes(extra=[("word/vbaproject2.bin", b"\xd0\xcf\x11\xe0macro")]),
        docx_bytes(content_types=CONTENT_TYPES_DOCM),  # declared as .docm
        docx_bytes(extra=[("word/activeX/activeX1.bin", b"\xd0\xcf")]),
    ],
    ids=["docm with vbaProject", "vbaProject only", "renamed vbaProject", "docm content type", "activeX"],
)
def test_docx_with_macros_rejected(content):
    error = _rejected(content, "antrag.docx")
    assert error.code == "macros"
    assert "Makros" in error.messages[0]


def test_odt_with_basic_macro_rejected():
    content = odt_bytes(extra=[("Basic/Standard/Module1.xml", b"<script:module/>")])
    assert _rejected(content, "antrag.odt").code == "macros"


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04" + b"\x00" * 60,
        docx_bytes()[:-30],  # central directory cut off
    ],
    ids=["garbage after signature", "truncated"],
)
def test_broken_zip_rejected(content):
    error = _rejected(content, "antrag.docx")
    assert error.code == "damaged_archive"
    assert "beschädigt" in error.messages[0]


def test_docx_with_corrupt_member_rejected():
    content = bytearray(docx_bytes())
    start = content.index(b"[Content_Types].xml") + len("[Content_Types].xml")
    content[start + 5] ^= 0xFF  # flip a byte of the compressed content types
    assert _rejected(bytes(content), "antrag.docx").code == "damaged_archive"


def test_odt_needs_exact_mimetype_as_first_entry():
    wrong_first = zip_bytes([("content.xml", b"<x/>"), ("mimetype", ODT.encode())])
    assert _rejected(wrong_first, "a.odt").code == "extension_mismatch"
    wrong_type = zip_bytes([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")])
    assert _rejected(wrong_type, "a.ods").code == "type_not_allowed"


def test_zip_bomb_with_too_many_entries_rejected():
    content = docx_bytes(extra=[(f"word/media/teil{i}.xml", b"") for i in range(2001)])
    error = _rejected(content, "antrag.docx")
    assert error.code == "archive_bomb"


def test_zip_bomb_with_huge_compressible_entry_rejected():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_DOCX)
        archive.writestr("word/document.xml", DOCUMENT_XML)
        with archive.open("word/media/bombe.bin", "w") as member:
            block = b"\x00" * MIB
            for _ in range(101):
                member.write(block)
    content = out.getvalue()
    assert len(content) < MIB  # tiny on the wire
    assert _rejected(content, "antrag.docx").code == "archive_bomb"


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (image_bytes("PNG")[:40], "bild.png"),  # truncated PNG
        (image_bytes("PNG")[:8] + b"\x00" * 100, "bild.png"),  # magic only
        (image_bytes("JPEG", size=(64, 64))[:200], "foto.jpg"),  # truncated JPEG
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "foto.jpg"),  # magic only
    ],
    ids=["png truncated", "png magic only", "jpeg truncated", "jpeg magic only"],
)
def test_damaged_images_rejected(content, name):
    error = _rejected(content, name)
    assert error.code == "damaged_image"
    assert error.messages == ["Das Bild ist beschädigt oder kann nicht gelesen werden."]


def test_png_with_bad_checksum_rejected():
    content = bytearray(image_bytes("PNG"))
    content[-20] ^= 0xFF  # corrupt the IDAT data -> CRC mismatch
    assert _rejected(bytes(content), "bild.png").code == "damaged_image"


def test_image_with_too_many_pixels_rejected(monkeypatch):
    monkeypatch.setattr("foerderportal.files.images.IMAGE_MAX_PIXELS", 100)
    error = _rejected(image_bytes("PNG", size=(20, 20)), "bild.png")
    assert error.code == "image_too_large"


# --------------------------------------------------------------------------- safe_filename


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ('../../etc/pa"ss;wd.exe', "pdf", "pa_ss_wd.pdf"),
        ("", "pdf", "anlage.pdf"),
        ("...pdf", "pdf", "anlage.pdf"),
        ("/", "png", "anlage.png"),
        ("C:\\Users\\Max\\Desktop\\Bericht.pdf", "pdf", "Bericht.pdf"),
        ("Förderantrag Müller Straße.docx", "docx", "Förderantrag Müller Straße.docx"),
        ("Fo\u0308rderantrag.pdf", "pdf", "Förderantrag.pdf"),  # decomposed umlaut -> NFC
        ("foto.JPEG", "jpg", "foto.jpg"),
        ("bild.png", "PDF", "bild.pdf"),
        ("ohne endung", "odt", "ohne endung.odt"),
        ("re\x00ch\x1bnung\x7f.pdf", "pdf", "rechnung.pdf"),  # control characters removed
        ("zeile\neins.pdf", "pdf", "zeile eins.pdf"),  # whitespace controls become spaces
        ("rechnung\u202egpj.exe", "jpg", "rechnunggpj.jpg"),  # right-to-left override removed
        ("a<b>c|d*e?f:g'h.pdf", "pdf", "a_b_c_d_e_f_g_h.pdf"),
        ("  .versteckt.  ", "pdf", "versteckt.pdf"),  # no hidden dot-file
        ("CON.pdf", "pdf", "_CON.pdf"),
        ("Antrag\tv1.2 final.pdf", "pdf", "Antrag v1.2 final.pdf"),
        ("Bericht／Anhang.pdf", "pdf", "Anhang.pdf"),  # fullwidth solidus is a slash after NFKC
    ],
)
def test_safe_filename(name, extension, expected):
    assert safe_filename(name, extension) == expected


def test_safe_filename_limits_length_and_keeps_extension():
    result = safe_filename("Ä" * 300 + ".pdf", "pdf")
    assert len(result) <= 100
    assert result.endswith(".pdf")
    assert result.startswith("ÄÄÄ")


@pytest.mark.parametrize("name", ['x"y.pdf', "x;y.pdf", "x/y.pdf", "x\\y.pdf", "x\ry.pdf", "a'b`c.pdf"])
def test_safe_filename_never_contains_dangerous_characters(name):
    result = safe_filename(name, "pdf")
    assert not set(result) & set("\"';/\\\r\n\x00`")
    assert result.endswith(".pdf")


def test_checked_upload_uses_safe_filename():
    result = check_upload(_upload(make_pdf(), 'Kosten"plan;2025.pdf'))
    assert result.safe_name == "Kosten_plan_2025.pdf"
