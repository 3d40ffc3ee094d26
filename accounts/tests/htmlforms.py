"""A small HTML form reader for driving the test provider's pages."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attributes.get("action") or "",
                    "fields": {},
                    "id": attributes.get("id"),
                }
            )
        elif tag == "input" and self.forms:
            name = attributes.get("name")
            if name and attributes.get("type") not in ("submit", "button"):
                self.forms[-1]["fields"][name] = attributes.get("value") or ""


def read_form(html: str, index: int = 0) -> dict:
    """Return the action and the non-button input values of one form."""
    parser = _FormParser()
    parser.feed(html)
    if len(parser.forms) <= index:
        raise AssertionError(f"Form {index} not found in page:\n{html[:2000]}")
    return parser.forms[index]
