"""Policy forms: shape only; the engine and the operations judge the content."""

from __future__ import annotations

from django import forms

EXAMPLE_DOCUMENT = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Statement1",
            "Effect": "Allow",
            "Action": [],
            "Resource": []
        }
    ]
}"""


class PolicyDocumentForm(forms.Form):
    policy_document = forms.CharField(widget=forms.Textarea(attrs={
        "class": "form-control policy-editor", "spellcheck": "false", "rows": 22,
        "data-policy-editor": "", "aria-label": "Policy editor"}), max_length=131072, strip=False)


class CreatePolicyForm(PolicyDocumentForm):
    policy_name = forms.CharField(max_length=128, label="Policy name",
                                  help_text="Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters.")
    description = forms.CharField(max_length=1000, required=False, label="Description - optional",
                                  widget=forms.Textarea(attrs={"rows": 2}))
    path = forms.CharField(max_length=512, required=False, initial="/", label="Path - optional")
