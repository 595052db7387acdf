"""Console forms: they check shape only; rules live in operations and services."""

from __future__ import annotations

from django import forms


class SignInForm(forms.Form):
    KIND_CHOICES = [("root", "Root user"), ("iam", "IAM user")]

    kind = forms.ChoiceField(choices=KIND_CHOICES, widget=forms.RadioSelect, initial="root",
                             label="Sign in as")
    email = forms.CharField(max_length=254, required=False, label="Root user email address")
    account = forms.CharField(max_length=63, required=False, label="Account ID (12 digits) or account alias")
    user_name = forms.CharField(max_length=64, required=False, label="IAM user name")
    password = forms.CharField(max_length=128, strip=False, widget=forms.PasswordInput,
                               label="Password")

    def clean(self):
        data = super().clean()
        if data.get("kind") == "root":
            if not data.get("email"):
                self.add_error("email", "Enter the root user email address.")
        else:
            if not data.get("account"):
                self.add_error("account", "Enter the account ID or alias.")
            if not data.get("user_name"):
                self.add_error("user_name", "Enter your IAM user name.")
        return data


class MFAForm(forms.Form):
    code = forms.CharField(max_length=6, min_length=6, label="MFA code",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric", "autofocus": True}))


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(strip=False, widget=forms.PasswordInput, label="Old password",
                                   max_length=128)
    new_password = forms.CharField(strip=False, widget=forms.PasswordInput, label="New password",
                                   max_length=128)
    confirm_password = forms.CharField(strip=False, widget=forms.PasswordInput,
                                       label="Retype new password", max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("confirm_password"):
            self.add_error("confirm_password", "The passwords do not match.")
        return data


class SignUpForm(forms.Form):
    email = forms.EmailField(label="Root user email address")
    account_name = forms.CharField(max_length=50, label="AWS account name")
    password = forms.CharField(strip=False, widget=forms.PasswordInput, label="Root user password",
                               max_length=128)
    confirm_password = forms.CharField(strip=False, widget=forms.PasswordInput,
                                       label="Confirm root user password", max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm_password"):
            self.add_error("confirm_password", "The passwords do not match.")
        return data


class AccountAliasForm(forms.Form):
    alias = forms.CharField(max_length=63, required=False, label="Preferred alias")
