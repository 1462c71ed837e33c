"""Reads of the pages app: pages by slug, the public rounds and what applicants see of them."""

from django.shortcuts import get_object_or_404

from applications.models import FundingRound
from reviews.models import Criterion

from .models import ContactDetails, Page, RoundCall, RoundDocument


def page(slug: str) -> Page:
    return get_object_or_404(Page, slug=slug)


def contact_details() -> ContactDetails | None:
    """The academy's contact data (a data migration creates the row; ``None`` only if it was removed)."""
    return ContactDetails.objects.filter(pk=ContactDetails.SINGLETON).first()


def public_round(pk: int, now) -> FundingRound:
    """A round applicants may read about: its application period has begun (open or closed); else 404."""
    return get_object_or_404(FundingRound.objects.select_related("programme").filter(opens_at__lte=now), pk=pk)


def round_documents(funding_round):
    return RoundDocument.objects.filter(funding_round=funding_round)


def round_document(funding_round, pk: int) -> RoundDocument:
    return get_object_or_404(RoundDocument, funding_round=funding_round, pk=pk)


def published_criteria(funding_round):
    """The round's criteria with their weights once staff published them; else none."""
    if not RoundCall.objects.filter(funding_round=funding_round, criteria_published=True).exists():
        return Criterion.objects.none()
    return Criterion.objects.filter(funding_round=funding_round)
