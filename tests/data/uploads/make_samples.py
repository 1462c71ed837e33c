"""Minimal handmade uploads for the active-content checks (issue 10), written beside this script.

    python tests/data/uploads/make_samples.py

Every sample is assembled byte by byte (PDF) or zipped by hand with a fixed date (DOCX/ODT), so
the output is the same on every run; ``tests/foerderportal/test_files_active_content.py`` checks
that the committed files are exactly what this script writes. Names say what a file is:
``refused_*`` must be refused, ``accepted_*`` are the controls that stay accepted.
"""

import io
import sys
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------- PDF

CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s>>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] %s>>"
RECT = b"/Rect [10 10 90 30]"


def assemble_pdf(objects: dict[int, bytes], *, tail: bytes = b"") -> bytes:
    """Classic PDF with a correct xref table; object 1 is the catalog, numbers contiguous from 1.

    ``tail`` is appended after ``%%EOF`` (e.g. an object missing from the xref).
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out) + tail


def pdf(*, catalog: bytes = b"", page: bytes = b"", extra: dict[int, bytes] | None = None) -> bytes:
    return assemble_pdf({1: CATALOG % catalog, 2: PAGES, 3: PAGE % page, **(extra or {})})


def link(action: bytes, *, more: bytes = b"") -> dict[int, bytes]:
    """Object 4: a link annotation on the page (the page must name ``/Annots [4 0 R]``)."""
    return {4: b"<< /Type /Annot /Subtype /Link %s /Border [0 0 0] /A %s %s>>" % (RECT, action, more)}


ANNOTS = b"/Annots [4 0 R] "
URI_ACTION = b"<< /S /URI /URI (https://tracker.example.org/geoeffnet) >>"


def pdf_in_object_stream(*, packed: bytes, catalog: bytes = b"", page: bytes = b"") -> bytes:
    """Object 4 packed in a Flate-compressed object stream (invisible to a byte scan), xref stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    add(1, CATALOG % catalog)
    add(2, PAGES)
    add(3, PAGE % page)
    header = b"4 0 "
    packed = zlib.compress(header + packed)
    add(
        5,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(header), len(packed), packed),
    )
    offsets[6] = len(out)
    rows = [(0, 0, 0xFFFF)] + [(1, offsets[n], 0) for n in (1, 2, 3)] + [(2, 5, 0), (1, offsets[5], 0)]
    rows.append((1, offsets[6], 0))
    table = b"".join(t.to_bytes(1, "big") + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in rows)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        len(table),
        table,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


