"""Form inputs: one widget class per field type behind a small shared interface (see registry)."""

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
from danvan_desktop.ui.field_widgets.registry import WIDGETS, create_widget, field_options
from danvan_desktop.ui.field_widgets.row import FieldRow

__all__ = [
    "WIDGETS",
    "CodeListWidget",
    "DateWidget",
    "FieldRow",
    "FieldWidget",
    "LongTextWidget",
    "MultiChoiceWidget",
    "NumberWidget",
    "Option",
    "RatioWidget",
    "SearchComboWidget",
    "TextWidget",
    "YesNoWidget",
    "create_widget",
    "field_options",
]
