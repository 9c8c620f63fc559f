from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.request_code, name="request_code"),
    path("login/verify/", views.verify_code, name="verify_code"),
    path("login/password/", views.password_login, name="password_login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("staff/login/", views.staff_login, name="staff_login"),
    path("staff/second-factor/", views.staff_second_factor, name="staff_second_factor"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/locks/", views.sign_in_locks, name="sign_in_locks"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
