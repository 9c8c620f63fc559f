"""`{% follow_button message %}` / `{% follow_button board %}`: a follow/unfollow form."""

from django import template

from liuyan.board.models import Message

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context, target):
    request = context["request"]
    user = request.user
    following = False
    if user.is_authenticated:
        following = (
            selectors.is_following_message(user, target.pk)
            if isinstance(target, Message)
            else selectors.is_following_board(user, target.pk)
        )
    return {
        "target": target,
        "following": following,
        "next": request.get_full_path(),
        "request": request,
        "user": user,
    }
