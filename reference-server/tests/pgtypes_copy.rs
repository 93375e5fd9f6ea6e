//! COPY against a real PostgreSQL 15: our COPY TO output must equal PostgreSQL's byte for
//! byte, PostgreSQL's COPY output must decode back to the same rows, and malformed COPY FROM
//! input must fail with PostgreSQL's SQLSTATE, message and context.

mod common;
mod pgtypes_support;

use common::pg_cluster::PgCluster;

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;
use futures::{SinkExt, StreamExt, pin_mut};
use pgtypes_support::show;
use reference_server::pgtypes::{
    CopyDecoder, CopyOptions, FormatSettings, PgColumnType, copy_out_batch, copy_out_header,
    copy_out_trailer, decode_param, decode_text, parse_type_name,
};
use tokio_postgres::{Client, SimpleQueryMessage};

/// Column types of the rows below.
const TYPES: &[&str] = &[
    "int4",
    "text",
    "float8",
    "timestamptz",
    "bool",
    "bytea",
    "numeric(10,2)",
    "int4[]",
    "interval",
    "date",
    "jsonb",
    "varchar(5)",
];

const ROWS: &[&str] = &[
    r#"(1, 'plain', 1.5, '2024-01-02 03:04:05+00', true, '\x00ff', 12.34, '{1,2}', '1 day', '2024-01-01', '{"a": 1}', 'abc')"#,
    r#"(NULL, E'tab\there\nnew\\line,comma"quote', 'NaN', NULL, false, '\x', -0.5, '{}', NULL, 'infinity', NULL, '')"#,
    r#"(-5, '', '-0', 'infinity', NULL, NULL, NULL, '{NULL,3}', '-1 mon', NULL, '[1, "x y"]', NULL)"#,
    r#"(7, E'\\N', 1e100, '1999-12-31 23:59:59.5+01', true, E'\\x5c0a', 0, '{5,6}', '02:03:04', '0044-03-15 BC', 'null', 'a,b')"#,
    r#"(8, E'carriage\rreturn', 0.1, '2024-06-01 00:00:00+00', false, '\x0d0a09', 99999999.99, '{-1}', '1 year', '2024-02-29', '"s"', 'x"y')"#,
    r#"(9, 'NULL', 2, '2024-01-01 00:00:00+00', true, '\x01', 1, '{1}', '1 sec', '2024-01-01', '{}', E'\\.')"#,
];

fn values_sql() -> String {
    let cols: Vec<String> = TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| format!("c{i}::{t} AS c{i}"))
        .collect();
    let names: Vec<String> = (0..TYPES.len()).map(|i| format!("c{i}")).collect();
    format!(
        "SELECT {} FROM (VALUES {}) AS v({})",
        cols.join(", "),
        ROWS.join(", "),
        names.join(", ")
    )
}

