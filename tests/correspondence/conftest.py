from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Application
from correspondence import services
from tests.conftest import submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff


@pytest.fixture
def academy(db):
    return make_academy_staff(email="akademie@fa.example")


@pytest.fixture
def submitted(academy):
    """A submitted application (not yet in review) with its confirmed member as ``.member``."""
    return submitted_application(FundingRoundFactory(), in_review=False)


def ask(application, by, *, sections=("goals",), attachment_kinds=("resolution",), due_in=14, text="Bitte ergänzen."):
    request = services.send_information_request(
        application=application,
        text=text,
        due_on=timezone.localdate() + timedelta(days=due_in),
        sections=list(sections),
        attachment_kinds=list(attachment_kinds),
        by=by,
    )
    request.application = Application.objects.get(pk=application.pk)
    request.application.member = application.member
    return request
