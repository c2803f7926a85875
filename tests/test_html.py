"""HTML input (issue 6): repaired as text; markup is never changed.

Decision: spin-repair does not strip HTML (a user who sends a page gets the
same page back, tags and entities as they were); text between tags is
repaired like any other text, and tags with their attributes, whole
<script>/<style> elements and comments are protected like quotations.
"""
from repair import repair_text
from repair.text import markup_spans

PAGE = ('<html><body><script>var navy = "one in all"; // navy workouts</script>\n'
        '<p class="navy workouts" title=\'in keeping with\'>The navy workouts, one in all the largest, '
        'grew to become well being news. In keeping with paperwork, final 12 months p.c rose.</p>'
        '<!-- navy workouts --><style>.navy { color: red }</style></body></html>\n')


def test_markup_is_never_changed_and_text_is_repaired():
    result = repair_text(PAGE)
    for a, b in markup_spans(PAGE):
        assert PAGE[a:b] in result.text
    assert "The military exercises, one of the largest, became health news." in result.text
    for change in result.applied:
        assert not any(a < change.end and change.start < b for a, b in markup_spans(PAGE))


def test_plain_text_with_a_stray_angle_bracket_is_not_markup():
    assert markup_spans("3 < 4 and <b>bold</b> is one tag") == []
