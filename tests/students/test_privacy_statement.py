"""The school's privacy statement: versions that are never edited, public pages, the director's
form, and the links to it from every page that refers to it (issue 24, part 4)."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.constants import Action
from audit.models import AccessEvent
from kernel.editing import NOTHING_CHANGED
from onboarding.demo.statements import STATEMENT_EN, STATEMENT_NL
from students.models import PrivacyStatement, School
from students.services.statements import StatementError, statement_publish
from students.templatetags.statements import statement_html

from .factories import make_staff

TEXT_NL = (
    "## Wie wij zijn\n\nOBS Samen Een bewaart alleen wat nodig is.\n\n"
    "## Uw rechten\n\nU mag alles inzien."
)
TEXT_EN = "## Who we are\n\nOBS Samen Een keeps only what it needs."
GUIDANCE_NL = "## Eerst denken dan delen\n\nPlaats geen foto's van andere kinderen."


def _publish(school: School, user=None, **changes) -> PrivacyStatement | None:
    values = {
        "text_nl": TEXT_NL,
        "text_en": TEXT_EN,
        "media_guidance_nl": GUIDANCE_NL,
        "published_on": datetime.date(2026, 8, 1),
        **changes,
    }
    return statement_publish(user=user, school=school, **values)


def _form(statement: PrivacyStatement | None, **changes) -> dict:
    """The edit form as a browser sends it: line breaks as CR LF."""
    data = {
        "text_nl": statement.text_nl if statement else "",
        "text_en": statement.text_en if statement else "",
        "media_guidance_nl": statement.media_guidance_nl if statement else "",
        "media_guidance_en": statement.media_guidance_en if statement else "",
        "published_on": (statement.published_on if statement else timezone.localdate()).isoformat(),
        "based_on": str(statement.version if statement else 0),
        **changes,
    }
    return {name: value.replace("\n", "\r\n") for name, value in data.items()}


def _english(client):
    client.cookies["django_language"] = "en"
    return client


# --- versions ----------------------------------------------------------------------------


def test_a_change_is_a_new_version_and_the_same_text_again_is_none(world):
    director = world.users["director"]
    first = _publish(world.school, director)
    assert first is not None
    assert first.version == 1

    assert _publish(world.school, director) is None
    # The same text as a browser sends it (CR LF, spaces at line ends) is the same text.
    assert _publish(world.school, director, text_nl=TEXT_NL.replace("\n", "  \r\n")) is None
    second = _publish(world.school, director, text_nl=TEXT_NL + "\n\nNieuwe alinea.")

    assert second is not None
    assert second.version == 2
    assert PrivacyStatement.objects.filter(school=world.school).count() == 2
    first.refresh_from_db()
    assert first.text_nl == TEXT_NL  # the earlier version is kept as it was
    # Numbers are per school.
    assert _publish(world.other_school).version == 1


def test_each_new_version_is_an_audit_event_of_the_school(world):
    director = world.users["director"]
    statement = _publish(world.school, director)
    _publish(world.school, director)

    events = AccessEvent.objects.filter(action=Action.CREATE, object_type="privacy_statement")
    assert list(events.values_list("object_id", "school_id", "actor_id")) == [
        (str(statement.pk), world.school.pk, director.pk)
    ]


def test_publishing_is_refused_when_the_dutch_is_empty_or_the_date_goes_back(world):
    _publish(world.school)
    with pytest.raises(StatementError) as empty:
        _publish(world.school, text_nl="  \n ")
    assert set(empty.value.field_errors) == {"text_nl"}
    with pytest.raises(StatementError) as earlier:
        _publish(world.school, text_nl="Anders", published_on=datetime.date(2026, 7, 31))
    assert set(earlier.value.field_errors) == {"published_on"}
    assert PrivacyStatement.objects.filter(school=world.school).count() == 1


def test_publishing_is_refused_when_someone_published_since_the_form_was_opened(world):
    _publish(world.school)
    _publish(world.school, text_nl="Versie twee")
    with translation.override("en"), pytest.raises(StatementError, match="Meanwhile"):
        _publish(world.school, text_nl="Mijn versie", based_on=1)
    assert _publish(world.school, text_nl="Mijn versie", based_on=2).version == 3


# --- the text ------------------------------------------------------------------------------


def test_text_becomes_headings_and_paragraphs_with_every_character_escaped():
    html = str(
        statement_html(
            "## Kop & <b>vet</b>\n\nEen <script>alert(1)</script> alinea\nop twee regels.\n"
            "\n## \n#  geen kop"
        )
    )
    assert html == (
        "<h2>Kop &amp; &lt;b&gt;vet&lt;/b&gt;</h2>\n"
        "<p>Een &lt;script&gt;alert(1)&lt;/script&gt; alinea<br>op twee regels.</p>\n"
        "<p>##<br>#  geen kop</p>"
    )
    assert str(statement_html("## Kop", 3)) == "<h3>Kop</h3>"


def test_statement_page_shows_no_html_of_the_text(world, client):
    _publish(world.school, text_nl='## <img src=x onerror="alert(1)">\n\n<script>alert(2)</script>')

    body = client.get(reverse("privacy-statement-school", args=[world.school.pk])).content.decode()

    assert "<script>alert(2)" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in body


# --- the public pages --------------------------------------------------------------------


def test_statement_and_its_earlier_versions_are_public_without_login(world, client):
    _english(client)
    _publish(world.school, text_nl="## Eerste\n\nDe eerste tekst.", text_en="")
    _publish(
        world.school,
        text_nl="## Tweede\n\nDe tweede tekst.",
        text_en="",
        published_on=timezone.localdate(),
    )

    current = client.get(reverse("privacy-statement-school", args=[world.school.pk]))
    old = client.get(reverse("privacy-statement-version", args=[world.school.pk, 1]))

    assert current.status_code == old.status_code == 200
    assert "De tweede tekst." in current.content.decode()
    assert "Version 2, in force since" in current.content.decode()
    assert reverse("privacy-statement-version", args=[world.school.pk, 1]) in (
        current.content.decode()
    )
    body = old.content.decode()
    assert "De eerste tekst." in body
    assert "De tweede tekst." not in body
    assert "replaced by version 2" in body


def test_a_version_that_takes_effect_later_leaves_the_current_one_in_force(world, client):
    _english(client)
    today = timezone.localdate()
    _publish(
        world.school,
        text_nl="Nu geldig.",
        text_en="",
        published_on=today - datetime.timedelta(days=30),
    )
    _publish(
        world.school,
        text_nl="Straks geldig.",
        text_en="",
        published_on=today + datetime.timedelta(days=30),
    )

    body = client.get(reverse("privacy-statement-school", args=[world.school.pk])).content.decode()

    assert "Nu geldig." in body
    assert "Straks geldig." not in body
    assert "(coming)" in body


@pytest.mark.parametrize(
    "args",
    [(987654,), ("abc",), ("12AB",)],
)
def test_unknown_school_is_404(world, client, args):
    assert client.get(reverse("privacy-statement-school", args=args)).status_code == 404


@pytest.mark.parametrize("number", ["2", "0", "x", "99999999999999999999"])
def test_unknown_version_is_404(world, client, number):
    _publish(world.school)
    url = reverse("privacy-statement-version", args=[world.school.pk, number])
    assert client.get(url).status_code == 404


def test_a_school_without_a_statement_says_so_in_words(world, client):
    _english(client)
    response = client.get(reverse("privacy-statement-school", args=[world.other_school.pk]))

    assert response.status_code == 200
    assert "This school has not published its privacy statement yet." in (response.content.decode())


def test_a_new_school_is_set_up_without_a_statement(world):
    from onboarding.services import school_provision

    school = school_provision(board=world.school.board, name="OBS Nieuw", brin="56EF")

    assert not PrivacyStatement.objects.filter(school=school).exists()


def test_english_reader_reads_the_english_text_or_the_dutch_with_a_note(world, client):
    _english(client)
    _publish(world.school)
    _publish(world.other_school, text_en="")

    english = client.get(reverse("privacy-statement-school", args=[world.school.pk])).content
    dutch = client.get(reverse("privacy-statement-school", args=[world.other_school.pk])).content

    assert b'<div class="statement-text" lang="en">' in english
    assert b"keeps only what it needs" in english
    assert b'<div class="statement-text" lang="nl">' in dutch
    assert b"This statement has not been translated into English" in dutch


def test_english_text_on_a_dutch_page_is_marked_english(world, client):
    _publish(world.school)
    url = reverse("privacy-statement-school", args=[world.school.pk])

    page = client.get(url).content.decode()
    english = client.get(f"{url}?text=en").content.decode()

    assert '<html lang="nl">' in page
    assert '<a href="?text=en" hreflang="en" lang="en">' in page
    assert '<html lang="nl">' in english
    assert '<div class="statement-text" lang="en">' in english
    # The headings follow the page's: h1, then the text's h2s.
    levels = re.findall(r"<h([1-6])", english.split("<main", 1)[1])
    assert levels[0] == "1"
    assert all(int(b) - int(a) <= 1 for a, b in itertools.pairwise(levels))


def test_footer_list_shows_every_school_to_a_visitor(world, client):
    _english(client)
    _publish(world.school)

    body = client.get(reverse("privacy-statement")).content.decode()

    for school in (world.school, world.other_school, world.foreign_school):
        assert reverse("privacy-statement-school", args=[school.pk]) in body
    assert "version 1, in force since" in body


def test_footer_link_takes_a_parent_and_staff_to_their_own_school(world, client):
    own = reverse("privacy-statement-school", args=[world.school.pk])
    for role in ("guardian", "guardian_limited", "teacher", "director"):
        client.force_login(world.users[role])
        response = client.get(reverse("privacy-statement"))
        assert (response.status_code, response["Location"]) == (302, own), role
    client.force_login(world.users["privacy_officer"])
    body = client.get(reverse("privacy-statement")).content.decode()
    assert reverse("privacy-statement-school", args=[world.other_school.pk]) in body
    assert reverse("privacy-statement-school", args=[world.foreign_school.pk]) not in body


# --- the director's form -----------------------------------------------------------------


def test_director_publishes_a_new_version_with_the_form(world, client):
    current = _publish(world.school)
    client.force_login(world.users["director"])
    url = reverse("privacy-statement-edit", args=[world.school.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _form(current, text_en="## Who we are\n\nChanged."))

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy-statement-school", args=[world.school.pk])
    latest = PrivacyStatement.objects.filter(school=world.school).latest("version")
    assert (latest.version, latest.text_en, latest.text_nl) == (
        2,
        "## Who we are\n\nChanged.",
        TEXT_NL,
    )
    assert latest.created_by == world.users["director"]


def test_director_writes_the_first_version_of_a_new_school(world, client):
    _english(client)
    client.force_login(world.users["director"])
    url = reverse("privacy-statement-edit", args=[world.school.pk])
    page = client.get(url).content.decode()
    assert "Saving publishes version 1." in page

    client.post(url, _form(None, text_nl="## Eerste\n\nTekst."))

    assert PrivacyStatement.objects.get(school=world.school).text_nl == "## Eerste\n\nTekst."


def test_unchanged_form_publishes_nothing_and_says_so(world, client):
    current = _publish(world.school)
    client.force_login(world.users["director"])
    _english(client)
    events = AccessEvent.objects.count()

    response = client.post(
        reverse("privacy-statement-edit", args=[world.school.pk]), _form(current)
    )

    assert response.status_code == 302
    assert PrivacyStatement.objects.filter(school=world.school).count() == 1
    assert AccessEvent.objects.count() == events
    with translation.override("en"):
        assert str(NOTHING_CHANGED) in [str(m) for m in get_messages(response.wsgi_request)]


def test_the_same_texts_with_another_date_are_no_new_version(world, client):
    current = _publish(world.school)
    client.force_login(world.users["director"])
    later = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    client.post(
        reverse("privacy-statement-edit", args=[world.school.pk]),
        _form(current, published_on=later),
    )

    assert _publish(world.school, published_on=datetime.date(2030, 1, 1)) is None
    assert list(PrivacyStatement.objects.filter(school=world.school)) == [current]
    assert PrivacyStatement.objects.get().published_on == datetime.date(2026, 8, 1)


def test_form_opens_with_the_texts_in_force_to_take_effect_today(world, client):
    _publish(world.school)
    client.force_login(world.users["director"])

    page = client.get(reverse("privacy-statement-edit", args=[world.school.pk])).content.decode()

    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert "## Wie wij zijn" in page
    assert 'name="based_on" value="1"' in page
    assert '<textarea name="text_en" cols="40" rows="12" lang="en"' in page


def test_refused_form_keeps_what_was_typed_with_the_error_at_its_field(world, client):
    current = _publish(world.school)
    client.force_login(world.users["director"])
    _english(client)
    url = reverse("privacy-statement-edit", args=[world.school.pk])

    response = client.post(
        url, _form(current, text_nl="", text_en="My typed English", published_on="2026-07-01")
    )

    assert (response.status_code, response["Location"]) == (303, url)
    page = client.get(url).content.decode()
    assert "My typed English" in page
    assert 'id="id_text_nl_error"' in page
    assert "Write the statement in Dutch" in page
    assert PrivacyStatement.objects.filter(school=world.school).count() == 1


def test_date_before_the_current_version_is_refused_at_its_field(world, client):
    current = _publish(world.school)
    client.force_login(world.users["director"])
    _english(client)
    url = reverse("privacy-statement-edit", args=[world.school.pk])

    client.post(url, _form(current, text_nl="Nieuw", published_on="2026-07-01"))

    page = client.get(url).content.decode()
    assert 'id="id_published_on_error"' in page
    assert "cannot take effect before version 1" in page
    assert PrivacyStatement.objects.filter(school=world.school).count() == 1


def test_two_directors_at_once_lose_nothing(world, client):
    current = _publish(world.school)
    opened = _form(current, text_nl="Mijn tekst")
    _publish(world.school, text_nl="Tekst van de collega")  # published meanwhile
    client.force_login(world.users["director"])
    _english(client)
    url = reverse("privacy-statement-edit", args=[world.school.pk])

    client.post(url, opened)

    page = client.get(url).content.decode()
    assert "Meanwhile someone else published version 2" in page
    assert "Mijn tekst" in page
    assert PrivacyStatement.objects.filter(school=world.school).count() == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 403),
        ("privacy_officer", 403),
        ("administration", 403),
        ("guardian", 403),
        ("other_director", 404),
    ],
)
def test_only_the_schools_director_edits_the_statement(world, client, role, status):
    current = _publish(world.school)
    if role == "other_director":
        user = make_staff("director", school=world.other_school, email="d2@t.example")
    else:
        user = world.users[role]
    client.force_login(user)
    url = reverse("privacy-statement-edit", args=[world.school.pk])

    assert client.get(url).status_code == status
    assert client.post(url, _form(current, text_nl="Overgenomen")).status_code == status
    assert PrivacyStatement.objects.filter(school=world.school).count() == 1


def test_edit_page_sends_a_visitor_to_the_login(world, client):
    response = client.get(reverse("privacy-statement-edit", args=[world.school.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_statement_page_offers_the_form_only_to_its_director(world, client):
    _publish(world.school)
    url = reverse("privacy-statement-school", args=[world.school.pk])
    edit = reverse("privacy-statement-edit", args=[world.school.pk])
    for role, offered in (("director", True), ("privacy_officer", False), ("teacher", False)):
        client.force_login(world.users[role])
        assert (edit in client.get(url).content.decode()) is offered, role


# --- the footer and the links ------------------------------------------------------------


def test_footer_links_the_statement_on_every_page_without_a_query(world, client):
    with CaptureQueriesContext(connection) as anonymous:
        login = client.get(reverse("accounts:login"))
    client.force_login(world.users["guardian"])
    with CaptureQueriesContext(connection) as parent:
        home = client.get(reverse("home"))

    footer = f'<footer class="site-footer">\n    <a href="{reverse("privacy-statement")}">'
    for page in (login, home):
        assert footer in page.content.decode()
    for ctx in (anonymous, parent):
        assert not [q for q in ctx.captured_queries if "privacystatement" in q["sql"]]
        assert not [q for q in ctx.captured_queries if 'FROM "students_school"' in q["sql"]]


def test_consent_page_shows_the_media_guidance_and_links_the_statement(world, client):
    _publish(world.school)
    client.force_login(world.users["guardian"])

    body = client.get(reverse("child-consent", args=[world.pupil3.pk])).content.decode()

    assert "<h3>Eerst denken dan delen</h3>" in body
    assert "Plaats geen foto&#x27;s van andere kinderen." in body
    assert reverse("privacy-statement-school", args=[world.school.pk]) in body


def test_request_pages_link_the_statement(request_world, client):
    world = request_world
    client.force_login(world.users["guardian"])
    request = world.requests["access"]

    for url in (
        reverse("request-create"),
        reverse("request-list"),
    ):
        assert f'href="{reverse("privacy-statement")}"' in client.get(url).content.decode(), url
    detail = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    assert reverse("privacy-statement-school", args=[world.school.pk]) in detail


def test_application_form_links_the_schools_statement(world, client):
    body = client.get(reverse("application-form", args=[world.school.pk])).content.decode()
    assert reverse("privacy-statement-school", args=[world.school.pk]) in body


def test_child_page_names_teacher_and_director_and_links_the_statement(world, client):
    _english(client)
    for role, name in (
        ("teacher", "Joost Leeuwarden"),
        ("director", "Henriëtte Oosterhuis"),
        ("privacy_officer", "Fatima El Idrissi"),
        ("administration", "Bram Klaassens"),
    ):
        user = world.users[role]
        user.full_name = name
        user.save(update_fields=["full_name"])
    client.force_login(world.users["guardian_limited"])

    body = client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()

    block = body.split('class="privacy-contacts"', 1)[1].split("</section>", 1)[0]
    assert "Questions about privacy?" in block
    assert "Joost Leeuwarden" in block
    assert "Henriëtte Oosterhuis" in block
    assert "functionaris gegevensbescherming" in block
    assert "Stichting AURO" in block
    assert reverse("privacy-statement-school", args=[world.school.pk]) in block
    # The officer by role only; no other staff, and no staff member's address.
    for unseen in ("Fatima El Idrissi", "Bram Klaassens", "@t.example"):
        assert unseen not in block


# --- the demo ----------------------------------------------------------------------------

# The words of the text OBS Samen Een gave (../shared/privacy-statement-obs-samen-een.txt),
# hashed when it was copied into the project: the project never reads ../shared.
ORIGINAL_WORDS_SHA256 = "357f361a18d7dd67cf50f7f8e0e41a8725afeb7779e82d3ba8e741d105b76679"


def test_copied_statement_has_the_schools_words_unchanged():
    words = [w for w in re.findall(r"\S+", STATEMENT_NL.read_text(encoding="utf-8")) if w != "##"]
    assert hashlib.sha256(" ".join(words).encode()).hexdigest() == ORIGINAL_WORDS_SHA256


@pytest.fixture
def demo(db):
    with override_settings(DEBUG=True):
        call_command("demo_data", verbosity=0)


def test_demo_publishes_the_schools_statement_and_its_media_guidance(demo, client):
    samen = School.objects.get(brin="12AB")
    statement = PrivacyStatement.objects.get(school=samen)
    text_nl = STATEMENT_NL.read_text(encoding="utf-8").strip()

    assert statement.version == 1
    assert statement.text_nl == text_nl
    assert statement.text_en == STATEMENT_EN.read_text(encoding="utf-8").strip()
    assert statement.media_guidance_nl.startswith("## Eerst denken dan delen…\n\nDe school is")
    assert statement.media_guidance_nl in text_nl  # kept in the statement too
    assert statement.media_guidance_en.startswith("## Think first, then share…")
    assert PrivacyStatement.objects.filter(school__brin="34CD", version=1).exists()

    body = client.get(reverse("privacy-statement-school", args=[samen.pk])).content.decode()
    assert "<h2>Eerst denken dan delen…</h2>" in body
    assert "Parnassys" in body
