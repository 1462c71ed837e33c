"""Download of released letters, scoped through ``applications_for_user``: another
organisation's letter (or a draft) answers 404. Every download is recorded (``LetterDownload``);
the first by an authorised member notifies a Bescheid (§ 41 Abs. 2a LVwVfG BW)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from foerderportal.files import file_response

from . import selectors, services


def pdf_response(letter):
    return file_response(letter.file, filename=letter.download_name, content_type="application/pdf")


@login_required
def download(request, pk):
    letter = get_object_or_404(selectors.released_letters_for_user(request.user), pk=pk)
    services.record_download(letter=letter, user=request.user)
    return pdf_response(letter)
