//! encode_text / encode_binary / encode_data_rows / decode_param against a real PostgreSQL 15:
//! for every (literal, type) pair, PostgreSQL's own text and binary output must equal ours.

mod common;
mod pgtypes_support;

use common::pg_cluster::PgCluster;

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use pgtypes_support::{pg_binary, pg_text, show};
use reference_server::pgtypes::{
    FormatSettings, PgColumnType, decode_param, decode_text, encode_binary, encode_data_rows,
    encode_text, parse_type_name,
};

/// (SQL literal, type) pairs; every literal is cast to its type.
const CASES: &[(&str, &str)] = &[
    ("0", "int2"),
    ("-32768", "int2"),
    ("32767", "int2"),
    ("42", "int4"),
    ("-2147483648", "int4"),
    ("2147483647", "int4"),
    ("9223372036854775807", "int8"),
    ("-9223372036854775808", "int8"),
    ("0", "int8"),
    ("0", "float4"),
    ("'-0'", "float4"),
    ("1.5", "float4"),
    ("0.1", "float4"),
    ("1e10", "float4"),
    ("1e-10", "float4"),
    ("3.4028235e38", "float4"),
    ("1.17549435e-38", "float4"),
    ("1e-45", "float4"),
    ("123456", "float4"),
    ("1234567", "float4"),
    ("0.0001", "float4"),
    ("0.00001", "float4"),
    ("'NaN'", "float4"),
    ("'Infinity'", "float4"),
    ("'-Infinity'", "float4"),
    ("0", "float8"),
    ("'-0'", "float8"),
    ("0.1", "float8"),
    ("1e100", "float8"),
    ("1e-100", "float8"),
    ("1.7976931348623157e308", "float8"),
    ("5e-324", "float8"),
    ("123456789012345", "float8"),
    ("1234567890123456", "float8"),
    ("1e15", "float8"),
    ("1e16", "float8"),
    ("0.0001", "float8"),
    ("0.00001", "float8"),
    ("3.141592653589793", "float8"),
    ("-2.5", "float8"),
    ("1/3.0::float8", "float8"),
    ("'NaN'", "float8"),
    ("'Infinity'", "float8"),
    ("'-Infinity'", "float8"),
    ("0", "numeric"),
    ("1.50", "numeric"),
    ("-1.5", "numeric"),
    ("123.456", "numeric"),
    ("0.001", "numeric"),
    ("-0.0000001", "numeric"),
    ("100", "numeric"),
    ("10000", "numeric"),
    ("0.1234", "numeric"),
    ("1e20", "numeric"),
    ("12345678901234567890.12345", "numeric"),
    ("99999999999999999999999999999999999999", "numeric"),
    ("1.5", "numeric(10,2)"),
    ("-3.14159", "numeric(10,2)"),
    ("0", "numeric(10,2)"),
    ("123456.7", "numeric(12,4)"),
    ("true", "bool"),
    ("false", "bool"),
    ("'hello'", "text"),
    ("''", "text"),
    (r#"'with "quotes" and \ backslash'"#, "text"),
    ("'ünïcödé ✓'", "text"),
    ("E'tab\\there\\nnewline'", "text"),
    ("'NULL'", "text"),
    ("'abc'", "varchar(10)"),
    ("'ab'", "char(5)"),
    ("'ab'", "bpchar"),
    ("'abc'", "name"),
    ("'\\x'", "bytea"),
    ("'\\x00ff10'", "bytea"),
    ("'abc \\\\ def'", "bytea"),
    ("'2024-01-02'", "date"),
    ("'0001-01-01'", "date"),
    ("'0001-12-31 BC'", "date"),
    ("'4713-01-01 BC'", "date"),
    ("'5874897-12-31'", "date"),
    ("'infinity'", "date"),
    ("'-infinity'", "date"),
    ("'1970-01-01'", "date"),
    ("'2000-02-29'", "date"),
    ("'10000-01-01'", "date"),
    ("'00:00:00'", "time"),
    ("'23:59:59.999999'", "time"),
    ("'12:34:56.5'", "time"),
    ("'24:00:00'", "time"),
    ("'01:02:03.0001'", "time"),
    ("'12:34:56+02'", "timetz"),
    ("'12:34:56.789-05:30'", "timetz"),
    ("'00:00:00+00'", "timetz"),
    ("'2024-01-02 03:04:05.123456'", "timestamp"),
    ("'2024-01-02 03:04:05'", "timestamp"),
    ("'2024-01-02 03:04:05.1'", "timestamp"),
    ("'2024-01-02T03:04:05.12'", "timestamp"),
    ("'0001-01-01 00:00:00'", "timestamp"),
    ("'0044-03-15 12:00:00 BC'", "timestamp"),
    ("'infinity'", "timestamp"),
    ("'-infinity'", "timestamp"),
    ("'200000-12-31 23:59:59.999999'", "timestamp"),
    ("'4713-11-24 00:00:00 BC'", "timestamp"),
    ("'1900-01-01 00:00:00.000001'", "timestamp"),
    ("'2024-01-01 00:00:00+00'", "timestamptz"),
    ("'2024-06-15 12:30:00+02'", "timestamptz"),
    ("'2024-01-02 03:04:05.5+05:30'", "timestamptz"),
    ("'1900-01-01 00:00:00+00'", "timestamptz"),
    ("'1850-06-01 12:00:00+00'", "timestamptz"),
    ("'2024-03-31 02:30:00'", "timestamptz"),
    ("'2024-10-27 02:30:00'", "timestamptz"),
    ("'2024-07-01 12:00:00'", "timestamptz"),
    ("'infinity'", "timestamptz"),
    ("'-infinity'", "timestamptz"),
    ("'0044-03-15 12:00:00+00 BC'", "timestamptz"),
    ("'1 year 2 mons 3 days 04:05:06'", "interval"),
    ("'0'", "interval"),
    ("'-1 day'", "interval"),
    ("'1 day -02:00:00'", "interval"),
    ("'-1 year -2 mons'", "interval"),
    ("'2 hours'", "interval"),
    ("'1.5 days'", "interval"),
    ("'-00:00:00.000001'", "interval"),
    ("'100 years'", "interval"),
    ("'1 mon -1 day'", "interval"),
    ("'-1 mon 1 day'", "interval"),
    ("'00:00:00.5'", "interval"),
    ("'1 year -1 mon'", "interval"),
    ("'@ 1 hour ago'", "interval"),
    ("'P1Y2M3DT4H5M6S'", "interval"),
    ("'2562047 hours'", "interval"),
    ("'-1 day +02:03:04.5'", "interval"),
    ("'1 week 3 minutes'", "interval"),
    ("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "uuid"),
    ("'{A0EEBC99-9C0B4EF8-BB6D-6BB9BD380A11}'", "uuid"),
    (r#"'{"a": 1,  "b":[1,2]}'"#, "json"),
    ("'[]'", "json"),
    (r#"'"str"'"#, "json"),
    (r#"'{"b": 1, "a": [1, 2.50, 1e2], "aa": null}'"#, "jsonb"),
    (r#"'{"a":1,"a":2}'"#, "jsonb"),
    (r#"'"\u00e9\n\"x\""'"#, "jsonb"),
    (r#"'[{"x": true}, {}, []]'"#, "jsonb"),
    ("'1.0'", "jsonb"),
    ("'-0'", "jsonb"),
    ("'192.168.0.1'", "inet"),
    ("'192.168.0.1/24'", "inet"),
    ("'::1'", "inet"),
    ("'2001:db8::1/64'", "inet"),
    ("'10.0.0.0/8'", "cidr"),
    ("'2001:db8::/32'", "cidr"),
    ("'{1,2,NULL}'", "int4[]"),
    ("'{}'", "int4[]"),
    ("'{{1,2},{3,4}}'", "int4[]"),
    ("'{-1,32767}'", "int2[]"),
    ("'{9223372036854775807}'", "int8[]"),
    (
        r#"'{"a b","",NULL,"NULL","x,y","q\"q","back\\slash",plain}'"#,
        "text[]",
    ),
    (r#"'{"{braces}"," lead"}'"#, "varchar[]"),
    ("'{1.5,NaN,-Infinity,1e100}'", "float8[]"),
    ("'{0.1,2.5}'", "float4[]"),
    ("'{2024-01-01,infinity}'", "date[]"),
    (
        "ARRAY['2024-01-01 00:00:00+00'::timestamptz]",
        "timestamptz[]",
    ),
    ("ARRAY['2024-01-01 00:00:00'::timestamp]", "timestamp[]"),
    ("'{t,f,NULL}'", "bool[]"),
    ("ARRAY['\\x01ff'::bytea]", "bytea[]"),
    ("'{1.5,2}'", "numeric[]"),
    (r#"'{"1 day","2 hours"}'"#, "interval[]"),
    (r#"ARRAY['{"a":1}'::jsonb]"#, "jsonb[]"),
    (
        "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]",
        "uuid[]",
    ),
    ("ARRAY[NULL]::int4[]", "int4[]"),
    ("'{12:00:00}'", "time[]"),
    ("NULL", "int4"),
    ("NULL", "text"),
];

/// Session settings the matrix runs under; each is applied to PostgreSQL with SET too.
fn setting_variants() -> Vec<(Vec<String>, FormatSettings)> {
    let base = FormatSettings::default();
    let mut v = vec![(vec!["SET TimeZone = 'UTC'".to_string()], base.clone())];
    for tz in [
        "Europe/Paris",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "+03:00",
    ] {
        let s = FormatSettings {
            time_zone: tz.to_string(),
            ..base.clone()
        };
        let set = if tz.starts_with('+') {
            format!("SET TIME ZONE INTERVAL '{tz}' HOUR TO MINUTE")
        } else {
            format!("SET TimeZone = '{tz}'")
        };
        v.push((vec![set], s));
    }
    for style in ["iso_8601", "sql_standard", "postgres_verbose"] {
        let s = FormatSettings {
            interval_style: style.to_string(),
            ..base.clone()
        };
        v.push((
            vec![
                "SET TimeZone = 'UTC'".into(),
                format!("SET IntervalStyle = {style}"),
            ],
            s,
        ));
    }
    for digits in [0, -3, 3] {
        let s = FormatSettings {
            extra_float_digits: digits,
            ..base.clone()
        };
        v.push((
            vec![
                "SET TimeZone = 'UTC'".into(),
                format!("SET extra_float_digits = {digits}"),
            ],
            s,
        ));
    }
    let s = FormatSettings {
        bytea_output: "escape".into(),
        ..base
    };
    v.push((
        vec![
            "SET TimeZone = 'UTC'".into(),
            "SET bytea_output = escape".into(),
        ],
        s,
    ));
    v
}

fn relevant(settings_sql: &[String], ty: &str) -> bool {
    let joined = settings_sql.join(";");
    if joined.contains("IntervalStyle") {
        return ty.starts_with("interval");
    }
    if joined.contains("extra_float_digits") {
        return ty.starts_with("float");
    }
    if joined.contains("bytea_output") {
        return ty.starts_with("bytea");
    }
    if !joined.contains("'UTC'") {
        return ty.starts_with("timestamptz") || ty.starts_with("timetz");
    }
    true
}

fn one(v: ScalarValue) -> Result<ArrayRef, String> {
    v.to_array().map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgtypes_encodings_match_postgresql() {
    let cluster = PgCluster::require();
    let client = cluster.connect().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for (set_sql, settings) in setting_variants() {
        for s in &set_sql {
            client
                .batch_execute(s)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        let mut batch_cols: Vec<ArrayRef> = Vec::new();
        let mut batch_types: Vec<PgColumnType> = Vec::new();
        let mut expected_row = BytesMut::new();
        for (lit, ty) in CASES {
            if !relevant(&set_sql, ty) {
                continue;
            }
            checked += 1;
            let ctx = format!("[{}] {lit}::{ty}", set_sql.join("; "));
            let sql = format!("SELECT ({lit})::{ty}");
            let text = match pg_text(&client, &sql).await {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!("{ctx}: PostgreSQL rejected: {e}"));
                    continue;
                }
            };
            let (binary, pg_ty) = match pg_binary(&client, &sql).await {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("{ctx}: PostgreSQL rejected (binary): {e}"));
                    continue;
                }
            };
            let col = match parse_type_name(ty) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{ctx}: parse_type_name: {e}"));
                    continue;
                }
            };
            if col.ty != pg_ty {
                failures.push(format!(
                    "{ctx}: type {} but PostgreSQL says {}",
                    col.ty, pg_ty
                ));
            }
            // Our value: PostgreSQL's binary output read back by our binary input.
            let scalar = match decode_param(binary.as_deref(), 1, &col.ty, &settings) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(format!("{ctx}: decode_param binary: {e}"));
                    continue;
                }
            };
            // Its text output read by our text input gives the same value (unless the
            // settings make PostgreSQL's float text lossy).
            if settings.extra_float_digits > 0
                && let Some(t) = &text
            {
                match decode_text(t, &col, &settings) {
                    Ok(v) if v == scalar => {}
                    other => failures.push(format!(
                        "{ctx}: decode_text({t:?}) = {other:?} != binary {scalar:?}"
                    )),
                }
                match decode_param(Some(t.as_bytes()), 0, &col.ty, &settings) {
                    Ok(v) if v == scalar => {}
                    other => failures.push(format!(
                        "{ctx}: decode_param text {other:?} != binary {scalar:?}"
                    )),
                }
            }
            let array = match one(scalar.clone()) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(format!("{ctx}: to_array: {e}"));
                    continue;
                }
            };
            let mut out = BytesMut::new();
            match encode_text(array.as_ref(), 0, &col, &settings, &mut out) {
                Ok(true) => {
                    if text.as_deref().map(str::as_bytes) != Some(&out[..]) {
                        failures.push(format!("{ctx}: text {} != PostgreSQL {text:?}", show(&out)));
                    }
                }
                Ok(false) => {
                    if text.is_some() {
                        failures.push(format!("{ctx}: text NULL != PostgreSQL {text:?}"));
                    }
                }
                Err(e) => failures.push(format!("{ctx}: encode_text: {e}")),
            }
            let mut bout = BytesMut::new();
            match encode_binary(array.as_ref(), 0, &col, &mut bout) {
                Ok(true) => {
                    if binary.as_deref() != Some(&bout[..]) {
                        failures.push(format!(
                            "{ctx}: binary {:02x?} != PostgreSQL {:02x?}",
                            &bout[..],
                            binary
                        ));
                    }
                }
                Ok(false) => {
                    if binary.is_some() {
                        failures.push(format!("{ctx}: binary NULL != PostgreSQL {binary:02x?}"));
                    }
                }
                Err(e) => failures.push(format!("{ctx}: encode_binary: {e}")),
            }
            // Collect a wide row (text for odd columns, binary for even) for encode_data_rows.
            let binary_col = batch_cols.len().is_multiple_of(2);
            let expect = if binary_col {
                binary.clone()
            } else {
                text.clone().map(String::into_bytes)
            };
            match expect {
                Some(v) => {
                    expected_row.put_i32(v.len() as i32);
                    expected_row.put_slice(&v);
                }
                None => expected_row.put_i32(-1),
            }
            batch_cols.push(array);
            batch_types.push(col);
        }
        // encode_data_rows over all the cases as the columns of one row.
        let fields: Vec<_> = batch_cols
            .iter()
            .enumerate()
            .map(|(i, a)| {
                datafusion::arrow::datatypes::Field::new(
                    format!("c{i}"),
                    a.data_type().clone(),
                    true,
                )
            })
            .collect();
        let schema = std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(fields));
        let formats: Vec<i16> = (0..batch_cols.len())
            .map(|i| i16::from(i.is_multiple_of(2)))
            .collect();
        match RecordBatch::try_new(schema, batch_cols) {
            Ok(batch) => match encode_data_rows(&batch, &batch_types, &formats, &settings) {
                Ok(rows) if rows.len() == 1 => {
                    if rows[0].data[..] != expected_row[..] {
                        failures.push(format!(
                            "[{}] encode_data_rows row differs",
                            set_sql.join("; ")
                        ));
                    }
                    if rows[0].field_count as usize != batch_types.len() {
                        failures.push("encode_data_rows field_count wrong".into());
                    }
                }
                Ok(rows) => failures.push(format!("encode_data_rows gave {} rows", rows.len())),
                Err(e) => failures.push(format!("encode_data_rows: {e}")),
            },
            Err(e) => failures.push(format!("RecordBatch: {e}")),
        }
    }
    for f in &failures {
        eprintln!("MISMATCH {f}");
    }
    assert!(checked > 200, "only {checked} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed (see MISMATCH lines)",
        failures.len()
    );
}
