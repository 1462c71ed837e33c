"""Forms of the review and decision admin pages.

They only parse and validate input; every change happens in ``reviews.services``.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.roles import REVIEWER_GROUP
from foerderportal.forms import GermanDecimalField

from .models import Decision, Recommendation


class ConflictForm(forms.Form):
    """Step one of a review: the declaration on conflicts of interest."""

    reason = forms.CharField(
        label=_("Grund der Befangenheit (freiwillig)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class ReviewScoreForm(forms.Form):
    """Points and a comment per criterion, plus recommendation and note.

    Field names are ``points_<criterion id>`` and ``comment_<criterion id>``; empty
    points are allowed here (saving an unfinished review), ``finish_review`` insists.
    """

    recommendation = forms.ChoiceField(
        label=_("Empfehlung"),
        required=False,
        choices=[("", _("– noch keine Empfehlung –")), *Recommendation.choices],
    )
    note = forms.CharField(
        label=_("Anmerkung (für die Akademie)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def __init__(self, *args, criteria, scores=None, review=None, **kwargs):
        self.criteria = list(criteria)
        scores = scores or {}
        if review is not None and "initial" not in kwargs:
            kwargs["initial"] = {"recommendation": review.recommendation, "note": review.note}
        super().__init__(*args, **kwargs)
        criterion_fields = {}
        for criterion in self.criteria:
            score = scores.get(criterion.pk)
            criterion_fields[f"points_{criterion.pk}"] = forms.IntegerField(
                label=_("Punkte für „%(title)s“ (0 bis %(max)d)")
                % {"title": criterion.title, "max": criterion.max_points},
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                initial=score.points if score else None,
                widget=forms.NumberInput(
                    attrs={
                        "min": 0,
                        "max": criterion.max_points,
                        "step": 1,
                        "aria-describedby": f"criterion-{criterion.pk}-guidance",
                    }
                ),
            )
            criterion_fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Begründung zu „%(title)s“") % {"title": criterion.title},
                required=False,
                initial=score.comment if score else "",
                widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
            )
        # Criteria first, then recommendation and note.
        self.fields = {**criterion_fields, **self.fields}

    def criterion_rows(self):
        """(criterion, points field, comment field) per criterion, for the template."""
        return [(c, self[f"points_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self):
        """``{criterion_id: (points or None, comment)}`` as ``save_review`` expects it."""
        data = self.cleaned_data
        return {c.pk: (data.get(f"points_{c.pk}"), data.get(f"comment_{c.pk}") or "") for c in self.criteria}


def reviewer_choices():
    return (
        get_user_model()
        .objects.filter(groups__name=REVIEWER_GROUP, is_active=True)
        .order_by("last_name", "first_name", "email")
        .distinct()
    )


class AssignReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Gutachter/innen"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Bitte wählen Sie mindestens eine Person aus.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_choices()
        self.fields["reviewers"].label_from_instance = lambda user: f"{user} <{user.email}>"


class RejectForm(forms.Form):
    reasons = forms.CharField(
        label=_("Begründung für den Bescheid"),
        help_text=_("Die Begründung steht im Bescheid (Ablehnung) an die Kommune."),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        error_messages={"required": _("Bitte begründen Sie die Ablehnung.")},
    )


class DecisionForm(forms.Form):
    """The decision box on an application's admin page; ``kind`` comes from the pressed button."""

    kind = forms.ChoiceField(choices=Decision.Kind.choices, widget=forms.HiddenInput)
    amount = GermanDecimalField(
        label=_("Betrag (EUR)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Vorgabe: Höchstbetrag je Paket der Förderrunde."),
    )
    reasons = forms.CharField(
        label=_("Begründung für den Bescheid"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def __init__(self, *args, funding_round=None, **kwargs):
        super().__init__(*args, **kwargs)
        if funding_round is not None:
            self.fields["amount"].initial = funding_round.max_per_package
