from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("channels/", views.choose_channels, name="channels"),
    path("<int:notification_id>/read/", views.mark_read, name="mark_read"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("follow/message/<int:message_id>/", views.follow_message, name="follow_message"),
    path("follow/board/<int:board_id>/", views.follow_board, name="follow_board"),
]
