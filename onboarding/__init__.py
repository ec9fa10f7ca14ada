"""Onboarding: setting up a school (``services.school_provision``), the ``school_setup`` command
that does it on a new server, and the demo board (``demo``, the ``demo_data`` command)."""
