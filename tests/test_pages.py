"""Public pages, language switching, error pages, health check, and the page-vs-fragment helper."""

from markupsafe import escape

from tests.conftest import page_text


def test_home_is_in_kazakh_by_default_and_lists_services(client, demo_clinic):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="kk">' in html
    assert "Алматы қаласының №7 қалалық емханасы" in html


def test_language_switch_is_remembered(client, demo_clinic):
    response = client.get("/lang/ru?next=/services")
    assert response.status_code == 302
    assert response.headers["Location"] == "/services"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert "Городская поликлиника №7 города Алматы" in html


def test_language_switch_refuses_open_redirects_and_unknown_languages(client):
    assert client.get("/lang/ru?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/lang/ru?next=//evil.example/").headers["Location"] == "/"
    assert client.get("/lang/en").status_code == 404


def test_error_pages_in_both_languages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    kk_text = page_text(response)
    client.get("/lang/ru")
    ru_text = page_text(client.get("/no-such-page"))
    assert kk_text != ru_text
    assert "404" in kk_text and "404" in ru_text


def test_healthz_reports_database_and_registry(client, login):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    # The registry is checked by the admins' deep check only (issue 15): a probe must not reach it.
    assert "registry" not in body
    login("admin")
    assert client.get("/healthz/deep").get_json()["registry"]["backend"] == "local"


def test_every_service_passport_shows_its_eleven_rows_in_the_chosen_language(client):
    from app.services.catalogue import PASSPORT_ROWS, all_services

    for language in ("kk", "ru"):
        client.get(f"/lang/{language}")
        for service in all_services():
            response = client.get(f"/services/{service.slug}")
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            assert html.count('<th scope="row">') == 11
            for key, heading in PASSPORT_ROWS:
                assert heading.in_language(language) in html
                assert str(escape(service.passport[key].in_language(language))) in html


def test_home_lists_every_service_in_both_languages(client):
    from app.services.catalogue import all_services

    for language in ("kk", "ru"):
        client.get(f"/lang/{language}")
        html = client.get("/").get_data(as_text=True)
        for service in all_services():
            assert str(escape(service.name.in_language(language))) in html


def test_unknown_service_is_404(client):
    assert client.get("/services/no-such-service").status_code == 404


def test_fragment_helper_sends_vary_and_picks_the_fragment(app):
    from app.htmx import render_page

    with app.test_request_context("/", headers={"HX-Request": "true"}):
        response = render_page("public/services.html", "public/_service_list.html", services=[])
        assert "<html" not in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]
    with app.test_request_context("/"):
        response = render_page("public/services.html", "public/_service_list.html", services=[])
        assert "<html" in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-Boosted": "true"}):
        assert "<html" in render_page(
            "public/services.html", "public/_service_list.html", services=[]
        ).get_data(as_text=True)


def test_an_oversized_request_is_refused_in_the_users_language(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/staff/login", data={"username": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    assert "Файл тым үлкен" in page_text(response)
