from django.urls import path

from policies.views import editor, policies, simulator

app_name = "policies"

# Policies are named by ARN, which holds slashes: pages that act on one policy
# take it as the rest of the path, under a prefix of their own.
urlpatterns = [
    path("iam/policies/", policies.policy_list, name="policy-list"),
    path("iam/create-policy/", policies.policy_create, name="policy-create"),
    path("iam/validate-policy/", editor.validate, name="policy-validate"),
    path("iam/edit-policy/<path:policy_arn>", policies.policy_edit, name="policy-edit"),
    path("iam/policy-versions/<path:policy_arn>", policies.policy_versions_update,
         name="policy-versions-update"),
    path("iam/policy-entities/<path:policy_arn>", policies.policy_entities_update,
         name="policy-entities-update"),
    path("iam/delete-policy/<path:policy_arn>", policies.policy_delete, name="policy-delete"),
    path("iam/policies/<path:policy_arn>", policies.policy_detail, name="policy-detail"),
    path("iam/policy-simulator/", simulator.simulator, name="simulator"),
]
