"""The site's form renderer: any form gets labels, help and errors beside each field."""

from __future__ import annotations

from django import forms

from tests.accounts_support import Page


class SampleForm(forms.Form):
    title = forms.CharField(label="Title", max_length=5, help_text="Short.")
    colour = forms.ChoiceField(
        label="Colour", choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect
    )
    agree = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The form as a whole is wrong.")


def test_an_unbound_form_has_labels_help_and_no_alert():
    page = Page(str(SampleForm()))

    assert page.unlabelled_controls() == []
    assert page.by_id("id_title").attrs["aria-describedby"] == "id_title_helptext"
    assert page.by_id("id_title_helptext").text == "Short."
    assert page.alert_text() == ""
    assert not page.with_class("field__errors")
    legends = [n.text for n in page.find_all("legend")]
    assert legends == ["Colour"]


def test_a_bound_form_shows_each_error_beside_its_field_and_the_rest_on_top():
    form = SampleForm({"title": "far too long", "token": ""})
    page = Page(str(form))

    assert "at most 5 characters" in page.field_error("title")
    assert page.by_id("id_title").attrs["aria-describedby"] == "id_title_helptext id_title_error"
    assert "required" in page.field_error("agree")
    # Radio buttons: the group is a fieldset described by its errors.
    fieldset = page.find_all("fieldset")[0]
    assert "id_colour_error" in fieldset.attrs["aria-describedby"].split()
    assert "required" in page.by_id("id_colour_error").text
    # The form's own errors and the hidden field's are in the alert at the top.
    alert = page.alert_text()
    assert "(Hidden field token) This field is required." in alert
    assert "Please correct the fields marked below:" in alert
    summary_links = [a.attrs["href"] for a in page.find_all("a")]
    assert summary_links == ["#id_title", "#id_colour_0", "#id_agree"]