PDFS = {
    # run without a click
    "refused_pdf_openaction_uri.pdf": lambda: pdf(catalog=b"/OpenAction 4 0 R ", extra={4: URI_ACTION}),
    "refused_pdf_openaction_goto_next_uri.pdf": lambda: pdf(
        catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [4 0 R] >> ", extra={4: URI_ACTION}
    ),
    "refused_pdf_document_aa_uri.pdf": lambda: pdf(catalog=b"/AA << /WC %s >> " % URI_ACTION),
    "refused_pdf_page_aa_uri.pdf": lambda: pdf(page=b"/AA << /O %s >> " % URI_ACTION),
    "refused_pdf_link_aa_uri_on_hover.pdf": lambda: pdf(
        page=ANNOTS, extra=link(b"<< /S /GoTo /D [3 0 R /Fit] >>", more=b"/AA << /E %s >> " % URI_ACTION)
    ),
    "refused_pdf_openaction_uri_in_object_stream.pdf": lambda: pdf_in_object_stream(
        catalog=b"/OpenAction 4 0 R ", packed=URI_ACTION
    ),
    # go to other files, even when clicked
    "refused_pdf_link_gotor.pdf": lambda: pdf(
        page=ANNOTS, extra=link(b"<< /S /GoToR /F (\\\\\\\\server\\\\freigabe\\\\a.pdf) /D [0 /Fit] >>")
    ),
    "refused_pdf_link_gotor_url.pdf": lambda: pdf(
        page=ANNOTS,
        extra=link(b"<< /S /GoToR /F << /FS /URL /F (https://example.org/a.pdf) >> /D [0 /Fit] >>"),
    ),
    "refused_pdf_link_gotoe.pdf": lambda: pdf(
        page=ANNOTS, extra=link(b"<< /S /GoToE /F (andere.pdf) /T << /R /C /N (anlage.pdf) >> /D [0 /Fit] >>")
    ),
    "refused_pdf_link_gotoe_in_object_stream.pdf": lambda: pdf_in_object_stream(
        page=ANNOTS, packed=link(b"<< /S /GoToE /T << /R /C /N (anlage.pdf) >> /D [0 /Fit] >>")[4]
    ),
    "refused_pdf_gotor_in_name_tree.pdf": lambda: pdf(
        catalog=b"/Names << /Dests 4 0 R >> ",
        extra={4: b"<< /Names [(kapitel) << /D [3 0 R /Fit] /Next << /S /GoToR /F (x.pdf) /D [0 /Fit] >> >>] >>"},
    ),
    "refused_pdf_link_launch.pdf": lambda: pdf(page=ANNOTS, extra=link(b"<< /S /Launch /F (cmd.exe) >>")),
    "refused_pdf_link_submitform.pdf": lambda: pdf(
        page=ANNOTS, extra=link(b"<< /S /SubmitForm /F << /FS /URL /F (https://example.org/) >> >>")
    ),
    "refused_pdf_link_importdata.pdf": lambda: pdf(page=ANNOTS, extra=link(b"<< /S /ImportData /F (d.fdf) >>")),
    # clicked links to something other than a web page
    "refused_pdf_link_file_uri.pdf": lambda: pdf(page=ANNOTS, extra=link(b"<< /S /URI /URI (file:///C:/a.exe) >>")),
    "refused_pdf_link_unc_path.pdf": lambda: pdf(
        page=ANNOTS, extra=link(b"<< /S /URI /URI (\\\\\\\\server\\\\freigabe) >>")
    ),
    "refused_pdf_link_javascript_uri.pdf": lambda: pdf(
        page=ANNOTS, extra=link(b"<< /S /URI /URI ( javascript:alert\\(1\\)) >>")
    ),
    # controls
    "accepted_pdf_link_https.pdf": lambda: pdf(
        page=b"/Annots [4 0 R 5 0 R] ",
        extra={
            **link(b"<< /S /URI /URI (https://www.gemeinderat.example.de/beschluss-2025-17) >>"),
            5: b"<< /Type /Annot /Subtype /Link %s /A << /S /URI /URI (mailto:rathaus@example.de) >> >>" % RECT,
        },
    ),
    "accepted_pdf_openaction_destination.pdf": lambda: pdf(catalog=b"/OpenAction [3 0 R /Fit] "),
    "accepted_pdf_openaction_goto.pdf": lambda: pdf(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /XYZ 0 200 0] >> "),
}

# --------------------------------------------------------------------------- DOCX

FIXED_DATE = (2025, 1, 1, 0, 0, 0)
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL_NS = b"http://schemas.openxmlformats.org/package/2006/relationships"
REL_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def relationships(*rows: tuple[bytes, bytes, bool]) -> bytes:
    """(type, target, external) rows as a .rels part."""
    body = b"".join(
        b'<Relationship Id="rId%d" Type="%s%s" Target="%s"%s/>'
        % (number, REL_TYPE, kind, target, b' TargetMode="External"' if external else b"")
        for number, (kind, target, external) in enumerate(rows, start=10)
    )
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="%s">%s</Relationships>' % (
        REL_NS,
        body,
    )


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
    b'<Default Extension="mht" ContentType="message/rfc822"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
PACKAGE_RELS = relationships((b"officeDocument", b"word/document.xml", False))
TEXT = b"<w:p><w:r><w:t>Antrag der Gemeinde</w:t></w:r></w:p>"


