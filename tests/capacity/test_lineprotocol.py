"""The line protocol reader: plain Python, no database."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borough.capacity import lineprotocol as lp


def one(text: str, precision: str = "ns") -> lp.Line:
    lines, errors = lp.parse(text, precision)
    assert errors == [], errors
    assert len(lines) == 1
    return lines[0]


def error_of(text: str) -> lp.LineError:
    lines, errors = lp.parse(text)
    assert lines == []
    assert len(errors) == 1
    return errors[0]


def test_a_telegraf_line_with_tags_fields_and_a_timestamp():
    line = one("cpu,host=web01,cpu=cpu-total usage_user=12.5,usage_system=3 1700000000000000000")
    assert line.measurement == "cpu"
    assert line.tags == (("cpu", "cpu-total"), ("host", "web01"))  # sorted by key
    assert line.fields == (("usage_user", 12.5), ("usage_system", 3.0))
    assert line.timestamp == 1_700_000_000_000_000_000


def test_every_field_type():
    line = one('m f1=1.5,f2=-2e3,f3=.5,f4=7,f5=12i,f6=-3i,f7=18446744073709551615u,'
               'f8="some text",f9=t,f10=T,f11=true,f12=True,f13=TRUE,f14=f,f15=F,'
               'f16=false,f17=False,f18=FALSE')
    fields = dict(line.fields)
    assert fields["f1"] == 1.5 and isinstance(fields["f1"], float)
    assert fields["f2"] == -2000.0
    assert fields["f3"] == 0.5
    assert fields["f4"] == 7.0 and isinstance(fields["f4"], float)  # no suffix: a float
    assert fields["f5"] == 12 and isinstance(fields["f5"], int)
    assert fields["f6"] == -3
    assert fields["f7"] == 2**64 - 1
    assert fields["f8"] == "some text"
    assert [fields[f"f{n}"] for n in range(9, 14)] == [True] * 5
    assert [fields[f"f{n}"] for n in range(14, 19)] == [False] * 5


def test_escapes_in_measurement_tags_and_field_keys():
    line = one(r"disk\ usage\,total,path=C:\\Program\ Files,dev\=x=a\,b used\ pct=50 1")
    assert line.measurement == "disk usage,total"
    assert dict(line.tags) == {"path": r"C:\Program Files", "dev=x": "a,b"}
    assert line.fields == (("used pct", 50.0),)


def test_a_backslash_before_an_ordinary_character_is_itself():
    line = one(r"m,path=C:\temp v=1")
    assert dict(line.tags) == {"path": r"C:\temp"}


def test_escapes_in_string_fields():
    line = one(r'log msg="say \"hi\" to C:\\temp, then = go",n=1i')
    assert dict(line.fields)["msg"] == 'say "hi" to C:\\temp, then = go'
    assert dict(line.fields)["n"] == 1


def test_a_string_field_may_hold_spaces_commas_and_equals_signs():
    line = one('m a="x y,z=w",b=2 5')
    assert line.fields == (("a", "x y,z=w"), ("b", 2.0))
    assert line.timestamp == 5


@pytest.mark.parametrize(("precision", "factor"), [
    ("ns", 1), ("n", 1), ("us", 1_000), ("u", 1_000), ("ms", 1_000_000),
    ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)])
def test_every_precision(precision, factor):
    assert one("m v=1 1700", precision).timestamp == 1700 * factor


def test_no_precision_is_nanoseconds_and_no_timestamp_is_none():
    assert one("m v=1 42", None).timestamp == 42
    assert one("m v=1").timestamp is None


def test_an_unknown_precision_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="ns, us, ms or s"):
        lp.parse("m v=1", "minutes")


def test_comments_blank_lines_and_crlf():
    text = "# a comment\n\n   \ncpu v=1 1\r\n  # indented comment\nmem v=2 2\n"
    lines, errors = lp.parse(text)
    assert errors == []
    assert [(line.number, line.measurement) for line in lines] == [(4, "cpu"), (6, "mem")]


def test_bad_lines_are_refused_with_their_number_while_good_ones_are_kept():
    text = "\n".join([
        "good v=1 1",                  # 1
        "nofields",                    # 2
        "m,host v=1",                  # 3 tag without a value
        "m v=abc",                     # 4 not a value
        'm s="unterminated',           # 5
        "m v=1 notatime",              # 6
        "good v=2 2",                  # 7
        "m v=1i2",                     # 8
        "m v=9223372036854775808i",    # 9 over int64
        "m,host= v=1",                 # 10 empty tag value
        "m v=1 1 extra",               # 11
        "m v=",                        # 12
        ",t=a v=1",                    # 13 no measurement
        "m v=nan",                     # 14
        "m v=1,",                      # 15 a field with no key
    ])
    lines, errors = lp.parse(text)
    assert [line.number for line in lines] == [1, 7]
    assert [e.number for e in errors] == [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15]
    messages = {e.number: e.message for e in errors}
    assert "no fields" in messages[2]
    assert "host" in messages[3] and "no value" in messages[3]
    assert "“abc” is not a number" in messages[4]
    assert "no closing quote" in messages[5]
    assert "“notatime” is not a whole number" in messages[6]
    assert "out of range" in messages[9]
    assert "empty value" in messages[10]
    assert "extra" in messages[11]
    assert "no measurement" in messages[13]
    assert str(errors[0]) == f"line 2: {messages[2]}"


@pytest.mark.parametrize("text", ["1_000", "\u0661\u0662", "1.5.5", "0x10", "inf9", "1e",
                                  "-", ".", "+.e1", "\t1"])
def test_what_python_reads_as_a_number_but_line_protocol_does_not_is_refused(text):
    # float() takes underscores, other scripts' digits and surrounding space: the reader
    # must not.
    assert "is not a number" in error_of(f"m v={text}").message


@pytest.mark.parametrize(("text", "value"), [("1.", 1.0), (".5", 0.5), ("-.5e-3", -0.0005),
                                             ("+1E2", 100.0), ("007", 7.0)])
def test_every_form_of_a_float(text, value):
    assert one(f"m v={text}").fields == (("v", value),)


@pytest.mark.parametrize("text", ["\u0661\u0662", "1_0", "+5"])
def test_a_timestamp_is_ascii_digits(text):
    assert "is not a whole number" in error_of(f"m v=1 {text}").message


def test_a_field_written_twice_keeps_its_last_value():
    assert one("m a=1,b=2,a=3").fields == (("a", 3.0), ("b", 2.0))


def test_a_timestamp_out_of_range_after_the_precision_is_refused():
    lines, errors = lp.parse("m v=1 9223372036854775807", "s")
    assert lines == [] and "out of range" in errors[0].message


def test_the_series_key_writes_the_names_back_escaped_and_sorted():
    line = one(r"disk,path=/srv\ data,host=file01 used_percent=71")
    key = lp.series_key(line.measurement, line.tags, "used_percent")
    assert key == r"disk,host=file01,path=/srv\ data used_percent"
    # and reading the key back as a line gives the same series
    again = one(f"{key}=1")
    assert (again.measurement, again.tags) == (line.measurement, line.tags)


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                max_size=12).filter(lambda s: not s.startswith("#") and s.strip() == s)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(measurement=names, tag_key=names, tag_value=names, field_key=names,
       value=st.floats(allow_nan=False, allow_infinity=False, width=64),
       text=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))
def test_whatever_is_escaped_reads_back_as_written(measurement, tag_key, tag_value,
                                                   field_key, value, text):
    head = lp.series_key(measurement, [(tag_key, tag_value)], field_key)
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    line = one(f'{head}={value!r},{lp.escape_key(field_key + "_s")}="{quoted}" 12')
    assert line.measurement == measurement
    assert line.tags == ((tag_key, tag_value),)
    assert line.fields == ((field_key, value), (field_key + "_s", text))
    assert line.timestamp == 12


@given(st.lists(st.tuples(st.sampled_from(["cpu", "mem", "disk"]),
                          st.sampled_from(["host=a", "host=b,path=/"]),
                          st.integers(-10**6, 10**6)), min_size=1, max_size=5))
def test_the_quick_reading_agrees_with_the_careful_one(rows):
    for measurement, tags, n in rows:
        text = f"{measurement},{tags} v={n},w={n}i {abs(n)}"
        assert lp._fast(text) == lp._slow(text)