/// The rows as Arrow arrays, built from PostgreSQL's text output through our text input.
async fn rows_as_batch(
    client: &Client,
    settings: &FormatSettings,
) -> (RecordBatch, Vec<PgColumnType>) {
    let cols: Vec<PgColumnType> = TYPES
        .iter()
        .map(|t| parse_type_name(t).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect();
    let mut columns: Vec<Vec<ScalarValue>> = vec![Vec::new(); TYPES.len()];
    for m in client
        .simple_query(&values_sql())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    {
        if let SimpleQueryMessage::Row(r) = m {
            for (i, col) in cols.iter().enumerate() {
                let v = match r.get(i) {
                    Some(t) => decode_text(t, col, settings).unwrap_or_else(|e| panic!("{t}: {e}")),
                    None => {
                        decode_param(None, 0, &col.ty, settings).unwrap_or_else(|e| panic!("{e}"))
                    }
                };
                columns[i].push(v);
            }
        }
    }
    let arrays: Vec<ArrayRef> = columns
        .into_iter()
        .map(|c| ScalarValue::iter_to_array(c).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let fields: Vec<Field> = arrays
        .iter()
        .enumerate()
        .map(|(i, a)| Field::new(format!("c{i}"), a.data_type().clone(), true))
        .collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .unwrap_or_else(|e| panic!("{e}"));
    (batch, cols)
}

fn options_of(copy_sql: &str) -> CopyOptions {
    let stmts = Parser::parse_sql(&PostgreSqlDialect {}, copy_sql)
        .unwrap_or_else(|e| panic!("{copy_sql}: {e}"));
    match stmts.first() {
        Some(Statement::Copy {
            options,
            legacy_options,
            ..
        }) => CopyOptions::from_sqlparser(options, legacy_options)
            .unwrap_or_else(|e| panic!("{copy_sql}: {e}")),
        other => panic!("not a COPY: {other:?}"),
    }
}

async fn pg_copy_out(client: &Client, sql: &str) -> Result<Vec<u8>, tokio_postgres::Error> {
    let stream = client.copy_out(sql).await?;
    pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// COPY option clauses exercised for each direction.
const OPTION_SETS: &[&str] = &[
    "(FORMAT text)",
    "(FORMAT text, HEADER)",
    "(FORMAT text, DELIMITER '|', NULL 'NULL')",
    "(FORMAT csv)",
    "(FORMAT csv, HEADER)",
    "(FORMAT csv, FORCE_QUOTE (c0, c3, c5))",
    "(FORMAT csv, DELIMITER ';', QUOTE '''', ESCAPE '\\', NULL 'N/A')",
    "(FORMAT csv, FORCE_QUOTE (c1, c2))",
    "(FORMAT binary)",
    "CSV HEADER",
    "BINARY",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgtypes_copy_matches_postgresql() {
    let cluster = PgCluster::require();
    let client = cluster.connect().await;
    client
        .batch_execute("SET TimeZone = 'Europe/Paris'")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = FormatSettings {
        time_zone: "Europe/Paris".into(),
        ..FormatSettings::default()
    };
    let (batch, cols) = rows_as_batch(&client, &settings).await;
    let mut failures = Vec::new();
    for opts_sql in OPTION_SETS {
        let out_sql = format!("COPY ({}) TO STDOUT {opts_sql}", values_sql());
        let pg = match pg_copy_out(&client, &out_sql).await {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{opts_sql}: PostgreSQL: {e}"));
                continue;
            }
        };
        let opts = options_of(&format!("COPY t TO STDOUT {opts_sql}"));
        let mut ours = BytesMut::new();
        if let Some(h) = copy_out_header(&opts, &batch.schema()) {
            ours.extend_from_slice(&h);
        }
        // Two batches, to check rows concatenate cleanly across CopyData messages.
        for part in [batch.slice(0, 2), batch.slice(2, batch.num_rows() - 2)] {
            match copy_out_batch(&part, &cols, &opts, &settings) {
                Ok(b) => ours.extend_from_slice(&b),
                Err(e) => failures.push(format!("{opts_sql}: copy_out_batch: {e}")),
            }
        }
        if let Some(t) = copy_out_trailer(&opts) {
            ours.extend_from_slice(&t);
        }
        if ours[..] != pg[..] {
            failures.push(format!(
                "{opts_sql}: COPY TO\n ours {}\n   pg {}",
                show(&ours),
                show(&pg)
            ));
        }
        // PostgreSQL's output decodes back to the same rows, however it is chunked (except
        // when the NULL string equals a data value: then PostgreSQL reads it back as NULL too).
        let ambiguous = opts_sql.contains("NULL 'NULL'");
        for chunk in [1usize, 3, 7, 64, usize::MAX] {
            if ambiguous {
                break;
            }
            let mut dec = CopyDecoder::new(batch.schema(), cols.clone(), opts.clone(), &settings);
            let mut got = Vec::new();
            let mut err = None;
            for piece in pg.chunks(chunk.min(pg.len().max(1))) {
                if let Err(e) = dec.push(piece) {
                    err = Some(e);
                    break;
                }
                match dec.take_batch(2) {
                    Ok(Some(b)) => got.push(b),
                    Ok(None) => {}
                    Err(e) => err = Some(e),
                }
            }
            match dec.finish() {
                Ok(Some(b)) => got.push(b),
                Ok(None) => {}
                Err(e) => err = err.or(Some(e)),
            }
            if let Some(e) = err {
                failures.push(format!("{opts_sql} chunk {chunk}: decoder error {e:?}"));
                continue;
            }
            let merged = datafusion::arrow::compute::concat_batches(&batch.schema(), &got);
            match merged {
                Ok(m) if m == batch => {}
                Ok(m) => failures.push(format!(
                    "{opts_sql} chunk {chunk}: decoded rows differ:\n{m:?}\nvs\n{batch:?}"
                )),
                Err(e) => failures.push(format!("{opts_sql} chunk {chunk}: concat {e}")),
            }
        }
    }
    // A lone `\.` value must be quoted in single-column CSV output.
    let single = pg_copy_out(
        &client,
        "COPY (SELECT E'\\\\.'::text AS x) TO STDOUT (FORMAT csv)",
    )
    .await
    .unwrap_or_default();
    let opts = options_of("COPY t TO STDOUT (FORMAT csv)");
    let one = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "x",
            datafusion::arrow::datatypes::DataType::Utf8,
            true,
        )])),
        vec![Arc::new(datafusion::arrow::array::StringArray::from(vec!["\\."])) as ArrayRef],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ours = copy_out_batch(
        &one,
        &[parse_type_name("text").unwrap_or_else(|e| panic!("{e}"))],
        &opts,
        &settings,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    if ours[..] != single[..] {
        failures.push(format!(
            "single \\. csv: ours {} pg {}",
            show(&ours),
            show(&single)
        ));
    }
    for f in &failures {
        eprintln!("MISMATCH {f}");
    }
    assert!(failures.is_empty(), "{} COPY checks failed", failures.len());
}

