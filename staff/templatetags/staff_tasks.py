from django import template
from django.utils import timezone

from staff.selectors import tasks_for

register = template.Library()


@register.inclusion_tag("staff/tasks.html", takes_context=True)
def staff_tasks(context):
    """The "Aufgaben" of the signed-in staff member, for the admin index."""
    request = context.get("request")
    sections = tasks_for(request.user, today=timezone.localdate()) if request else []
    return {"sections": sections}
