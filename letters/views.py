"""Download of released letters, scoped through ``applications_for_user``: another
organisation's letter (or a draft) answers 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from foerderportal.files import file_response

from . import selectors


def pdf_response(letter):
    return file_response(letter.file, filename=letter.download_name, content_type="application/pdf")


@login_required
def download(request, pk):
    letter = get_object_or_404(selectors.released_letters_for_user(request.user), pk=pk)
    return pdf_response(letter)
