"""EDEXML 2.1, the Dutch exchange format for pupils, groups and teachers.

Reading a file from the previous administration system lives here, beside the pupils it
creates, in three steps:

* ``reading.py``: the schema check, then a streaming read record by record;
* ``planning/``: what will change per group, pupil and teacher (the preview; nothing written);
* ``applying.py``: carrying out that plan in one transaction, held to what the preview showed.

``validation.py`` (safe parsing and the schema check) and ``schema/`` (the standard's files) are
shared with the writer that exports pupils through the disclosure gate
(``suppliers/edexml/writer.py``). The upload, the background jobs and the pages of an import are
``suppliers/import_jobs.py`` and ``suppliers/views.py``.
"""
