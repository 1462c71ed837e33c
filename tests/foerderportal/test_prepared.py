"""foerderportal.prepared: a query compiled once per process, run with each call's values, gives
what the queryset would give."""

import threading
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import Count, DateTimeField, Exists, IntegerField, Min, OuterRef
from django.db.models.functions import Length
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import selectors
from applications.models import Application, Attachment, FundingRound, Membership
from foerderportal.prepared import PreparedQuery, RelatedRows, attach, objects_from_rows
from tests.factories import ApplicationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def memberships(user_id):
    """A query with a join, select_related, an annotation with an inner query, an order."""
    confirmed = Membership.objects.filter(organisation=OuterRef("organisation"), status=Membership.Status.CONFIRMED)
    return (
        Membership.objects.filter(user=user_id)
        .select_related("organisation")
        .annotate(has_confirmed=Exists(confirmed), members=Count("organisation__memberships"))
        .order_by("organisation__name")
    )


@pytest.fixture
def two_users():
    first = MembershipFactory(organisation__name="Aalen")
    MembershipFactory(user=first.user, organisation__name="Bühl", status=Membership.Status.REQUESTED)
    second = MembershipFactory(organisation__name="Calw")
    MembershipFactory(organisation=second.organisation)
    return first.user, second.user


def described(found):
    return [(m.pk, m.organisation.name, m.status, m.has_confirmed, m.members) for m in found]


def test_each_call_gives_what_the_queryset_gives_for_its_own_values(two_users):
    prepared = PreparedQuery(memberships)
    for user in (*two_users, *two_users):
        with CaptureQueriesContext(connection) as queries:
            found = prepared.list(user_id=user.pk)
            shown = described(found)  # the organisations came with the row (select_related)
        assert len(queries) == 1
        assert shown == described(memberships(user.pk))
        assert found and all(m.user_id == user.pk for m in found)
    assert prepared.list(user_id=0) == []


def test_the_sql_is_compiled_on_the_first_call_only(two_users):
    prepared = PreparedQuery(memberships)
    expected = described(memberships(two_users[1].pk))
    compiled = mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql)
    with compiled as as_sql:
        prepared.list(user_id=two_users[0].pk)
        assert as_sql.call_count >= 1
        as_sql.reset_mock()
        found = described(prepared.list(user_id=two_users[1].pk))
        assert as_sql.call_count == 0
    assert found == expected


def test_a_call_changes_nothing_the_next_call_reads(two_users):
    """The compiled parts are shared by the threads of a process: a call only reads them."""
    prepared = PreparedQuery(memberships)
    prepared.list(user_id=two_users[0].pk)
    (compiled,) = prepared._compiled.values()
    compiler_before = dict(vars(compiled.compiler))
    query_before = dict(vars(compiled.queryset.query))
    where_before = str(compiled.queryset.query.where.children)
    for user in (*two_users, *two_users):
        prepared.list(user_id=user.pk)
    assert vars(compiled.compiler) == compiler_before and compiled.compiler.connection is None
    assert vars(compiled.queryset.query) == query_before
    assert str(compiled.queryset.query.where.children) == where_before


