"""The deploy files (Dockerfile, docker-compose.yml, .env.example) agree with each other and
with the settings.

No docker engine is needed: the files are parsed, not run. No database either.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_DIR = ROOT / "samen_een" / "settings"
DEPLOYED_SETTINGS = (SETTINGS_DIR / "base.py", SETTINGS_DIR / "production.py")

APP_SERVICES = ("web", "worker", "beat")
LONG_RUNNING_WITH_HEALTHCHECK = ("postgres", "redis", "web", "worker")
SECRET_VARIABLES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "EMAIL_HOST_PASSWORD")
# Set as dummies for the build step only; never persisted in the image.
BUILD_ONLY_VARIABLES = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "FIELD_HASH_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
)

# env("NAME"), env.bool("NAME", ...), env.list(...), env.db(...), env.cache(...), env.int(...)
SETTINGS_ENV_READ = re.compile(r"\benv(?:\.[a-z]+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
ENV_EXAMPLE_ASSIGNMENT = re.compile(r"^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
COMPOSE_INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
# A Fernet key: 32 bytes, url-safe base64, 44 characters ending in "=".
FERNET_KEY_SHAPE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=")


# --- helpers -------------------------------------------------------------------------------


def _compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _services() -> dict:
    return _compose()["services"]


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def _instructions(keyword: str) -> list[str]:
    return [args for kw, args in _dockerfile_instructions() if kw == keyword]


def _exec_form(arguments: str) -> list[str]:
    """CMD/ENTRYPOINT arguments as a list, whether written in exec form or shell form."""
    if arguments.startswith("["):
        return yaml.safe_load(arguments)  # JSON array; JSON is YAML
    return shlex.split(arguments)


def _env_file_names(service: dict) -> list[str]:
    value = service.get("env_file", [])
    entries = [value] if isinstance(value, str | dict) else list(value)
    return [entry["path"] if isinstance(entry, dict) else entry for entry in entries]


def _environment(service: dict) -> dict[str, str]:
    value = service.get("environment") or {}
    if isinstance(value, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in value)
    return {key: (None if val is None else str(val)) for key, val in value.items()}  # type: ignore[misc]  # a variable without a value is None


def _command_text(service: dict) -> str:
    command = service.get("command") or ""
    return command if isinstance(command, str) else " ".join(command)


def _healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def _named_mounts(service: dict) -> dict[str, str]:
    """{volume name: container path} for the service's named-volume mounts."""
    mounts: dict[str, str] = {}
    for entry in service.get("volumes", []):
        if isinstance(entry, dict):
            if entry.get("type", "volume") == "volume" and entry.get("source"):
                mounts[entry["source"]] = entry["target"]
            continue
        source, _, rest = entry.partition(":")
        if rest and not source.startswith((".", "/", "~", "$")):
            mounts[source] = rest.split(":")[0]
    return mounts


def _depends_on(service: dict) -> dict[str, str]:
    """{service: condition}; the list form means service_started."""
    value = service.get("depends_on") or {}
    if isinstance(value, list):
        return dict.fromkeys(value, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in value.items()}


def _settings_variables() -> set[str]:
    found: set[str] = set()
    for path in DEPLOYED_SETTINGS:
        found.update(SETTINGS_ENV_READ.findall(path.read_text(encoding="utf-8")))
    return found


def _env_example_variables() -> set[str]:
    return set(ENV_EXAMPLE_ASSIGNMENT.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))


def _demo_secret_values() -> set[str]:
    """Secret values hard-coded for dev/test/.env.example; none may reach the image."""
    values: set[str] = set()
    for path in (SETTINGS_DIR / "dev.py", SETTINGS_DIR / "test.py"):
        text = path.read_text(encoding="utf-8")
        for name in SECRET_VARIABLES:
            # A default in the settings' DEFAULTS ("NAME": "value", a long one in parentheses)
            # or given as setdefault("NAME", "value").
            for match in re.finditer(
                rf"\"{name}\"\s*[:,]\s*\(?\s*((?:\"[^\"]*\"\s*)+)", text, re.DOTALL
            ):
                joined = "".join(re.findall(r"\"([^\"]*)\"", match.group(1)))
                values.update(part for part in joined.split(",") if part)
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() in SECRET_VARIABLES and value.strip():
            values.add(value.strip())
    return values


