"""Inputs the admin renders without a <label> get an accessible name (LabelledInputsMixin).

The browser test (tests/e2e/test_admin_accessibility.py) runs axe on these pages; this one shows
the names in the HTML without a browser.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from facilitation.services import ensure_milestone_template
from reviews.models import Criterion
from tests.factories import FundingRoundFactory

pytestmark = pytest.mark.django_db


def test_inline_editable_list_names_each_input_by_column_and_row(client, academy):
    funding_round = FundingRoundFactory()
    first = ensure_milestone_template(funding_round=funding_round)[0]
    client.force_login(academy)
    page = client.get(reverse("admin:facilitation_milestonetemplate_changelist")).content.decode()
    assert f'aria-label="Fällig nach Monaten: {first.title}"' in page
    assert f'aria-label="Reihenfolge: {first.title}"' in page


def test_criteria_inline_and_split_date_time_fields_are_named(client, academy):
    funding_round = FundingRoundFactory()
    Criterion.objects.create(funding_round=funding_round, position=1, title="Bedarf", weight=Decimal("1.5"))
    client.force_login(academy)
    page = client.get(reverse("admin:applications_fundinground_change", args=[funding_round.pk])).content.decode()
    assert 'aria-label="Gewicht: Bedarf"' in page
    assert 'aria-label="Löschen?: Bedarf"' in page or 'aria-label="Löschen: Bedarf"' in page
    assert 'aria-label="Gewicht: neue Zeile"' in page  # the template row "add another" copies
    assert 'aria-label="Antragsfrist (Datum)"' in page and 'aria-label="Antragsfrist (Zeit)"' in page