@pytest.mark.django_db(transaction=True)
def test_threads_running_the_query_at_the_same_time_each_get_their_own_users_rows(two_users):
    prepared = PreparedQuery(memberships)
    expected = {user.pk: described(memberships(user.pk)) for user in two_users}
    start = threading.Barrier(4)
    seen, errors = [], []

    def visit(user_id):
        try:
            start.wait(timeout=10)
            for _ in range(20):
                seen.append((user_id, described(prepared.list(user_id=user_id))))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit, args=(user.pk,)) for user in (*two_users, *two_users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(seen) == 80
    assert all(found == expected[user_id] for user_id, found in seen)


def test_first_gives_the_one_object_or_none_and_refuses_two(two_users):
    prepared = PreparedQuery(lambda user_id, pk: memberships(user_id).filter(pk=pk))
    first, second = two_users
    mine = Membership.objects.filter(user=first).first()
    assert prepared.first(user_id=first.pk, pk=mine.pk) == mine
    assert prepared.first(user_id=second.pk, pk=mine.pk) is None
    with pytest.raises(Membership.MultipleObjectsReturned):
        PreparedQuery(memberships).first(user_id=first.pk)


def test_values_are_whole_integers_by_name():
    prepared = PreparedQuery(memberships)
    with pytest.raises(TypeError):
        prepared.list(pk=1)
    with pytest.raises(TypeError):
        prepared.list(user_id="1")


def test_an_id_no_column_can_hold_finds_nothing_instead_of_failing(two_users):
    with CaptureQueriesContext(connection) as queries:
        assert PreparedQuery(memberships).list(user_id=10**30) == []
    assert len(queries) == 0


def test_a_value_django_does_not_pass_as_a_parameter_is_refused_at_once(two_users):
    # Turned into text: the stand-in is no longer found among the parameters.
    prepared = PreparedQuery(lambda user_id: Membership.objects.filter(organisation__name=str(user_id)))
    with pytest.raises(ImproperlyConfigured, match="user_id"):
        prepared.list(user_id=1)


@pytest.mark.django_db(transaction=True)
def test_another_thread_runs_the_compiled_query_on_its_own_connection(two_users):
    prepared = PreparedQuery(memberships)
    expected = described(prepared.list(user_id=two_users[0].pk))  # compiled in this thread
    seen = {}

    def visit():
        try:
            seen["found"] = described(prepared.list(user_id=two_users[0].pk))
        except Exception as error:  # noqa: BLE001 - reported below
            seen["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=visit)
    thread.start()
    thread.join()
    assert seen.get("error") is None and seen["found"] == expected


def test_attached_children_answer_without_a_query_and_know_their_parent():
    application = ApplicationFactory()
    other = ApplicationFactory()
    attachments = [
        Attachment.objects.create(
            application=owner, kind="other", file=f"a/{n}.pdf", original_name=f"{n}.pdf", content_type="x", size=1
        )
        for n, owner in enumerate((application, other, application))
    ]
    loaded = Application.objects.get(pk=application.pk)
    mine = [attachments[0], attachments[2]]
    attach(loaded, "attachments", list(Attachment.objects.filter(application=application).order_by("pk")))
    with CaptureQueriesContext(connection) as queries:
        assert list(loaded.attachments.all()) == mine
        assert all(a.application is loaded for a in loaded.attachments.all())
    assert len(queries) == 0
    attach(loaded, "attachments", [])  # again: replaces what was attached
    assert list(loaded.attachments.all()) == []


def test_an_application_page_with_an_id_beyond_any_column_is_not_found(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    for name in ("applications:overview", "applications:receipt", "applications:attachments"):
        assert client.get(reverse(name, args=[10**30])).status_code == 404
    assert client.get(reverse("applications:section", args=[10**30, "kontakt"])).status_code == 404


def test_the_applicant_selectors_refuse_another_organisations_application():
    application = ApplicationFactory()
    member = MembershipFactory(organisation=application.organisation).user
    stranger = MembershipFactory().user
    requested = MembershipFactory(organisation=application.organisation, status=Membership.Status.REQUESTED).user
    for read in (
        selectors.application_of,
        selectors.application_with_attachments,
        selectors.application_with_resolution_flag,
        selectors.application_with_documents,
    ):
        assert read(member, application.pk) == application
        assert read(stranger, application.pk) is None
        assert read(requested, application.pk) is None
    assert selectors.dashboard_applications(member) == [application]
    assert selectors.dashboard_applications(stranger) == selectors.dashboard_applications(requested) == []


def _attachment(application, name, **fields):
    return Attachment.objects.create(
        application=application,
        kind=fields.pop("kind", Attachment.Kind.OTHER),
        file=f"anlagen/{name}",
        original_name=name,
        content_type="application/pdf",
        size=fields.pop("size", 1),
        sha256="a" * 64,
        **fields,
    )


def _fields(attachment):
    return {f.attname: getattr(attachment, f.attname) for f in Attachment._meta.concrete_fields}


def test_related_rows_bring_the_children_as_the_database_has_them_in_their_order():
    application, other = ApplicationFactory(), ApplicationFactory()
    uploader = MembershipFactory(organisation=application.organisation).user
    names = ['Beschluss "Rat" – Ümlaut\n<b>&.pdf', "zweite.pdf", "dritte.pdf"]
    made = [_attachment(application, name, uploaded_by=uploader, size=10**12) for name in names]
    _attachment(other, "fremd.pdf")
    # Uploaded in another order than created: the rows follow uploaded_at, to the microsecond.
    moments = ["2020-03-06T22:59:59.999999+00:00", "2020-03-06T08:00:00.000001+00:00", "2020-03-05T12:00:00+00:00"]
    for attachment, moment in zip(made, moments, strict=True):
        Attachment.objects.filter(pk=attachment.pk).update(uploaded_at=moment)
    expected = [_fields(a) for a in Attachment.objects.filter(application=application).order_by("uploaded_at")]
    rows = Application.objects.annotate(
        attachment_rows=RelatedRows(Attachment.objects.filter(application=OuterRef("pk")).order_by("uploaded_at"))
    ).get(pk=application.pk)
    found = objects_from_rows(Attachment, rows.attachment_rows, rows._state.db)
    assert [_fields(a) for a in found] == expected
    assert found[0].uploaded_at.tzinfo is not None and found[0].file.name == "anlagen/dritte.pdf"
    empty = Application.objects.annotate(
        attachment_rows=RelatedRows(Attachment.objects.filter(application=OuterRef("pk")))
    ).get(pk=ApplicationFactory().pk)
    assert objects_from_rows(Attachment, empty.attachment_rows, empty._state.db) == []


def test_related_rows_refuse_values_json_cannot_carry_exactly():
    with pytest.raises(ImproperlyConfigured, match="budget"):
        RelatedRows(FundingRound.objects.all())  # amounts in euros: decimals


def test_the_applicant_pages_show_each_applications_attachments_in_upload_order(client):
    member = MembershipFactory()
    first = ApplicationFactory(organisation=member.organisation)
    second_membership = MembershipFactory(user=member.user)
    second = ApplicationFactory(organisation=second_membership.organisation)
    for application, names in ((first, ["a-eins.pdf", "a-zwei.pdf"]), (second, ["b-eins.pdf"])):
        for name in names:
            _attachment(application, name)
    client.force_login(member.user)
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    rows = dashboard.split("<tr>")[2:]  # after the head
    by_application = {
        a.pk: next(r for r in rows if reverse("applications:overview", args=[a.pk]) in r) for a in (first, second)
    }
    assert "a-eins.pdf" in by_application[first.pk] and "b-eins.pdf" not in by_application[first.pk]
    assert "b-eins.pdf" in by_application[second.pk] and "a-zwei.pdf" not in by_application[second.pk]
    overview = client.get(reverse("applications:overview", args=[first.pk])).content.decode()
    assert overview.index("a-eins.pdf") < overview.index("a-zwei.pdf") and "b-eins.pdf" not in overview


def test_related_rows_carry_chosen_fields_and_annotations_the_rest_deferred():
    application = ApplicationFactory()
    made = _attachment(application, "beschluss.pdf", size=42)
    attachments = Attachment.objects.filter(application=OuterRef("pk")).annotate(
        name_length=Length("original_name"), first_upload=Min("application__attachments__uploaded_at")
    )
    loaded = Application.objects.annotate(
        attachment_rows=RelatedRows(
            attachments, fields=("original_name", "size"), annotations=("name_length", "first_upload")
        )
    ).get(pk=application.pk)
    annotations = {"name_length": IntegerField(), "first_upload": DateTimeField()}
    (found,) = objects_from_rows(Attachment, loaded.attachment_rows, loaded._state.db, annotations)
    assert (found.pk, found.original_name, found.size, found.name_length) == (made.pk, "beschluss.pdf", 42, 13)
    assert found.first_upload == Attachment.objects.get(pk=made.pk).uploaded_at
    assert found.get_deferred_fields() >= {"kind", "sha256", "uploaded_at"}
    with CaptureQueriesContext(connection) as queries:
        assert found.sha256 == "a" * 64  # a deferred field loads when asked for, as with only()
    assert len(queries) == 1
