from django.urls import path

from identities.views import (
    account_settings,
    dashboard,
    groups,
    security_credentials,
    shown_once,
    signin,
    user_actions,
    user_create,
    users,
)

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
    # Users (pages that act on the collection sit outside /iam/users/ so that no user
    # name, which may be "create", can shadow them)
    path("iam/users/", users.user_list, name="user-list"),
    path("iam/create-user/", user_create.user_create, name="user-create"),
    path("iam/delete-users/", users.user_delete_selected, name="user-delete-selected"),
    path("iam/users/<str:user_name>/", users.user_detail, name="user-detail"),
    path("iam/users/<str:user_name>/delete/", users.user_delete, name="user-delete"),
    path("iam/users/<str:user_name>/tags/", users.user_tags_update, name="user-tags-update"),
    path("iam/users/<str:user_name>/password/", shown_once.password_shown, name="user-password-shown"),
    path("iam/users/<str:user_name>/console-access/", user_actions.console_access,
         name="user-console-access"),
    path("iam/users/<str:user_name>/access-keys/", user_actions.access_key_create,
         name="user-access-key-create"),
    path("iam/users/<str:user_name>/access-keys/<str:access_key_id>/", user_actions.access_key_update,
         name="user-access-key-update"),
    path("iam/users/<str:user_name>/mfa/remove/", user_actions.mfa_remove, name="user-mfa-remove"),
    path("iam/users/<str:user_name>/groups/", user_actions.groups_update, name="user-groups-update"),
    path("iam/users/<str:user_name>/policies/", user_actions.policies_update,
         name="user-policies-update"),
    path("iam/access-key-created/", shown_once.access_key_shown, name="access-key-shown"),
    # User groups
    path("iam/groups/", groups.group_list, name="group-list"),
    path("iam/create-group/", groups.group_create, name="group-create"),
    path("iam/groups/<str:group_name>/", groups.group_detail, name="group-detail"),
    path("iam/groups/<str:group_name>/members/", groups.group_members_update,
         name="group-members-update"),
    path("iam/groups/<str:group_name>/policies/", groups.group_policies_update,
         name="group-policies-update"),
    path("iam/groups/<str:group_name>/delete/", groups.group_delete, name="group-delete"),
    # Account settings and the caller's own credentials
    path("iam/account-settings/", account_settings.account_settings, name="account-settings"),
    path("iam/account-settings/password-policy/", account_settings.password_policy_update,
         name="password-policy-update"),
    path("iam/security-credentials/", security_credentials.security_credentials,
         name="security-credentials"),
    path("iam/security-credentials/password/", security_credentials.change_password,
         name="own-password-change"),
    path("iam/security-credentials/mfa/assign/", security_credentials.mfa_assign, name="mfa-assign"),
    path("iam/security-credentials/mfa/", security_credentials.mfa_update, name="own-mfa-update"),
    path("iam/security-credentials/access-keys/", security_credentials.own_access_key_create,
         name="own-access-key-create"),
    path("iam/security-credentials/access-keys/<str:access_key_id>/",
         security_credentials.own_access_key_update, name="own-access-key-update"),
]
