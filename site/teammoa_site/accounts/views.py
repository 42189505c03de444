"""Profile and deactivation pages (allauth serves sign-up, login, e-mail and passwords)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, UpdateView

from teammoa_site.accounts.forms import DeactivateForm, ProfileForm
from teammoa_site.accounts.models import User
from teammoa_site.accounts.services import deactivate_account


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset: Any = None) -> User:
        # A copy, so a rejected edit never shows up in the page header as if saved.
        return User.objects.get(pk=self.request.user.pk)

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        messages.success(self.request, _("Your profile was saved."))
        return super().form_valid(form)


class DeactivateView(LoginRequiredMixin, FormView):
    form_class = DeactivateForm
    template_name = "accounts/deactivate.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: DeactivateForm) -> HttpResponse:
        deactivate_account(self.request.user)  # type: ignore[arg-type]
        logout(self.request)
        messages.info(self.request, _("Your account was deactivated. Goodbye."))
        return redirect("home")
