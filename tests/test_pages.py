"""Public pages, language switching, error pages, health check, and the page-vs-fragment helper."""

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


def test_healthz_reports_database_and_registry(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["registry"]["backend"] == "local"
