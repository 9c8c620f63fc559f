from django.urls import path

from . import views
from .feeds import BoardFeed

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("boards/", views.board_finder, name="boards"),
    path("boards/<int:board_id>/", views.board_detail, name="board"),
    path("boards/<int:board_id>/feed.atom", BoardFeed(), name="board_feed"),
    path("write/", views.write, name="write"),
    path("my/messages/", views.my_messages, name="my_messages"),
    path("search/", views.search, name="search"),
    path("messages/<str:serial>/", views.message_detail, name="message"),
    path("messages/<str:serial>/rate/", views.rate, name="rate"),
    path("messages/<str:serial>/follow-up/", views.follow_up, name="follow_up"),
    path("messages/<str:serial>/thanks/", views.thanks, name="thanks"),
    path("images/<str:token>/", views.attachment, name="attachment"),
]
