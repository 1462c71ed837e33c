"""Download of released letters, scoped through ``applications_for_user``: another
organisation's letter (or a draft) answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from . import selectors


def pdf_response(letter):
    try:
        handle = letter.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=letter.download_name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request, pk):
    letter = get_object_or_404(selectors.released_letters_for_user(request.user), pk=pk)
    return pdf_response(letter)
