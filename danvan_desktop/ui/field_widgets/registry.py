"""The widget registry: one FieldWidget class per field type, built the same way for every field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtWidgets import QWidget

from danvan_desktop.formspec.model import ChoiceDef, FieldDef
from danvan_desktop.ui.field_widgets.base import FieldWidget, Option
from danvan_desktop.ui.field_widgets.choice_widgets import MultiChoiceWidget, SearchComboWidget, YesNoWidget
from danvan_desktop.ui.field_widgets.line_widgets import (
    CodeListWidget,
    DateWidget,
    LongTextWidget,
    NumberWidget,
    RatioWidget,
    TextWidget,
)

WIDGETS: dict[str, type[FieldWidget]] = {
    "integer": NumberWidget,
    "decimal": NumberWidget,
    "money": NumberWidget,
    "area": NumberWidget,
    "labour_days": NumberWidget,
    "percent": NumberWidget,
    "text": TextWidget,
    "long_text": LongTextWidget,
    "date": DateWidget,
    "choice": SearchComboWidget,
    "multi_choice": MultiChoiceWidget,
    "yes_no": YesNoWidget,
    "org_unit": SearchComboWidget,
    "organization": SearchComboWidget,
    "ratio": RatioWidget,
}


def field_options(
    field: FieldDef,
    choices: Sequence[ChoiceDef] | None = None,
    units: Sequence[Option] | None = None,
    organizations: Sequence[Option] | None = None,
) -> list[Option] | None:
    """The (code, label) items a list field offers; None when the list is not known here."""
    if field.type in ("choice", "multi_choice"):
        listed = choices if choices is not None else field.choices
        return None if listed is None else [(c.value, c.label) for c in listed]
    if field.type == "org_unit":
        return None if units is None else list(units)
    if field.type == "organization":
        return None if organizations is None else list(organizations)
    return None


def create_widget(
    field: FieldDef,
    choices: Sequence[ChoiceDef] | None = None,
    units: Sequence[Option] | None = None,
    organizations: Sequence[Option] | None = None,
    parent: QWidget | None = None,
    *,
    organization_names: Mapping[str, str] | None = None,
) -> FieldWidget:
    """The input for `field`; `choices` replaces the field's own list (for `choices_from`).

    `organization_names` (code -> full name) lets an organization be found by its full name too.
    """
    options = field_options(field, choices, units, organizations)
    widget_class = WIDGETS[field.type]
    if widget_class is MultiChoiceWidget and options is None:
        widget_class = CodeListWidget  # no list to tick: the codes are typed
    widget = widget_class(field, options, parent)
    if field.type == "organization" and organization_names and isinstance(widget, SearchComboWidget):
        widget.set_keywords(organization_names)
    return widget
