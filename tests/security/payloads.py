"""Attack payloads: cross-site scripting, SQL injection, over-long text, NUL and other control
characters. Shared by the tests in this folder, and listed in one place for reviewers."""

from __future__ import annotations

# --- cross-site scripting -------------------------------------------------------------------------
#
# Each payload that could run script calls `xss(n)` (a binding the browser tests expose) or opens
# a dialog, and each element it could inject carries the id `x<n>`, so that an escaping failure is
# seen even where the Content-Security-Policy stops the script (see XSS_DETECTOR).

XSS_PAYLOADS: dict[int, str] = {
    1: "<script>xss(1)</script>",
    2: "<img src onerror=xss(2) id=x2>",
    3: "javascript:xss(3)",
    4: "'\"></textarea></title></script><svg onload=xss(4) id=x4>",  # out of any attribute or tag
    5: '{{7*7}}{{"ss"~"ti5"}}',  # server-side template injection would write "ssti5"
    6: "\u202e<img src onerror=alert(6) id=x6>",  # a right-to-left override, then a dialog
    7: "\uff1cscript\uff1exss(7)\uff1c/script\uff1e",  # fullwidth < >: harmless unless normalised
    8: "<details open ontoggle=xss(8) id=x8>",
    9: "<a href=javascript:xss(9) id=x9>",
    10: '<iframe srcdoc="<script>parent.xss(10)</script>" id=x10>',
    11: "<input autofocus onfocus=xss(11) id=x11>",
    12: "<i id=x12>",  # short enough for a message that quotes only the first 10 characters
}
SSTI_MARKER = "ssti5"
XSS_PACKS: tuple[tuple[int, ...], ...] = ((3, 1, 5, 12, 7), (11, 4), (10, 6), (8, 9, 2))
"""The payloads in four strings of at most 100 characters (what the shortest free-text fields
hold), so that every field can carry every payload across four worlds; a javascript: URL works
only at the start of a link, so it leads its string."""


def xss_packs() -> list[str]:
    return [" ".join(XSS_PAYLOADS[number] for number in pack) for pack in XSS_PACKS]


# What the browser tests run after each page load: what ran (the binding and dialogs are counted
# by Playwright) and what was injected although the policy may have stopped it from running.
XSS_DETECTOR = """() => {
    const found = [];
    for (const element of document.querySelectorAll('[id]')) {
        if (/^x[0-9]+$/i.test(element.id)) found.push('element #' + element.id);
    }
    for (const element of document.querySelectorAll('*')) {
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            if (name.startsWith('on')) found.push('handler ' + name + ' on ' + element.tagName);
            if (['href', 'src', 'action', 'formaction', 'srcdoc'].includes(name)
                && /^\\s*javascript:/i.test(attribute.value)) {
                found.push(name + '=javascript: on ' + element.tagName);
            }
        }
    }
    for (const script of document.scripts) {
        if (script.textContent.includes('xss(')) found.push('inline script');
    }
    if (document.documentElement.innerHTML.includes('ssti5')) found.push('template injection');
    const values = [...document.querySelectorAll('input, textarea, option')]
        .map((element) => element.value + ' ' + element.textContent).join(' ');
    const shown = (document.body.innerText + document.title + values).includes('xss(');
    return {found: found, violations: window.__cspViolations || [], shown: shown};
}"""

# Installed before any page script: blocked inline script is reported by the browser as a
# violation of the policy, which is evidence of injection too.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + (event.sample || ''));
});
"""

# --- SQL injection --------------------------------------------------------------------------------

SQL_PAYLOADS: tuple[str, ...] = (
    "' OR 1=1--",
    "' OR '1'='1",
    "1 OR 1=1",
    "'; DROP TABLE users;--",
    "1; DROP TABLE workers",
    "' UNION SELECT email, password_hash FROM users--",
    "1 UNION SELECT NULL--",
    '" OR ""="',
    "%' OR '%'='",
    "%",
    "_",
    "\\",
    "\\'; --",
    "1' AND SLEEP(5)--",
    "'||(SELECT pg_sleep(5))||'",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "NaN",
    "\u00b2",  # a digit to str.isdigit(), not to int()
)
"""Every query-string parameter gets each of these."""

SQL_PAYLOADS_FOR_FORMS: tuple[str, ...] = (
    "' OR 1=1--",
    "'; DROP TABLE users;--",
    "' UNION SELECT email, password_hash FROM users--",
    "\\",
    "99999999999999999999",
    "\u00b2",
)
"""Every field a person types into gets each of these (fewer: there are many more fields)."""

# --- over-long input and control characters -------------------------------------------------------

LONG_TEXT = "a" * 100_000
NUL_TEXT = "before\x00after"
CONTROL_TEXT = "line\x0bfeed\x1bescape"  # vertical tab and ESC: no place in a one-line field

ODD_INPUT: tuple[str, ...] = (LONG_TEXT, NUL_TEXT, CONTROL_TEXT)
