"""The browser enforces the Content-Security-Policy: script that slips into a page does not run."""

import pytest

from dangjian.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_browser_blocks_inline_script_handlers_and_eval(browser, world):
    page = browser.sign_in("sq1", PASSWORD)
    browser.go("/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__xss = 1";
          document.body.appendChild(script);
          const box = document.createElement("div");
          box.innerHTML = '<img src="data:," onerror="window.__xss = 2" onload="window.__xss = 3">';
          document.body.appendChild(box);
        }"""
    )
    page.wait_for_function("() => document.querySelector('img[onerror]').complete")
    # eval from a script the policy allows (same origin): DevTools' own evaluate is exempt, a page's script is not.
    probe = "try { eval('1'); window.__eval = 'ran'; } catch (e) { window.__eval = e.name; }"
    page.route("**/static/csp-probe.js", lambda route: route.fulfill(body=probe, content_type="text/javascript"))
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.src = "/static/csp-probe.js";
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_function("() => window.__eval !== undefined")
    assert page.evaluate("window.__eval") == "EvalError"
    assert page.evaluate("() => window.htmx.config.allowEval") is False  # <meta name="htmx-config">
    browser.assert_no_script_from_data()
    refusals = " ".join(browser.csp_refusals)
    assert "inline script" in refusals and "script-src 'self'" in refusals
    assert "inline event handler" in refusals or "event handler" in refusals
