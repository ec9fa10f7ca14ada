from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def edexml_schema_loads(app_configs, **kwargs):
    """check, migrate and runserver stop when EDEXML_VARIABLE_TYPES_FILE names no usable file,
    instead of the first export finding out."""
    from students.edexml.validation import schema

    try:
        schema()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="suppliers.E001")]
    return []
