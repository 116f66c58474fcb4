"""How every form is drawn: ``{{ form }}`` renders ``core/forms/form.html``,
which sums up a refused form's errors at its top, each linked to its field."""

from django.forms.renderers import DjangoTemplates


class MajlisFormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
