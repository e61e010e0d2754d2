"""Outside text on the public page, pure: through ``inert`` it renders as no link and no image, and
``xml_chars`` leaves only what an XML document may hold, whatever the text."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree

from ops_actions.text.html import markdown_html, markdown_plain, xml_chars
from ops_actions.text.markdown import inert, plain_line

# Any character, and the ones Markdown links are made of, often.
outside_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from("[]()<>\\!:*`\n https://evil.example")), max_size=80
)


@given(outside_text)
def test_outside_text_through_inert_renders_no_link_on_the_page(text: str) -> None:
    """Brackets, backslashes, autolinks, references: no ``<a`` and no ``<img`` comes out."""
    shown = markdown_html(f"[ref]: https://evil.example\n\n{inert(text)}")
    assert "<a " not in shown and "<img" not in shown


def test_inert_keeps_a_markdown_link_as_the_text_it_is() -> None:
    link = r"[reset your password](https://evil.example) \[x](y)"
    assert markdown_plain(inert(link)) == link


@given(st.text(max_size=80))
@example("feed\x01\x0b\ud800\ufffe\uffff")
def test_xml_chars_leaves_text_any_xml_parser_takes(text: str) -> None:
    element = etree.Element("t")
    element.text = xml_chars(text)
    assert etree.fromstring(etree.tostring(element)).text == (xml_chars(text) or None)


@given(st.text(max_size=80))
@example("Checkout\x01 failing\u2028\ud800 now")
def test_a_stored_title_is_one_line_of_xml_characters(text: str) -> None:
    title = plain_line(text)
    assert title == xml_chars(title) and "\n" not in title and title == title.strip()