# --- docker-compose.yml --------------------------------------------------------------------


def test_all_services_defined_when_compose_file_is_parsed():
    services = _services()

    missing = {"postgres", "redis", "web", "worker", "beat"} - set(services)
    assert not missing, f"docker-compose.yml lacks services: {sorted(missing)}"


def test_same_image_and_settings_when_web_worker_and_beat_start():
    services = _services()
    reference = services["web"]
    assert reference.get("build") or reference.get("image"), "web has neither build nor image"
    assert ".env" in _env_file_names(reference), "web does not read .env"

    for name in ("worker", "beat"):
        service = services[name]
        assert service.get("build") == reference.get("build"), f"{name} builds differently"
        assert service.get("image") == reference.get("image"), f"{name} runs another image"
        assert _env_file_names(service) == _env_file_names(reference), f"{name}: env_file"
        assert _environment(service) == _environment(reference), f"{name}: environment"


def test_production_settings_used_when_app_services_start():
    for name in APP_SERVICES:
        environment = _environment(_services()[name])
        assert environment.get("DJANGO_SETTINGS_MODULE") == "samen_een.settings.production", name


@pytest.mark.parametrize("name", LONG_RUNNING_WITH_HEALTHCHECK)
def test_healthcheck_defined_when_service_runs(name):
    healthcheck = _services()[name].get("healthcheck")

    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
    test = healthcheck.get("test")
    assert test, f"{name} healthcheck has no test"
    if isinstance(test, list):
        assert test[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck test must run a command"
        assert len(test) > 1


def test_database_and_broker_probed_when_checking_health():
    services = _services()

    assert "pg_isready" in _healthcheck_text(services["postgres"])
    assert "redis-cli" in _healthcheck_text(services["redis"])
    assert "ping" in _healthcheck_text(services["redis"])


def test_web_probed_without_curl_when_checking_health():
    check = _healthcheck_text(_services()["web"])

    assert "urllib" in check
    assert "http://127.0.0.1:8000/healthz" in check
    assert "curl" not in check and "wget" not in check  # neither is in python:3.11-slim


def test_worker_pinged_when_checking_health():
    check = _healthcheck_text(_services()["worker"])

    assert "celery -A samen_een inspect ping" in check
    assert "-d celery@" in check, "ping must target this worker's node, not any worker"


def test_worker_and_beat_run_celery_when_started():
    services = _services()

    assert _command_text(services["worker"]).startswith("celery -A samen_een worker")
    assert _command_text(services["beat"]).startswith("celery -A samen_een beat")


def test_named_volumes_declared_when_services_keep_data():
    compose = _compose()
    declared = set(compose.get("volumes") or {})
    services = compose["services"]

    assert len(declared) >= 4, f"expected volumes for db, redis, beat and media: {declared}"
    for name, service in services.items():
        undeclared = set(_named_mounts(service)) - declared
        assert not undeclared, f"{name} mounts undeclared volumes {sorted(undeclared)}"
    assert "/var/lib/postgresql/data" in _named_mounts(services["postgres"]).values()
    assert "/data" in _named_mounts(services["redis"]).values()
    assert any(path == "/app/media" for path in _named_mounts(services["web"]).values())


def test_beat_schedule_kept_when_beat_container_is_recreated():
    beat = _services()["beat"]
    match = re.search(r"(?:--schedule[= ]|-s )(\S+)", _command_text(beat))

    assert match, "beat has no --schedule file; the default lands in the container layer"
    schedule = match.group(1)
    mount_points = _named_mounts(beat).values()
    assert any(schedule.startswith(path.rstrip("/") + "/") for path in mount_points), (
        f"beat schedule {schedule} is not on a named volume"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_waits_when_database_or_broker_not_healthy(name):
    depends_on = _depends_on(_services()[name])

    assert depends_on.get("postgres") == "service_healthy", depends_on
    assert depends_on.get("redis") == "service_healthy", depends_on


@pytest.mark.parametrize("name", APP_SERVICES)
def test_migrations_applied_when_app_service_starts(name):
    services = _services()
    service = services[name]
    if "migrate" in _command_text(service) and "manage.py" in _command_text(service):
        return  # migrates in its own entry command
    migrators = {
        other
        for other, condition in _depends_on(service).items()
        if condition == "service_completed_successfully"
        and "manage.py migrate" in _command_text(services[other])
    }
    assert migrators, f"{name} starts without waiting for `manage.py migrate` to finish"
    for other in migrators:
        assert "--noinput" in _command_text(services[other])
        assert services[other].get("image") == services["web"].get("image")
        # The same settings, except that migrate alone connects as the owner of the tables.
        migrate_env, web_env = _environment(services[other]), _environment(services["web"])
        assert migrate_env.pop("DATABASE_OWNER_URL").startswith("${DATABASE_OWNER_URL")
        assert web_env.pop("DATABASE_OWNER_URL") == ""
        assert migrate_env == web_env


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_no_owner_credentials_when_started(name):
    """web, worker and beat connect as the application role: the owner's URL and the database
    passwords from .env are blanked for them (environment wins over env_file)."""
    environment = _environment(_services()[name])
    for variable in ("DATABASE_OWNER_URL", "POSTGRES_PASSWORD", "POSTGRES_APP_PASSWORD"):
        assert environment.get(variable) == "", f"{name} would receive {variable} from .env"


def test_application_role_created_without_privileges_when_database_is_initialised():
    postgres = _services()["postgres"]
    mounts = [volume for volume in postgres["volumes"] if "docker-entrypoint-initdb.d" in volume]
    assert mounts, "the application role is never created"
    script = ROOT / mounts[0].split(":")[0]
    text = script.read_text(encoding="utf-8")
    assert "CREATE ROLE samen_een_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" in text
    assert "POSTGRES_APP_PASSWORD" in text
    assert "samen_een_app:" in ENV_EXAMPLE.read_text(encoding="utf-8").split("DATABASE_URL=")[1]


def test_database_and_broker_unpublished_when_compose_starts():
    services = _services()

    assert not services["postgres"].get("ports"), "PostgreSQL must not be published"
    assert not services["redis"].get("ports"), "Redis must not be published"


def test_compose_variables_documented_when_compose_interpolates_them():
    # Compose fills ${VAR} from .env; each one must be explained to whoever writes .env.
    used = set(COMPOSE_INTERPOLATION.findall(COMPOSE_FILE.read_text(encoding="utf-8")))

    missing = sorted(used - _env_example_variables())
    assert not missing, f".env.example does not document {missing} (used in docker-compose.yml)"


# --- Dockerfile ----------------------------------------------------------------------------


def test_slim_python_311_used_when_image_is_built():
    froms = _instructions("FROM")

    assert froms, "Dockerfile has no FROM"
    assert froms[-1].split()[0] == "python:3.11-slim"


def test_hashes_verified_when_requirements_are_installed():
    installs = [run for run in _instructions("RUN") if "pip install" in run]

    assert installs, "Dockerfile never runs pip install"
    assert any(
        "--require-hashes" in run and "-r requirements.lock" in run and "--no-cache-dir" in run
        for run in installs
    ), installs
    for run in installs:
        assert "requirements-dev.lock" not in run, "dev dependencies do not belong in the image"


def test_unprivileged_user_when_container_starts():
    users = _instructions("USER")

    assert users, "Dockerfile has no USER: the portal would run as root"
    final_user = users[-1].split(":")[0].strip()
    assert final_user not in ("root", "0"), f"final USER is {final_user}"
    keywords = [kw for kw, _args in _dockerfile_instructions()]
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    assert "CMD" in keywords[last_user:], "CMD must come after the final USER"


def test_no_secret_in_image_when_built():
    text = DOCKERFILE.read_text(encoding="utf-8")

    for keyword in ("ENV", "ARG", "LABEL"):
        for arguments in _instructions(keyword):
            for name in BUILD_ONLY_VARIABLES + SECRET_VARIABLES:
                assert not re.search(rf"\b{name}\b", arguments), f"{keyword} sets {name}"
    assert not FERNET_KEY_SHAPE.search(text), "Dockerfile contains a literal Fernet key"
    for value in _demo_secret_values():
        assert value not in text, f"Dockerfile contains the known secret value {value!r}"


def test_dummy_values_scoped_to_one_step_when_static_files_are_collected():
    all_runs = _instructions("RUN")
    runs = [run for run in all_runs if "collectstatic" in run]

    assert len(runs) == 1, "expected exactly one RUN with collectstatic"
    build_step = runs[0]
    other_runs = [run for run in all_runs if "collectstatic" not in run]
    assert "--noinput" in build_step
    assert "compilemessages" in build_step
    for name in BUILD_ONLY_VARIABLES:
        assert re.search(rf"\b{name}=", build_step), f"build step does not set {name}"
        assert not any(re.search(rf"\b{name}=", run) for run in other_runs), (
            f"{name} is set outside the collectstatic step"
        )
    assert "DATABASE_URL=sqlite:////tmp/build.sqlite3" in build_step
    assert "CELERY_BROKER_URL=memory://" in build_step


def test_gettext_installed_when_messages_are_compiled():
    apt_runs = [run for run in _instructions("RUN") if "apt-get install" in run]

    assert any(re.search(r"\bgettext\b", run) for run in apt_runs), "msgfmt comes from gettext"


def test_production_settings_default_when_container_starts():
    env_lines = " ".join(_instructions("ENV"))

    assert re.search(r"DJANGO_SETTINGS_MODULE=samen_een\.settings\.production\b", env_lines)


def test_gunicorn_serves_portal_when_default_command_runs():
    cmds = _instructions("CMD")

    assert cmds, "Dockerfile has no CMD"
    argv = _exec_form(cmds[-1])
    assert argv[0] == "gunicorn"
    assert "samen_een.wsgi:application" in argv
    joined = " ".join(argv)
    assert re.search(r"(?:--bind[= ]|-b )0\.0\.0\.0:8000\b", joined), joined
    workers = re.search(r"(?:--workers[= ]|-w )(\d+)", joined)
    assert workers and int(workers.group(1)) >= 2, "gunicorn needs 2+ workers"


def test_local_secrets_and_data_excluded_when_build_context_is_sent():
    patterns = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }

    for required in (".env", ".venv", ".git", "db.sqlite3", ".celery", "test-artifacts"):
        assert required in patterns, f".dockerignore does not exclude {required}"
    assert "__pycache__" in patterns or "**/__pycache__" in patterns


# --- .env.example against the settings -----------------------------------------------------


def test_demo_secret_values_found_when_dev_and_test_settings_are_scanned():
    # Guards the scan: if it stopped matching, the image test above would pass empty.
    values = _demo_secret_values()

    assert {"dev-only-bsn-lookup-hash-key", "test-only-bsn-hash-key"} <= values
    assert "Xb3xOG0FSjaOCj8w1hd-lNq6Xu1n3Ahs8OzwKnwmM0k=" in values
    assert "Y2hhbmdlLW1lLXRlc3Qta2V5LXR3by0wMTIzNDU2Nzg=" in values


def test_settings_variables_found_when_settings_source_is_scanned():
    # Guards the regex: if it stopped matching, the documentation test below would pass empty.
    found = _settings_variables()

    assert {"SECRET_KEY", "DATABASE_URL", "FIELD_ENCRYPTION_KEYS", "CELERY_BROKER_URL"} <= found


@pytest.mark.parametrize("variable", sorted(_settings_variables()))
def test_env_example_documents_variable_when_settings_read_it(variable):
    assert variable in _env_example_variables(), (
        f"samen_een/settings reads {variable} but .env.example does not mention it"
    )
