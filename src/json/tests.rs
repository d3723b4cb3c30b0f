//! Edge cases of the reader and writer, checked against serde_json where it has an answer.

use super::*;
use crate::protocol::ErrorInfo;

fn read_string(text: &str) -> Result<String, Error> {
    from_slice::<String>(text.as_bytes())
}

fn read_u64(text: &str) -> Result<u64, Error> {
    from_slice::<u64>(text.as_bytes())
}

#[test]
fn strings_unescape_as_serde_json_does() {
    let literals = [
        r#""""#,
        r#""plain é ✓ 😀""#,
        r#""\" \\ \/ \b \f \n \r \t""#,
        r#""\u00e9\u0000 \u20AC\ud83d\ude00x""#,
        r#""{\"name\":\"User 1\",\"typing\":true}""#,
        r#""a\u0041\u00""#,
        "\"\u{7f}\"",
    ];
    for literal in literals {
        let want: Result<String, _> = serde_json::from_str(literal);
        let got = read_string(literal);
        assert_eq!(got.ok(), want.ok(), "{literal}");
    }
}

#[test]
fn special_bytes_are_found_at_every_offset_of_a_long_string() {
    // Strings are scanned eight bytes at a time: a quote, backslash or control character
    // must stop the scan wherever it falls in a word.
    for special in [
        "\\\"", "\\n", "\\u00e9", "\"", "\u{1f}", "\t", "é", "\u{7f}",
    ] {
        for at in 0..20 {
            let literal = format!("\"{}{special}{}\"", "a".repeat(at), "b".repeat(20 - at));
            let want: Result<String, _> = serde_json::from_str(&literal);
            assert_eq!(read_string(&literal).ok(), want.ok(), "{literal:?}");
        }
    }
}