def docx(*, body: bytes = TEXT, document_rels: bytes | None = None, extra: tuple = ()) -> bytes:
    entries = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        (
            "word/document.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><w:document %s %s><w:body>%s</w:body></w:document>' % (W, R, body),
        ),
    ]
    if document_rels is not None:
        entries.append(("word/_rels/document.xml.rels", document_rels))
    return zip_bytes([*entries, *extra])


OLE_COMPOUND = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # header of an OLE compound file
SETTINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:settings %s %s><w:attachedTemplate r:id="rId10"/></w:settings>'
    % (
        W,
        R,
    )
)
HYPERLINK = b'<w:p><w:hyperlink r:id="rId10"><w:r><w:t>Beschluss</w:t></w:r></w:hyperlink></w:p>'
XLSX_PACKAGE = zip_bytes([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])

DOCXS = {
    "refused_docx_attached_template_external.docx": lambda: docx(
        extra=(
            ("word/settings.xml", SETTINGS),
            (
                "word/_rels/settings.xml.rels",
                relationships((b"attachedTemplate", b"https://example.org/vorlage.dotm", True)),
            ),
        )
    ),
    "refused_docx_ole_object_external.docx": lambda: docx(
        document_rels=relationships((b"oleObject", b"\\\\server\\freigabe\\tabelle.xlsx", True))
    ),
    "refused_docx_ole_object_embedded.docx": lambda: docx(
        document_rels=relationships((b"oleObject", b"embeddings/oleObject1.bin", False)),
        extra=(("word/embeddings/oleObject1.bin", OLE_COMPOUND),),
    ),
    "refused_docx_ole_part_without_relationship.docx": lambda: docx(extra=(("word/media/image1.emf", OLE_COMPOUND),)),
    "refused_docx_subdocument_external.docx": lambda: docx(
        document_rels=relationships((b"subDocument", b"file:///C:/Antraege/teil2.docx", True))
    ),
    "refused_docx_frame_external.docx": lambda: docx(
        extra=(
            ("word/webSettings.xml", b'<?xml version="1.0"?><w:webSettings %s %s/>' % (W, R)),
            ("word/_rels/webSettings.xml.rels", relationships((b"frame", b"https://example.org/rahmen.html", True))),
        )
    ),
    "refused_docx_altchunk.docx": lambda: docx(
        body=TEXT + b'<w:altChunk r:id="rId10"/>',
        document_rels=relationships((b"aFChunk", b"afchunk.mht", False)),
        extra=(("word/afchunk.mht", b"MIME-Version: 1.0\r\n\r\n<img src='https://example.org/x.png'>"),),
    ),
    "refused_docx_linked_image_external.docx": lambda: docx(
        document_rels=relationships((b"image", b"https://tracker.example.org/pixel.png", True))
    ),
    "refused_docx_hyperlink_to_share.docx": lambda: docx(
        body=HYPERLINK, document_rels=relationships((b"hyperlink", b"file://///server/freigabe/a.exe", True))
    ),
    "refused_docx_relationships_with_dtd.docx": lambda: docx(
        document_rels=b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + relationships((b"hyperlink", b"https://example.org/&x;", True)).split(b"?>", 1)[1]
    ),
    # controls
    "accepted_docx_hyperlink.docx": lambda: docx(
        body=HYPERLINK,
        document_rels=relationships((b"hyperlink", b"https://www.gemeinderat.example.de/beschluss-2025-17", True)),
    ),
    "accepted_docx_chart_workbook.docx": lambda: docx(
        document_rels=relationships((b"package", b"embeddings/Microsoft_Excel_Worksheet.xlsx", False)),
        extra=(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", XLSX_PACKAGE),),
    ),
}

# --------------------------------------------------------------------------- ODT

ODT = b"application/vnd.oasis.opendocument.text"
ODF_NS = (
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    b'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    b'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/></manifest:manifest>' % ODT
)


def content(text: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content %s office:version="1.2">'
        b"<office:body><office:text>%s</office:text></office:body></office:document-content>" % (ODF_NS, text)
    )


def odt(body: bytes, *, extra: tuple = ()) -> bytes:
    return zip_bytes([("mimetype", ODT), ("META-INF/manifest.xml", MANIFEST), ("content.xml", content(body)), *extra])


FRAME = b'<text:p><draw:frame draw:name="Objekt1">%s</draw:frame></text:p>'
CHART = b'<?xml version="1.0" encoding="UTF-8"?><office:document-content %s/>' % ODF_NS

ODTS = {
    "refused_odt_ole_object.odt": lambda: odt(
        FRAME % b'<draw:object-ole xlink:href="./Object 1" xlink:type="simple"/>',
        extra=(("Object 1", OLE_COMPOUND), ("ObjectReplacements/Object 1", b"\x01\x00\x00\x00preview")),
    ),
    "refused_odt_linked_section.odt": lambda: odt(
        b'<text:section text:name="Anlage"><text:section-source xlink:href="https://example.org/text.odt" '
        b'xlink:type="simple"/></text:section>'
    ),
    "refused_odt_linked_object.odt": lambda: odt(
        FRAME % b'<draw:object xlink:href="file:///C:/Tabellen/Haushalt.ods" xlink:type="simple"/>'
    ),
    "refused_odt_linked_image.odt": lambda: odt(
        FRAME % b'<draw:image xlink:href="\\\\server\\freigabe\\logo.png" xlink:type="simple"/>'
    ),
    "refused_odt_floating_frame.odt": lambda: odt(
        FRAME % b'<draw:floating-frame xlink:href="https://example.org/" xlink:type="simple"/>'
    ),
    "refused_odt_script_event.odt": lambda: odt(
        b'<text:p><text:a xlink:href="https://example.org/"><office:event-listeners><script:event-listener '
        b'script:language="ooo:script" script:event-name="dom:mouseover" '
        b'xlink:href="vnd.sun.star.script:LibreLogo|LibreLogo.py$run?language=Python&amp;location=share"/>'
        b"</office:event-listeners>Link</text:a></text:p>"
    ),
    "refused_odt_linked_template.odt": lambda: odt(
        b"<text:p>Antrag</text:p>",
        extra=(
            (
                "meta.xml",
                b'<?xml version="1.0" encoding="UTF-8"?><office:document-meta %s><office:meta>'
                b'<meta:template xlink:href="https://example.org/vorlage.ott" xlink:type="simple"/>'
                b"</office:meta></office:document-meta>" % ODF_NS,
            ),
        ),
    ),
    # controls
    "accepted_odt_hyperlink.odt": lambda: odt(
        b'<text:p><text:a xlink:href="https://www.gemeinderat.example.de/beschluss-2025-17" xlink:type="simple">'
        b'Beschluss</text:a> <text:a xlink:href="#Finanzplan">Finanzplan</text:a></text:p>'
    ),
    "accepted_odt_chart_object.odt": lambda: odt(
        FRAME % b'<draw:object xlink:href="./Object 1" xlink:type="simple"/>'
        b'<draw:image xlink:href="./ObjectReplacements/Object 1" xlink:type="simple"/>',
        extra=(("Object 1/content.xml", CHART), ("ObjectReplacements/Object 1", b"\x01\x00\x00\x00preview")),
    ),
}

SAMPLES = {**PDFS, **DOCXS, **ODTS}


def build() -> dict[str, bytes]:
    """Every sample's file name and bytes."""
    return {name: make() for name, make in SAMPLES.items()}


def main() -> None:
    for name, data in build().items():
        (HERE / name).write_bytes(data)
    sys.stdout.write(f"{len(SAMPLES)} samples written to {HERE}\n")


if __name__ == "__main__":
    main()
