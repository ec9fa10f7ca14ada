"""Forms that guide (issue 22, part 4): the parents' request form asks first what they want and
then shows only that part; the erasure assessment has no choice made beforehand and never
drops a reason typed; the request's page offers the next sensible step as its one primary
button; the erasure decision and the package release confirm what they do."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.constants import Function
from privacy_requests import forms, services
from privacy_requests.constants import ErasureCategory, Kind, PackageStatus, Status
from privacy_requests.models import PrivacyRequest

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def client():
    """The pages in English (the msgids), whatever the browser's default."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


CREATE = "request-create"


def _page(client, **query) -> str:
    response = client.get(reverse(CREATE), query)
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, kind: str) -> str:
    """The opening tag of a kind's part of the form."""
    match = re.search(rf'<div class="kind-section" data-kind-section="{kind}"[^>]*>', page)
    assert match, kind
    return match.group(0)


# --- the parents' request form ----------------------------------------------------------------


def test_request_form_first_asks_what_the_parent_wants_in_plain_words(world, client):
    client.force_login(world.users["guardian"])
    page = _page(client, child=world.pupil3.pk)

    chooser = page[page.index('id="kind-choice"') : page.index('id="request-form"')]
    assert 'method="get"' in page[page.rindex("<form", 0, page.index('id="kind-choice"')) :][:80]
    for value, (label, help_text) in forms.KIND_PLAIN.items():
        assert f'name="kind" value="{value}"' in chooser
        assert html.escape(str(label)) in chooser
        assert html.escape(str(help_text)) in chooser  # one line on what it does
    assert " checked>" not in chooser  # nothing chosen for the parent
    # The legal words are for the staff's pages, not this choice.
    assert str(Kind.RESTRICTION.label) not in chooser
    # The child already chosen goes along with the first step (no JavaScript needed).
    assert f'<input type="hidden" name="child" value="{world.pupil3.pk}">' in chooser
    # Before the choice, the rest of the form waits (hidden; the script or the button shows it).
    assert re.search(r'<form method="post"[^>]*id="request-form" hidden>', page)


@pytest.mark.parametrize("kind", Kind.values)
def test_after_the_choice_only_that_part_shows_with_its_line(world, client, kind):
    client.force_login(world.users["guardian"])
    page = _page(client, kind=kind, child=world.pupil3.pk)

    assert re.search(r'<form method="post"[^>]*id="request-form">', page)  # not hidden
    assert f'<input type="hidden" name="kind" value="{kind}"' in page
    assert f'id="kind-{kind}" aria-describedby="kind-{kind}-help" checked' in page
    for other in Kind.values:
        tag = _section(page, other)
        assert ("hidden" in tag) is (other != kind), other
    # The part's own fields are there; the other kinds' fields are in hidden parts only.
    own = forms.RequestForm.KIND_FIELDS.get(kind, ())
    visible = _section(page, kind)
    start = page.index(visible)
    ends = [
        page.find(mark, start + len(visible))
        for mark in ("data-kind-section", 'name="description"')
    ]
    part = page[start : min(end for end in ends if end > 0)]
    for name in own:
        assert f'name="{name}"' in part
    _label, help_text = forms.KIND_PLAIN[kind]
    assert html.escape(str(help_text)) in page[start:]


def test_an_unknown_kind_in_the_address_is_no_choice(world, client):
    client.force_login(world.users["guardian"])
    page = _page(client, kind="portability")
    assert " checked>" not in page[page.index('id="kind-choice"') : page.index('id="request-form"')]
    assert 'id="request-form" hidden>' in page


def test_refused_request_comes_back_to_its_part_with_what_was_typed(world, client):
    client.force_login(world.users["guardian"])
    typed = "Het adres klopt niet meer sinds de verhuizing"
    response = client.post(
        reverse(CREATE),
        {
            "student": world.pupil3.pk,
            "kind": Kind.CORRECTION,
            "description": typed,
            "correction_field": "postal_code",
            "correction_value": "12345",  # not a Dutch postal code
        },
    )
    assert response.status_code == 303
    assert response["Location"] == f"{reverse(CREATE)}?kind=correction"
    page = client.get(response["Location"]).content.decode()

    assert not PrivacyRequest.objects.filter(description=typed).exists()
    assert html.escape(typed) in page
    assert 'value="12345"' in page
    assert '<option value="postal_code" selected>' in page
    assert "hidden" not in _section(page, Kind.CORRECTION)
    field = page[
        page.index('name="correction_value"') - 600 : page.index('name="correction_value"')
    ]
    assert "has-error" in field


