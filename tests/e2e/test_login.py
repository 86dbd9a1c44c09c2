"""The first journey everyone makes: log in, see the home page, switch language, log out."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_director_logs_in_switches_to_chinese_and_logs_out(page_for, director):
    page = page_for(director)
    assert "信丰县阳光社会工作服务中心" in page.inner_text("header")
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.click("text=退出")
    page.wait_for_url("**/login/")


def test_wrong_password_shows_an_inline_error(page_for, director, live_server):
    page = page_for(None)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "wrong-password")
    page.click("form button[type=submit] >> nth=-1")
    assert "Please enter a correct username and password" in page.inner_text("main")