fn binary_header() -> Vec<u8> {
    let mut v = b"PGCOPY\n\xff\r\n\0".to_vec();
    v.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
    v
}

fn binary_row(fields: &[Option<&[u8]>]) -> Vec<u8> {
    let mut v = (fields.len() as i16).to_be_bytes().to_vec();
    for f in fields {
        match f {
            None => v.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(b) => {
                v.extend_from_slice(&(b.len() as i32).to_be_bytes());
                v.extend_from_slice(b);
            }
        }
    }
    v
}

/// Malformed COPY FROM inputs; each must fail in PostgreSQL and in our decoder alike.
fn bad_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let good_row = binary_row(&[
        Some(&1i32.to_be_bytes()),
        Some(b"x"),
        Some(&0i32.to_be_bytes()),
    ]);
    vec![
        ("(FORMAT text)", b"x\tfoo\t2024-01-01\n".to_vec()),
        ("(FORMAT text)", b"1\tfoo\n".to_vec()),
        ("(FORMAT text)", b"1\tfoo\t2024-01-01\textra\n".to_vec()),
        ("(FORMAT text)", b"\\N\tfoo\t2024-01-01\n".to_vec()),
        ("(FORMAT text)", b"1\tfoo\t2024-13-01\n".to_vec()),
        (
            "(FORMAT text)",
            b"1\tfoo\t2024-01-01\n2\tbar\tnope\n".to_vec(),
        ),
        ("(FORMAT text)", b"1\t\xff\xfe\t2024-01-01\n".to_vec()),
        ("(FORMAT text)", b"99999999999\tfoo\t2024-01-01\n".to_vec()),
        (
            "(FORMAT text)",
            b"1\tfoo\t2024-01-01\r\n2\tbar\t2024-01-02\n".to_vec(),
        ),
        (
            "(FORMAT text)",
            b"1\tfoo\t2024-01-01\n2\tbar\t2024-01-02\r\n".to_vec(),
        ),
        ("(FORMAT text)", b"\n".to_vec()),
        ("(FORMAT text)", b"1\tfoo\\.\t2024-01-01\n".to_vec()),
        (
            "(FORMAT text)",
            b" 1 \tfoo\t 2024-01-01 \n2\t\\x41\\101\tJan 5 2024x\n".to_vec(),
        ),
        ("(FORMAT csv)", b"1,\"unterminated\n".to_vec()),
        ("(FORMAT csv)", b"1,a\n".to_vec()),
        ("(FORMAT csv)", b"1,a,2024-01-01,extra\n".to_vec()),
        ("(FORMAT csv)", b",a,2024-01-01\n".to_vec()),
        ("(FORMAT csv)", b"1.5,a,2024-01-01\n".to_vec()),
        (
            "(FORMAT binary)",
            b"NOTPGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec(),
        ),
        ("(FORMAT binary)", b"PGCOPY\n\xff\r\n\0\0\0".to_vec()),
        (
            "(FORMAT binary)",
            [binary_header(), good_row[..good_row.len() - 3].to_vec()].concat(),
        ),
        (
            "(FORMAT binary)",
            [
                binary_header(),
                binary_row(&[Some(&1i32.to_be_bytes()), Some(b"x")]),
            ]
            .concat(),
        ),
        (
            "(FORMAT binary)",
            [
                binary_header(),
                binary_row(&[Some(&[0, 0, 1]), Some(b"x"), None]),
                vec![0xff, 0xff],
            ]
            .concat(),
        ),
        (
            "(FORMAT binary)",
            [
                binary_header(),
                binary_row(&[None, Some(b"x"), None]),
                vec![0xff, 0xff],
            ]
            .concat(),
        ),
        (
            "(FORMAT binary)",
            [
                binary_header(),
                binary_row(&[Some(&1i32.to_be_bytes()), Some(b"\xff"), None]),
                vec![0xff, 0xff],
            ]
            .concat(),
        ),
        (
            "(FORMAT binary)",
            [binary_header(), good_row.clone()].concat(),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgtypes_copy_errors_match_postgresql() {
    let cluster = PgCluster::require();
    let client = cluster.connect().await;
    client
        .batch_execute("CREATE TABLE t (a int4 NOT NULL, b text, c date)")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = FormatSettings::default();
    let cols: Vec<PgColumnType> = ["int4", "text", "date"]
        .iter()
        .map(|t| parse_type_name(t).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", datafusion::arrow::datatypes::DataType::Int32, false),
        Field::new("b", datafusion::arrow::datatypes::DataType::Utf8, true),
        Field::new("c", datafusion::arrow::datatypes::DataType::Date32, true),
    ]));
    let mut failures = Vec::new();
    for (opts_sql, data) in bad_inputs() {
        let sql = format!("COPY t FROM STDIN {opts_sql}");
        let pg_result = async {
            let sink = client.copy_in::<_, Bytes>(&sql).await?;
            pin_mut!(sink);
            sink.send(Bytes::from(data.clone())).await?;
            sink.finish().await
        }
        .await;
        let pg_err = pg_result
            .as_ref()
            .err()
            .and_then(|e| e.as_db_error())
            .map(|e| {
                (
                    e.code().code().to_string(),
                    e.message().to_string(),
                    e.where_().map(str::to_string),
                )
            });
        let opts = options_of(&sql);
        for chunk in [1usize, 5, usize::MAX] {
            let mut dec = CopyDecoder::new(schema.clone(), cols.clone(), opts.clone(), &settings)
                .with_table("t");
            let mut ours = None;
            for piece in data.chunks(chunk.min(data.len().max(1))) {
                if let Err(e) = dec.push(piece) {
                    ours = Some(e);
                    break;
                }
            }
            if ours.is_none() {
                ours = dec.finish().err();
            }
            let ours = ours.map(|e| (e.code.to_string(), e.message.clone(), Some(e.context("t"))));
            let same = match (&ours, &pg_err) {
                (Some(o), Some(p)) => {
                    o.0 == p.0
                        && o.1 == p.1
                        && p.2.as_deref().is_none_or(|w| Some(w) == o.2.as_deref())
                }
                (None, None) => true,
                _ => false,
            };
            if !same {
                failures.push(format!(
                    "{opts_sql} {} chunk {chunk}:\n ours {ours:?}\n   pg {pg_err:?}",
                    show(&data)
                ));
            }
        }
        let _ = client.batch_execute("TRUNCATE t").await;
    }
    for f in &failures {
        eprintln!("MISMATCH {f}");
    }
    assert!(
        failures.is_empty(),
        "{} COPY error checks failed",
        failures.len()
    );
}
