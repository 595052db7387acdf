from django.urls import path

from sts import views

app_name = "sts"

urlpatterns = [
    path("iam/switch-role/", views.switch_role, name="switch-role"),
    path("iam/switch-back/", views.switch_back, name="switch-back"),
]