def test_refused_without_a_choice_asks_for_it_at_the_first_step(world, client):
    client.force_login(world.users["guardian"])
    typed = "Ik wil iets weten"
    response = client.post(
        reverse(CREATE), {"student": world.pupil3.pk, "kind": "", "description": typed}
    )
    assert response["Location"] == reverse(CREATE)
    page = client.get(response["Location"]).content.decode()
    chooser = page[page.index('id="kind-choice"') : page.index('id="request-form"')]
    assert "Choose what you want to ask the school." in chooser
    assert html.escape(typed) in page  # and the rest is kept, shown


def test_validation_of_each_kind_is_as_strong_as_before(world, client, flow):
    """Fields of another kind sent along (a hidden part) do not slip into the request, and
    the API's checks still apply (request_fields_check)."""
    client.force_login(world.users["guardian"])
    response = client.post(
        reverse(CREATE),
        {
            "student": world.pupil3.pk,
            "kind": Kind.ACCESS,
            "description": "Alles graag",
            "correction_field": "surname",
            "correction_value": "Jansen",
            "purpose_codes": ["website"],
            "erasure_categories": ["care"],
        },
    )
    assert response.status_code == 302
    created = PrivacyRequest.objects.get(description="Alles graag")
    assert (created.kind, created.correction_field, created.categories, created.purpose_codes) == (
        Kind.ACCESS,
        "",
        [],
        [],
    )
    refused = client.post(
        reverse(CREATE),
        {
            "student": world.pupil3.pk,
            "kind": Kind.ERASURE,
            "description": "Wissen",
            "erasure_categories": ["bsn"],  # not erasable
        },
    )
    assert refused.status_code == 303
    assert not PrivacyRequest.objects.filter(description="Wissen").exists()


def test_a_guardian_without_authority_is_offered_no_request(world, client):
    client.force_login(world.users["guardian_limited"])
    child = client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()
    listing = client.get(reverse("request-list")).content.decode()
    home = client.get(reverse("home")).content.decode()

    for page in (child, listing, home):
        assert reverse(CREATE) not in page
    assert "You may see, have corrected and have erased" not in child
    assert "See your child's basic data and progress on this page." in html.unescape(child)
    assert "Privacy requests are made by a parent with parental authority." in listing
    assert "ask the director about important matters" in home
    assert client.get(reverse(CREATE)).status_code == 403  # and still refused if tried

    client.force_login(world.users["guardian"])
    child = client.get(reverse("child-detail", args=[world.pupil3.pk])).content.decode()
    assert "You may see, have corrected and have erased" in child
    assert f"{reverse(CREATE)}?child={world.pupil3.pk}" in child
    home = client.get(reverse("home")).content.decode()
    assert f"{reverse(CREATE)}?child={world.pupil3.pk}" in home


# --- the erasure assessment -------------------------------------------------------------------


def _assess_form(data=None, requested=("religion", "care")):
    return forms.ErasureAssessForm(data, requested=list(requested))


def test_assessment_has_no_choice_made_beforehand():
    form = _assess_form()
    rendered = str(form)
    assert "checked" not in rendered
    assert [label for label, _choice, _keep in form.rows()] == [
        ErasureCategory.RELIGION.label,
        ErasureCategory.CARE.label,
    ]
    # Nothing chosen is refused, per category, at the category.
    refused = _assess_form({})
    assert not refused.is_valid()
    assert set(refused.errors) == {"choice_religion", "choice_care"}


def test_a_reason_typed_for_a_category_to_erase_is_refused_at_the_field():
    form = _assess_form(
        {
            "choice_religion": "erase",
            "keep_religion": "Nodig voor de godsdienstles",
            "choice_care": "keep",
            "keep_care": "Meldcode: bewaren",
        }
    )
    assert not form.is_valid()
    assert list(form.errors) == ["keep_religion"]
    assert "wrote a reason to keep it" in form.errors["keep_religion"][0]


