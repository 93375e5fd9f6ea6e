//! Unit tests: malformed or hostile bytes give errors, never panics or huge allocations.

use super::*;

fn ctx() -> RenderContext {
    RenderContext::default()
}

fn is_malformed(r: Result<String, RenderError>) -> bool {
    matches!(r, Err(RenderError::Malformed { .. }))
}

/// Every known type, fed truncations and extensions of a valid-looking value, must return
/// (Ok or Err) without panicking.
#[test]
fn no_panic_on_any_prefix() {
    let samples: &[&[u8]] = &[
        &[],
        &[0],
        &[0xff; 3],
        &[0xff; 8],
        &[0x80; 17],
        &[
            0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7,
        ],
        &[0x7f; 64],
    ];
    for oid in 0..10_000u32 {
        if type_name(oid).is_none() {
            continue;
        }
        for sample in samples {
            for end in 0..=sample.len() {
                let _ = render_binary(oid, sample.get(..end).unwrap_or_default(), &ctx());
            }
        }
    }
}

#[test]
fn unknown_type() {
    assert_eq!(
        render_binary(424242, b"x", &ctx()),
        Err(RenderError::UnknownType(424242))
    );
}

#[test]
fn wrong_lengths() {
    assert!(is_malformed(render_binary(23, &[0, 0, 1], &ctx())));
    assert!(is_malformed(render_binary(23, &[0, 0, 0, 1, 0], &ctx())));
    assert!(is_malformed(render_binary(701, &[0; 7], &ctx())));
    assert!(is_malformed(render_binary(2950, &[0; 15], &ctx())));
}

#[test]
fn array_with_huge_dimensions_is_refused_cheaply() {
    // ndim 2, no nulls, int4, dims 2^31-1 x 2^31-1, lower bounds 1.
    let mut raw = vec![0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 23];
    raw.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
    raw.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
    assert!(is_malformed(render_binary(1007, &raw, &ctx())));
    // Too many dimensions.
    assert!(is_malformed(render_binary(
        1007,
        &[0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 23],
        &ctx()
    )));
    // Negative dimension count.
    assert!(is_malformed(render_binary(
        1007,
        &[0xff, 0xff, 0xff, 0xff],
        &ctx()
    )));
}

#[test]
fn array_element_length_past_end() {
    let mut raw = vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1];
    raw.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff, b'a']);
    assert!(is_malformed(render_binary(1009, &raw, &ctx())));
}

#[test]
fn record_with_huge_count_is_refused() {
    assert!(is_malformed(render_binary(
        2249,
        &[0x7f, 0xff, 0xff, 0xff],
        &ctx()
    )));
}

#[test]
fn deeply_nested_records_are_refused() {
    // record(record(record(...))) 1000 deep: each level is count 1, oid 2249, length.
    let mut raw: Vec<u8> = vec![0, 0, 0, 0];
    for _ in 0..1000 {
        let mut outer = vec![0, 0, 0, 1, 0, 0, 0x08, 0xc9];
        outer.extend_from_slice(&u32::try_from(raw.len()).unwrap_or(0).to_be_bytes());
        outer.extend_from_slice(&raw);
        raw = outer;
    }
    assert!(render_binary(2249, &raw, &ctx()).is_err());
}

#[test]
fn numeric_bad_digit_and_sign() {
    // One digit 10000 (out of range).
    assert!(is_malformed(render_binary(
        1700,
        &[0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10],
        &ctx()
    )));
    // Sign 0x1234.
    assert!(is_malformed(render_binary(
        1700,
        &[0, 0, 0, 0, 0x12, 0x34, 0, 0],
        &ctx()
    )));
    // Digit count larger than the bytes.
    assert!(is_malformed(render_binary(
        1700,
        &[0x7f, 0xff, 0, 0, 0, 0, 0, 0],
        &ctx()
    )));
}

#[test]
fn out_of_range_datetimes() {
    assert!(is_malformed(render_binary(
        1083,
        &(-1i64).to_be_bytes(),
        &ctx()
    )));
    assert!(is_malformed(render_binary(
        1082,
        &(-2_451_546i32).to_be_bytes(),
        &ctx()
    )));
    assert!(is_malformed(render_binary(
        1114,
        &(i64::MAX - 1).to_be_bytes(),
        &ctx()
    )));
}

#[test]
fn bad_settings_are_unsupported() {
    let mut c = ctx();
    c.time_zone = "Not/AZone!!".to_string();
    let r = render_binary(1184, &0i64.to_be_bytes(), &c);
    assert!(matches!(r, Err(RenderError::Unsupported(_))), "{r:?}");
    let mut c = ctx();
    c.date_style = "Bogus".to_string();
    assert!(matches!(
        render_binary(1082, &0i32.to_be_bytes(), &c),
        Err(RenderError::Unsupported(_))
    ));
    let mut c = ctx();
    c.interval_style = "Bogus".to_string();
    assert!(matches!(
        render_binary(1186, &[0; 16], &c),
        Err(RenderError::Unsupported(_))
    ));
}

#[test]
fn context_from_params() {
    let params: std::collections::BTreeMap<String, String> = [
        ("TimeZone", "Europe/Berlin"),
        ("DateStyle", "ISO, DMY"),
        ("IntervalStyle", "postgres"),
        ("extra_float_digits", "0"),
        ("server_version", "15.0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let c = RenderContext::from_server_params(&params);
    assert_eq!(c.time_zone, "Europe/Berlin");
    assert_eq!(c.date_style, "ISO, DMY");
    assert_eq!(c.extra_float_digits, 0);
    assert_eq!(c.bytea_output, "hex");
}

#[test]
fn letters() {
    assert_eq!(type_letter(23), 'I');
    assert_eq!(type_letter(26), 'I');
    assert_eq!(type_letter(1700), 'R');
    assert_eq!(type_letter(1043), 'T');
    assert_eq!(type_letter(16), 'B');
    assert_eq!(type_letter(1184), 'D');
    assert_eq!(type_letter(1007), '?');
    assert_eq!(type_letter(999_999), '?');
}
