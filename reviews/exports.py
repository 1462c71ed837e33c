"""Exports of a round's ranking and applications (CSV and XLSX).

Two layers:

* table builders (``ranking_table``, ``applications_table``) are pure functions: they
  turn ranking rows or an annotated queryset into ``(header, rows)`` with plain Python
  values (``str``, ``int``, ``Decimal``, aware ``datetime``, ``None``) and make no
  queries of their own;
* writers (``foerderportal.exports.as_csv_response``, ``as_xlsx_response``) turn any such
  table into a download; the formats are described there.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

TWO_PLACES = Decimal("0.01")


def _score(value):
    """Mean scores come back as Decimal or float depending on the database."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, ROUND_HALF_UP)


def _labels():
    """Choice labels translated once per table, not per row (``get_FOO_display`` is slow in bulk)."""
    from applications.models import Application, OrganisationKind, Region

    def labels(choices):
        return {value: str(label) for value, label in choices}

    return labels(OrganisationKind.choices), labels(Region.choices), labels(Application.Status.choices)


def ranking_table(rows):
    """Header and values for the ranking (``reviews.selectors.ranking`` rows), in ranking order."""
    header = [
        _("Rang"),
        _("Aktenzeichen"),
        _("Organisation"),
        _("Art"),
        _("Regierungsbezirk"),
        _("Status"),
        _("Mittelwert (%)"),
        _("Bewertungen abgeschlossen"),
        _("Bewertungen zugewiesen"),
        _("Bewertungen abweichend"),
        _("Betrag (EUR)"),
        _("kumuliert (EUR)"),
        _("innerhalb der Förderlinie"),
    ]
    kinds, regions, statuses = _labels()
    yes, no, spread = _("ja"), _("nein"), _("abweichend")
    values = []
    for row in rows:
        application = row.application
        organisation = application.organisation
        values.append(
            [
                row.rank,
                application.reference_number,
                organisation.name,
                kinds.get(organisation.kind, organisation.kind),
                regions.get(organisation.region, organisation.region),
                statuses.get(application.status, application.status),
                _score(application.mean_score),
                application.reviews_finished,
                application.reviews_assigned,
                spread if row.spread_flag else "",
                row.requested,
                row.cumulative if row.within_funding else None,
                yes if row.within_funding else no,
            ]
        )
    return header, values


def applications_table(applications):
    """Header and values for every application of a round.

    ``applications`` must be annotated with ``reviews.selectors.with_scores`` and have
    ``organisation`` selected (one query in total).
    """
    header = [
        _("Aktenzeichen"),
        _("Organisation"),
        _("Amtlicher Schlüssel"),
        _("Art"),
        _("Landkreis"),
        _("Regierungsbezirk"),
        _("Status"),
        _("eingereicht am"),
        _("Mittelwert (%)"),
        _("Bewertungen abgeschlossen"),
        _("Bewertungen zugewiesen"),
        _("bewilligter Betrag (EUR)"),
    ]
    kinds, regions, statuses = _labels()
    values = []
    for application in applications:
        organisation = application.organisation
        values.append(
            [
                application.reference_number,
                organisation.name,
                organisation.key,
                kinds.get(organisation.kind, organisation.kind),
                organisation.county,
                regions.get(organisation.region, organisation.region),
                statuses.get(application.status, application.status),
                application.submitted_at,
                _score(application.mean_score),
                application.reviews_finished,
                application.reviews_assigned,
                application.awarded_amount,
            ]
        )
    return header, values


def applications_for_export(funding_round):
    """Every application of the round (drafts and withdrawn ones included), by reference number."""
    from django.db.models import F

    from applications.models import Application

    from .selectors import with_scores

    return (
        with_scores(Application.objects.filter(funding_round=funding_round))
        .select_related("organisation")
        .order_by(F("sequence").asc(nulls_last=True), "organisation__name", "pk")
    )