def test_a_reason_typed_to_keep_is_saved_with_the_assessment(world, flow, client):
    request = flow.submit(Kind.ERASURE, categories=["religion", "care"])
    client.force_login(world.users["administration"])
    url = reverse("request-action", args=[request.pk, "assess"])
    response = client.post(
        url,
        {
            "choice_religion": "erase",
            "keep_religion": "",
            "choice_care": "keep",
            "keep_care": "Meldcode: de school moet dit bewaren",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assessment = request.erasure_assessment
    assert assessment["erase"] == ["religion"]
    assert assessment["keep"]["care"] == "Meldcode: de school moet dit bewaren"
    # What the parent did not ask for stays, and says so.
    assert assessment["keep"]["progress"] == "Not asked for in this request."


def test_the_page_keeps_a_contradicting_assessment_with_its_error(world, flow, client):
    request = flow.submit(Kind.ERASURE, categories=["religion"])
    client.force_login(world.users["director"])
    response = client.post(
        reverse("request-action", args=[request.pk, "assess"]),
        {"choice_religion": "erase", "keep_religion": "Toch bewaren"},
    )
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    request.refresh_from_db()
    assert request.erasure_assessment == {}
    assert 'value="Toch bewaren"' in page
    assert "wrote a reason to keep it" in html.unescape(page)
    assert '<details class="step-other" open>' in page or "Next step" in page


def test_service_refuses_a_reason_to_keep_what_is_erased(world, flow):
    request = flow.submit(Kind.ERASURE, categories=["religion"])
    handler = flow.find("administration", request, Function.HANDLE_REQUESTS)
    with pytest.raises(services.RequestError):
        services.erasure_assess(
            user=world.users["administration"],
            request=handler,
            erase=["religion"],
            keep={
                "religion": "Nodig",
                "care": "x",
                "progress": "x",
                "publications": "x",
                "contact": "x",
            },
        )


# --- the decision and the release confirm what they do -----------------------------------------


def test_approving_an_erasure_needs_the_confirmation_of_what_it_does(world, flow, client):
    request = flow.submit(Kind.ERASURE, categories=["religion"])
    client.force_login(world.users["director"])
    client.post(
        reverse("request-action", args=[request.pk, "assess"]),
        {"choice_religion": "erase"},
    )
    decide = reverse("request-action", args=[request.pk, "decide"])
    refused = client.post(decide, {"approve": "yes", "reason": "Akkoord"})
    assert refused.status_code == 303
    page = client.get(refused["Location"]).content.decode()
    request.refresh_from_db()
    assert request.status != Status.COMPLETED
    assert "Confirm that the data is erased for good, or reject." in page
    assert "cannot be undone" in page

    done = client.post(decide, {"approve": "yes", "reason": "Akkoord", "confirm": "on"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.outcome == "Akkoord"  # the explanation typed is what the requester reads


def test_releasing_a_package_needs_the_confirmation(request_world, client):
    world = request_world
    built = world.requests["built"]
    client.force_login(world.users["director"])
    url = reverse("request-action", args=[built.pk, "release"])
    refused = client.post(url, {})
    assert refused.status_code == 303
    page = client.get(refused["Location"]).content.decode()
    built.package.refresh_from_db()
    assert built.package.status == PackageStatus.BUILT
    assert "Confirm that the package may be sent to the guardians." in page

    client.post(url, {"confirm": "on"})
    built.package.refresh_from_db()
    assert built.package.status == PackageStatus.RELEASED


# --- the request's page: the next step first --------------------------------------------------


def _primary_actions(page: str) -> list[str]:
    """The actions whose button is the filled (primary) one."""
    found = re.findall(
        r'<form method="post" action="[^"]*/actions/(\w+)/"[^>]*>(?:(?!</form>).)*?'
        r'<button type="submit">',
        page,
        flags=re.S,
    )
    return found


@pytest.mark.parametrize(
    ("kind", "fields", "role", "primary"),
    [
        (Kind.ACCESS, {}, "director", "package"),
        (
            Kind.CORRECTION,
            {"correction_field": "city", "correction_value": "Utrecht"},
            "administration",
            "correction",
        ),
        (Kind.ERASURE, {"categories": ["religion"]}, "administration", "assess"),
        (Kind.RESTRICTION, {}, "director", "limit"),
    ],
)
def test_the_request_page_shows_one_next_step_as_primary(
    world, flow, client, kind, fields, role, primary
):
    request = flow.submit(kind, **fields)
    client.force_login(world.users[role])
    with translation.override("en"):
        page = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    assert _primary_actions(page) == [primary]
    assert "Next step" in page
    # The others are there, less prominent, each with a line on what it does.
    others = page[page.index('class="other-steps"') :]
    assert 'class="secondary"' in others
    assert "the deadline keeps running" in others  # ask the requester


def test_an_administrator_is_told_the_director_decides(world, flow, client):
    request = flow.submit(Kind.OBJECTION)
    client.force_login(world.users["administration"])
    page = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    assert _primary_actions(page) == []
    assert "The director decides on this request." in page
    assert "/actions/limit/" not in page
