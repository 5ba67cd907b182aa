"""The plan figure of a Project 05 indicator assigned from above: shown locked in the record's editor."""

from __future__ import annotations

from danvan_desktop.formspec.values import format_number
from danvan_desktop.services.entry.entry import FormContext
from danvan_desktop.services.office.targets import TARGET_FIELD, TARGET_NOTE, target_of
from danvan_desktop.ui.form_editor import FormEditor


def install_target_lock(editor: FormEditor, context: FormContext) -> None:
    """Lock `chi_tieu` while the record's indicator number has an assigned target (saving enforces it too)."""
    targets = context.assigned_targets
    if not targets or TARGET_FIELD not in editor.form.field_ids:
        return

    def follow() -> None:
        target = target_of(editor.values(), targets)
        if target is None:
            editor.unlock_field(TARGET_FIELD)
        else:
            note = f"{TARGET_NOTE}: {format_number(target, 2)} (không sửa được ở đây)."
            editor.lock_field(TARGET_FIELD, target, note)

    editor.values_changed.connect(follow)
    follow()
