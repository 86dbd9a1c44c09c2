"""Refused activity files kept a problem that quoted a case code looking like a name.

Until the message stopped repeating the value, a refused file's kept problems
(``ImportBatch.errors``) held ``“王小明” looks like a name…`` (or its Chinese, ``“王小明”看起来像是
姓名…``): a child's name, which files.md says is never stored. This rewrites each such problem to
the message without the value (kept with its msgid, so it is told in the reader's language); the
row and column still say where it was. Nothing else of the import record changes.
"""

from django.db import migrations

MESSAGE = (
    "This looks like a name. Case codes only, never a child's name: use letters, digits and "
    "dashes (for example XF-C-017)."
)
#: The old message, in English and in Chinese, after the quoted value.
OLD_MARKERS = ("” looks like a name.", "”看起来像是姓名。")


def quoted_a_name(problem) -> bool:
    if not isinstance(problem, dict):
        return False
    texts = (str(problem.get("message") or ""), str(problem.get("text") or ""))
    return any(marker in text for text in texts for marker in OLD_MARKERS)


def scrub(apps, schema_editor):
    ImportBatch = apps.get_model("core", "ImportBatch")
    refused = ImportBatch.objects.filter(kind="activities").exclude(errors=[])
    for batch in refused.only("pk", "errors").iterator(chunk_size=500):
        problems = batch.errors if isinstance(batch.errors, list) else []
        if not any(quoted_a_name(problem) for problem in problems):
            continue
        for problem in problems:
            if quoted_a_name(problem):
                where = f"row {problem.get('row')}, column {problem.get('column') or 'case_code'}"
                problem.update(message=MESSAGE, text=f"{where}: {MESSAGE}", msgid=MESSAGE, params={})
        ImportBatch.objects.filter(pk=batch.pk).update(errors=problems)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_official_calendar"),
        ("delivery", "0002_flagged_activities"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop, elidable=True)]
