"""Export of the messages a staff member's desks cover (CSV, XLSX, JSON Lines), streamed."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone

from liuyan.board import access
from liuyan.channels import export

from ..forms import ExportForm
from .common import desk_view, render_desk


@desk_view()
def export_messages(request):
    form = ExportForm(request.GET or None)
    if "format" in request.GET and form.is_valid():
        data = form.cleaned_data
        chosen = export.ExportFilter(
            board_id=data["board"].pk if data["board"] else None,
            state=data["state"],
            channel=data["channel"],
            since=data["since"],
            until=data["until"],
        )
        # Only the remit `access` gives this user; the filters narrow it further.
        messages = chosen.apply(access.remit_messages(request.scope))
        fmt = data["format"]
        response = StreamingHttpResponse(
            export.pieces(fmt, messages), content_type=export.CONTENT_TYPES[fmt]
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="liuyan-{stamp}.{fmt}"'
        return response
    return render_desk(request, "desk/export.html", {"form": form})
