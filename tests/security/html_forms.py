"""The forms on a page, read from its HTML, and what a browser would send for each: so that the
tests can post every field of every form with a payload, whatever fields the forms have now."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

TEXT_KINDS = frozenset({"text", "search", "email", "tel", "url", "password", "number", "textarea"})
"""Fields a person types into: a refused value must be named on the field itself."""

ROW = re.compile(r"^(?P<list>[a-z_]+)-(?P<index>[0-9]+)-")


@dataclass
class HtmlForm:
    page: str
    action: str
    method: str
    multipart: bool
    values: list[tuple[str, str]] = field(default_factory=list)  # as a browser sends them
    kinds: dict[str, str] = field(default_factory=dict)  # name → input type
    ids: dict[str, str] = field(default_factory=dict)  # name → element id
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def fuzzable(self) -> list[str]:
        """Every name a person could send something else in, once per repeated row's field
        (row 0 of `typed-0-words`, `typed-1-words` ...) and never the CSRF token."""
        names, seen = [], set()
        for name in [*self.kinds, *(name for name, _value in self.buttons)]:
            match = ROW.match(name)
            shape = ROW.sub(rf"{match['list']}-N-", name) if match else name
            if name and not name.endswith("csrf_token") and shape not in seen:
                seen.add(shape)
                names.append(name)
        return names

    def submission(
        self, name: str | None = None, value: str | None = None
    ) -> list[tuple[str, str]]:
        """What the browser sends with the form's last button (its main action), with `name`
        set to `value` instead of what the page had."""
        pairs = [(key, current) for key, current in self.values if key != name]
        button = self.buttons[-1] if self.buttons else None
        if button and button[0] and button[0] != name:
            pairs.append(button)
        if name is not None:
            pairs.append((name, value or ""))
        return pairs


class _FormReader(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[HtmlForm] = []
        self.current: HtmlForm | None = None
        self.select: tuple[str, bool] | None = None  # name, multiple
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text: list[str] = []
        self.option_value: str | None = None
        self.option_selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.current = HtmlForm(
                page=self.page,
                action=urljoin(self.page, a.get("action") or self.page),
                method=(a.get("method") or "get").lower(),
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self.current)
            return
        form = self.current
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                form.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                form.kinds.setdefault(name, kind)
                if "checked" in a:
                    form.values.append((name, a.get("value", "on")))
            elif kind not in ("button", "reset") and name:
                form.kinds[name] = kind
                form.ids.setdefault(name, a.get("id", name))
                if kind != "file":
                    form.values.append((name, a.get("value", "")))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            form.kinds[name] = "select"
            form.ids.setdefault(name, a.get("id", name))
            self.select, self.options = (name, "multiple" in a), []
        elif tag == "option" and self.select:
            self.option_value, self.option_selected, self.text = a.get("value"), "selected" in a, []
        elif tag == "textarea" and name:
            form.kinds[name] = "textarea"
            form.ids.setdefault(name, a.get("id", name))
            self.textarea, self.text = name, []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "option" and self.select:
            value = self.option_value if self.option_value is not None else "".join(self.text)
            self.options.append((value.strip(), self.option_selected))
        elif tag == "select" and self.select and self.current:
            name, multiple = self.select
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]
            self.current.values.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea and self.current:
            self.current.values.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None


def forms_on(html: str, page: str) -> list[HtmlForm]:
    reader = _FormReader(page)
    reader.feed(html)
    return reader.forms


def path_of(url: str) -> str:
    """The path and query of a URL, as the test client takes it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
