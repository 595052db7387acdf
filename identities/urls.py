from django.urls import path

from identities.views import dashboard, signin

app_name = "identities"

urlpatterns = [
    path("signin", signin.signin, name="signin"),
    path("signin/mfa/", signin.signin_mfa, name="signin-mfa"),
    path("signin/change-password/", signin.signin_change_password, name="signin-change-password"),
    path("signin/<str:account_ref>/", signin.signin, name="signin-account"),
    path("signout/", signin.signout, name="signout"),
    path("signup/", signin.signup, name="signup"),
    path("iam/", dashboard.dashboard, name="dashboard"),
    path("iam/account-alias/", dashboard.account_alias_update, name="account-alias-update"),
]
