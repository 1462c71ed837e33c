from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Letter


class OtherNotificationForm(forms.Form):
    """Staff record how and on which day a Bescheid was notified another way."""

    notified_on = forms.DateField(
        label=_("bekanntgegeben am"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Der Tag, an dem der Bescheid als bekannt gegeben gilt (bei Post: der Tag, an dem er nach "
            "§ 41 Abs. 2 LVwVfG als bekannt gegeben gilt)."
        ),
    )
    way = forms.ChoiceField(label=_("Weg der Bekanntgabe"), choices=Letter.OtherWay.choices)
