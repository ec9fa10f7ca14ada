"""The demo board (``loader.load``, run by ``manage.py demo_data``), split by concern: people and
accounts, pupils and guardians, records, consent, suppliers and disclosures, privacy requests,
retention leavers, and staff work in progress. Its names and helpers are also used by the
board-scale bench (``bench/generate.py``)."""
