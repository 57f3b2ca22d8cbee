from django import forms

from borough.cmdb.discovery import validation as v
from borough.cmdb.models import DirectorySource
from borough.core.forms import ScopedModelForm


class DirectorySourceForm(ScopedModelForm):
    class Meta:
        model = DirectorySource
        fields = ["name", "is_enabled", "server_uri", "start_tls", "bind_dn", "password_env",
                  "base_dn", "search_filter", "server_class", "device_class",
                  "server_os_contains", "server_ous", "site", "run_every_hours", "page_size",
                  "attribute_map"]
        widgets = {"server_ous": forms.Textarea(attrs={"rows": 3}),
                   "attribute_map": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = getattr(self.instance, "organisation", None) \
            if self.instance.organisation_id else None
        if organisation is not None:
            prefix = v.env_prefix(organisation.code)
            self.fields["password_env"].help_text = (
                "The name of the variable on the Borough server that holds the account's "
                f"password. It must start with {prefix}, like {prefix}PASSWORD. Passwords "
                "are never stored in Borough.")
        for name in ("server_uri", "bind_dn", "password_env", "base_dn", "search_filter",
                     "server_ous", "attribute_map"):
            self.fields[name].widget.attrs.update({"spellcheck": "false",
                                                   "autocapitalize": "none"})
