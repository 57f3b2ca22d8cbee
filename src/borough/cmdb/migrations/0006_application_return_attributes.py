"""Application classes made before the systems return get its attributes (supplier,
supplier support, data held), each only where the class has no attribute of that name.
The definitions are copied here so this migration never changes with the code."""

from django.db import migrations

RETURN_ATTRIBUTES = [
    {"name": "supplier", "label": "Supplier", "type": "text", "required": False,
     "choices": [], "help": "Who supplies and maintains it under contract"},
    {"name": "supplier_support", "label": "Supplier support", "type": "text",
     "required": False, "choices": [],
     "help": "What the supplier's support covers: hours, response times, how to call them"},
    {"name": "data_held", "label": "Data held", "type": "text", "required": False,
     "choices": [],
     "help": "The information it holds, for example council tax accounts or case files"},
]


def add_attributes(apps, schema_editor):
    CIClass = apps.get_model("cmdb", "CIClass")  # noqa: N806
    for ci_class in CIClass.objects.filter(code="application"):
        schema = list(ci_class.attribute_schema or [])
        have = {d.get("name") for d in schema if isinstance(d, dict)}
        missing = [d for d in RETURN_ATTRIBUTES if d["name"] not in have]
        if missing:
            ci_class.attribute_schema = schema + missing
            ci_class.save(update_fields=["attribute_schema"])


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0005_impact_and_list_indexes")]

    operations = [migrations.RunPython(add_attributes, migrations.RunPython.noop)]
