"""The shared knowledge base page, and its fragment beside the reply form."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from liuyan.board import access
from liuyan.web.inputs import parse_id

from ..forms import domain_field
from ..selectors import knowledge
from .common import desk_view, render_desk

UNIT = access.UNIT


class KnowledgeSearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    domain = domain_field(empty_label=_("All domains"))


@desk_view(UNIT)
def knowledge_base(request):
    """Search every published reply (all units) by words and domain; with ?for=<assignment>,
    the answers most like that assignment's message, for the handler writing its reply."""
    form = KnowledgeSearchForm(request.GET or None)
    assignment = None
    answers: list = []
    # parse_id, not str.isdigit(): '²' is a digit to Python and not a number to int().
    assignment_id = parse_id(request.GET.get("for"))
    if assignment_id is not None:
        assignment = get_object_or_404(
            access.unit_assignments(request.scope).select_related("message"),
            pk=assignment_id,
        )
        answers = knowledge.answers_like(assignment)
    elif form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["domain"]):
        answers = knowledge.search_answers(
            query=form.cleaned_data["q"], domain=form.cleaned_data["domain"]
        )
    context = {
        "form": form,
        "answers": answers,
        "for_assignment": assignment,
        "searched": bool(request.GET),
    }
    return render_desk(
        request, "desk/unit/knowledge.html", context, partial="desk/unit/_knowledge_rows.html"
    )