#[test]
fn lone_surrogates_read_as_replacement_characters() {
    // JSON.parse reads them (text cut inside an emoji); a String holds U+FFFD instead, as
    // a browser's TextEncoder writes such a JS string.
    for (text, want) in [
        (r#""\ud83d""#, "\u{FFFD}"),
        (r#""\ud83dx""#, "\u{FFFD}x"),
        (r#""\ude00""#, "\u{FFFD}"),
        (r#""\ud83d\u0041""#, "\u{FFFD}A"),
        (r#""\ud83d\n""#, "\u{FFFD}\n"),
        (r#""a\ud83d\ud83d\ude00b""#, "a\u{FFFD}\u{1F600}b"),
        (r#""\ude00\ud83d""#, "\u{FFFD}\u{FFFD}"),
    ] {
        assert_eq!(read_string(text).as_deref(), Ok(want), "{text}");
    }
    assert!(read_string(r#""\ud83d\u12g4""#).is_err());
}

#[test]
fn control_characters_and_bad_escapes_are_errors() {
    for bad in [
        r#""\u12""#,
        r#""\u12g4""#,
        r#""\x41""#,
        "\"tab\there\"",
        "\"line\nbreak\"",
        "\"nul\u{0}\"",
        r#""unterminated"#,
        r#""ends in backslash\"#,
    ] {
        let e = read_string(bad).unwrap_err();
        assert!(serde_json::from_str::<String>(bad).is_err(), "{bad}");
        assert!(e.offset() <= bad.len(), "{bad}: {e:?}");
    }
}

#[test]
fn errors_name_what_was_expected_and_where() {
    let e = from_slice::<Vec<u64>>(b"[1, 2 3]").unwrap_err();
    assert_eq!((e.what(), e.offset()), ("expected ',' or ']'", 6));
    assert_eq!(
        e.describe("malformed time response"),
        "malformed time response: expected ',' or ']' at byte 6"
    );
    let info = ErrorInfo::from(read_string("7").unwrap_err());
    assert_eq!(
        (info.code, info.message.as_str()),
        (40000, "malformed JSON: expected a string at byte 0")
    );
    let e = from_slice::<String>(b"\"ok\xff\"").unwrap_err();
    assert_eq!((e.what(), e.offset()), ("invalid UTF-8", 3));
}

#[test]
fn u64_fields_take_only_non_negative_integers() {
    assert_eq!(read_u64("0"), Ok(0));
    assert_eq!(read_u64(" 1700000000000 "), Ok(1_700_000_000_000));
    assert_eq!(read_u64("18446744073709551615"), Ok(u64::MAX));
    for bad in [
        "-1",
        "-0",
        "1.0",
        "1.5",
        "1e3",
        "1E3",
        "18446744073709551616",
        "99999999999999999999999",
        "01",
        "+1",
        "\"1\"",
        "true",
        "null",
        "",
    ] {
        assert!(read_u64(bad).is_err(), "{bad}");
        assert!(serde_json::from_str::<u64>(bad).is_err(), "{bad}");
    }
}

#[test]
fn skip_and_raw_check_any_value_as_serde_json_does() {
    let values = [
        "0",
        "-0",
        "-12.5e+3",
        "1E-7",
        "3.0",
        "true",
        "false",
        "null",
        r#""s\u00e9""#,
        "[]",
        "{}",
        r#"{"a":[1,{"b":null}],"c":"d"}"#,
        " [ 1 , 2 ] ",
        "\t{\n\"k\" :\r\"v\" }\n",
    ];
    for text in values {
        assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        let mut r = Reader::new(text);
        assert_eq!(r.raw(), Ok(text.trim()), "{text:?}");
        assert_eq!(r.finish(), Ok(()), "{text:?}");
    }
    let bad = [
        "",
        "-",
        "01",
        "1.",
        ".5",
        "1e",
        "1e+",
        "--1",
        "+1",
        "tru",
        "nul",
        "True",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{,}",
        r#"{"a":1,}"#,
        r#"{"a" 1}"#,
        r#"{"a":}"#,
        "{1:2}",
        "{'a':1}",
        "[",
        "]",
        "{",
        r#"{"a":1"#,
        "NaN",
        "Infinity",
        "[1]]",
        "{}}",
    ];
    for text in bad {
        assert!(
            serde_json::from_str::<serde_json::Value>(text).is_err(),
            "{text:?}"
        );
        let mut r = Reader::new(text);
        let checked = r.skip().and_then(|()| r.finish());
        assert!(checked.is_err(), "{text:?}");
    }
}

#[test]
fn skipped_text_may_hold_lone_surrogates_as_serde_json_allows() {
    for text in [r#""\ud800""#, r#"["\ude00x", "\ud83d\u0041"]"#] {
        assert!(serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok());
        assert_eq!(
            JsonText::new(text).map(|t| t.into_string()),
            Ok(text.to_owned())
        );
    }
    assert!(JsonText::new(r#""\ud8""#).is_err());
}

#[test]
fn trailing_garbage_is_an_error() {
    for text in ["1 2", "{} {}", "\"a\"x", "[1]]", "null,"] {
        assert!(
            from_slice::<Option<u64>>(text.as_bytes()).is_err(),
            "{text}"
        );
    }
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error_not_a_crash() {
    let ok = "[".repeat(128) + &"]".repeat(128);
    assert_eq!(Reader::new(&ok).skip(), Ok(()));
    let deep = "[".repeat(129) + &"]".repeat(129);
    assert_eq!(
        Reader::new(&deep).skip().unwrap_err().what(),
        "nesting too deep"
    );
    let huge = "{\"a\":".repeat(100_000);
    assert!(Reader::new(&huge).skip().is_err());
    assert!(JsonText::new("[".repeat(1_000_000)).is_err());
}

#[test]
fn object_iteration_sees_every_key_in_order() {
    let text = r#" { "a" : 1 , "b\u0063" : [true, null] , "a" : "x" } "#;
    let mut r = Reader::new(text);
    r.begin_object().unwrap();
    assert_eq!(r.next_key().unwrap().as_deref(), Some("a"));
    assert_eq!(r.u64(), Ok(1));
    assert_eq!(r.next_key().unwrap().as_deref(), Some("bc"));
    r.begin_array().unwrap();
    assert_eq!(r.next_item(), Ok(true));
    assert_eq!(r.bool(), Ok(true));
    assert_eq!(r.next_item(), Ok(true));
    assert_eq!(r.null(), Ok(true));
    assert_eq!(r.next_item(), Ok(false));
    assert_eq!(r.next_key().unwrap().as_deref(), Some("a"));
    assert_eq!(r.string().as_deref(), Ok("x"));
    assert_eq!(r.next_key(), Ok(None));
    assert_eq!(r.finish(), Ok(()));
}

#[test]
fn null_reads_as_absent_and_is_only_consumed_when_there() {
    assert_eq!(from_slice::<Option<String>>(b"null"), Ok(None));
    assert_eq!(from_slice::<Option<String>>(b"\"s\""), Ok(Some("s".into())));
    assert!(from_slice::<Option<String>>(b"nul").is_err());
    let mut r = Reader::new("7");
    assert_eq!(r.null(), Ok(false));
    assert_eq!(r.u64(), Ok(7));
}

#[test]
fn writer_escapes_exactly_as_serde_json_does() {
    let mut every_char: String = (0u32..0x100).filter_map(char::from_u32).collect();
    every_char.push_str("\u{2028}\u{2029}😀\u{fffd}");
    for text in ["", "plain", "q\"b\\s/", "\u{1}\u{1f}\u{7f}", &every_char] {
        assert_eq!(
            to_string(text),
            serde_json::to_string(text).unwrap(),
            "{text:?}"
        );
        assert_eq!(read_string(&to_string(text)).as_deref(), Ok(text));
    }
}

#[test]
fn writer_places_commas_and_omits_absent_fields() {
    let mut w = Writer::new();
    w.begin_object();
    w.field("none", None::<&str>);
    w.field("a", Some("x"));
    w.key("list");
    w.begin_array();
    w.u64(0);
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.bool(false);
    w.null();
    w.json(JsonText::new(" {\"k\": [1, 2.5]} ").unwrap().as_str());
    w.end_array();
    w.field("n", Some(&u64::MAX));
    w.end_object();
    assert_eq!(
        w.into_string(),
        r#"{"a":"x","list":[0,{},[],false,null,{"k": [1, 2.5]}],"n":18446744073709551615}"#
    );
}

#[test]
fn json_text_is_checked_trimmed_and_kept_verbatim() {
    let text = JsonText::new(" {\"b\": 1.50, \"a\": [ ]}\n").unwrap();
    assert_eq!(text.as_str(), "{\"b\": 1.50, \"a\": [ ]}");
    assert_eq!(JsonText::new("\"s\"").unwrap().as_str(), "\"s\"");
    for bad in ["", "{nope", "1 2", "[1,]", "'a'"] {
        let e = JsonText::new(bad).unwrap_err();
        assert_eq!(
            e.code,
            crate::protocol::codes::INVALID_DATA_OR_ENCODING,
            "{bad}"
        );
    }
    assert_eq!(text.to_value(), serde_json::json!({"b": 1.5, "a": []}),);
}
