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
    return recorded(pdf_response(letter), letter=letter, user=request.user)


def recorded(response, *, letter, user):
    """Record the download once the file is open: a storage that does not answer (503) must not
    count as the notifying download of a Bescheid."""
    try:
        services.record_download(letter=letter, user=user)
    except BaseException:
        response.close()
        raise
    return response
