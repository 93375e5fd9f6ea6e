//! `render_binary` against a real PostgreSQL 15: every expression is run twice on one
//! connection, once through the simple protocol (PostgreSQL's own text) and once through the
//! extended protocol with binary results, and our rendering of the binary value must equal
//! the text. Every mismatch is printed before the test fails.

use std::collections::BTreeMap;
use std::error::Error;

use pgcompat::postgres::{LocalCluster, LocalOptions};
use pgcompat::types::{RenderContext, render_binary, type_name};
use postgres_types::{FromSql, ToSql, Type};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

/// Keeps a column's raw binary bytes, whatever its type.
struct Raw(Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// One disagreement between PostgreSQL's text and our rendering.
struct Mismatch {
    settings: String,
    query: String,
    cell: String,
    expected: Option<String>,
    ours: Result<Option<String>, String>,
}

/// A connection to a throwaway PostgreSQL 15 cluster (kept alive by the returned guard), or
/// to `PGCOMPAT_TEST_PG_URL` when set.
async fn connect() -> Result<(Client, Option<LocalCluster>), Box<dyn Error>> {
    let (url, cluster) = match std::env::var("PGCOMPAT_TEST_PG_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let opts = LocalOptions {
                version: Some("15".to_string()),
                ..LocalOptions::default()
            };
            let cluster = LocalCluster::start(&opts).await?;
            (cluster.url(), Some(cluster))
        }
    };
    let (client, connection) = tokio_postgres::connect(&url, NoTls).await?;
    tokio::spawn(connection);
    Ok((client, cluster))
}

/// Text rows of a simple-protocol query: PostgreSQL's own rendering.
async fn text_rows(client: &Client, sql: &str) -> Result<Vec<Vec<Option<String>>>, Box<dyn Error>> {
    let mut rows = Vec::new();
    for msg in client.simple_query(sql).await? {
        if let SimpleQueryMessage::Row(row) = msg {
            rows.push(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            );
        }
    }
    Ok(rows)
}

/// The session settings that matter for rendering, as `SHOW` reports them.
async fn session_context(client: &Client) -> Result<RenderContext, Box<dyn Error>> {
    let names = [
        "TimeZone",
        "DateStyle",
        "IntervalStyle",
        "extra_float_digits",
        "bytea_output",
    ];
    let mut params = BTreeMap::new();
    for name in names {
        let rows = text_rows(client, &format!("SHOW {name}")).await?;
        let value = rows
            .first()
            .and_then(|r| r.first().cloned().flatten())
            .ok_or_else(|| format!("SHOW {name} returned nothing"))?;
        params.insert(name.to_string(), value);
    }
    Ok(RenderContext::from_server_params(&params))
}

/// Runs `sql` both ways; returns how many cells were compared.
async fn compare(
    client: &Client,
    settings: &str,
    ctx: &RenderContext,
    sql: &str,
    mismatches: &mut Vec<Mismatch>,
) -> Result<usize, Box<dyn Error>> {
    let expected = text_rows(client, sql).await?;
    let stmt = client.prepare(sql).await?;
    let rows = client
        .query_raw(&stmt, std::iter::empty::<&dyn ToSql>())
        .await?;
    futures::pin_mut!(rows);
    let mut binary = Vec::new();
    while let Some(row) = futures::StreamExt::next(&mut rows).await {
        binary.push(row?);
    }
    if binary.len() != expected.len() {
        return Err(format!(
            "{sql}: {} text rows but {} binary rows",
            expected.len(),
            binary.len()
        )
        .into());
    }
    let mut cells = 0;
    for (row_no, (text_row, row)) in expected.iter().zip(&binary).enumerate() {
        for (col, column) in stmt.columns().iter().enumerate() {
            let oid = column.type_().oid();
            let raw: Option<Raw> = row.try_get(col)?;
            let ours = match raw {
                None => Ok(None),
                Some(Raw(bytes)) => render_binary(oid, &bytes, ctx)
                    .map(Some)
                    .map_err(|e| e.to_string()),
            };
            let want = text_row.get(col).cloned().flatten();
            cells += 1;
            if ours.as_ref() != Ok(&want) {
                mismatches.push(Mismatch {
                    settings: settings.to_string(),
                    query: sql.to_string(),
                    cell: format!("row {row_no} col {col} ({})", type_name(oid).unwrap_or("?")),
                    expected: want,
                    ours,
                });
            }
        }
    }
    Ok(cells)
}

/// A group of expressions evaluated under some session settings.
struct Group {
    settings: &'static [&'static str],
    exprs: Vec<String>,
}

fn exprs(list: &[&str]) -> Vec<String> {
    list.iter().map(|e| e.to_string()).collect()
}

fn scalar_exprs() -> Vec<String> {
    exprs(&[
        // bool, integers, oid-likes
        "true",
        "false",
        "NULL::bool",
        "0::int2",
        "32767::int2",
        "(-32768)::int2",
        "0",
        "2147483647",
        "(-2147483648)::int4",
        "9223372036854775807::int8",
        "(-9223372036854775808)::int8",
        "0::oid",
        "4294967295::oid",
        "'12345'::xid",
        "'7'::cid",
        "'18446744073709551615'::xid8",
        "0::regclass",
        "0::regtype",
        "0::regproc",
        "99999999::regclass",
        "'(0,1)'::tid",
        "'(4294967295,65535)'::tid",
        "'16/B374D848'::pg_lsn",
        "'0/0'::pg_lsn",
        // numeric
        "0::numeric",
        "1::numeric",
        "(-1)::numeric",
        "0.0::numeric",
        "0.000::numeric",
        "1.5::numeric",
        "-1.50::numeric",
        "123456789.123456789::numeric",
        "1e100::numeric",
        "1e-100::numeric",
        "(-1e-100)::numeric",
        "0.0001::numeric",
        "0.00001::numeric",
        "10000::numeric",
        "9999.9999::numeric",
        "100000000::numeric",
        "12345678901234567890123456789012345678901234567890::numeric",
        "'NaN'::numeric",
        "'Infinity'::numeric",
        "'-Infinity'::numeric",
        "1.23::numeric(10,5)",
        "(2::numeric / 3)",
        "(1::numeric / 7) * 1e20",
        "round(2.5::numeric, 0)",
        "0.1::numeric(3,3)",
        "'1e-16383'::numeric",
        "(10::numeric ^ 131071)::text::numeric > 0",
        // text-like
        "''",
        "'hello'",
        "'hello'::varchar(10)",
        "'ab'::char(5)",
        "'x'::char",
        "'abc'::name",
        "'a'::\"char\"",
        "''::\"char\"",
        "'ünïcödé ✓'",
        "E'tab\\there'",
        "'quote '' here'",
        "'back\\slash'",
        "'NULL'",
        "repeat('x', 1000)",
        "'abc'::text::bpchar",
        "'hello'::unknown",
        "'a'::varchar",
        "'{}'::json",
        "'[1, 2,  {\"a\": null}]'::json",
        "'[1, 2,  {\"b\": 1, \"a\": null}]'::jsonb",
        "'\"str\"'::jsonb",
        "'null'::jsonb",
        "'{\"a\": 1.50, \"b\": [true, false]}'::jsonb",
        "'<a>x</a>'::xml",
        "'cursor'::refcursor",
        // bytea
        "''::bytea",
        "'\\x00ff10'::bytea",
        "'abc'::bytea",
        "decode('deadbeef', 'hex')",
        // uuid
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
        "'00000000-0000-0000-0000-000000000000'::uuid",
        // network
        "'192.168.0.1'::inet",
        "'192.168.0.1/24'::inet",
        "'10.0.0.0/8'::cidr",
        "'10.1.2.3/32'::inet",
        "'10.1.2.3/32'::cidr",
        "'0.0.0.0/0'::cidr",
        "'::1'::inet",
        "'::'::inet",
        "'::/0'::cidr",
        "'2001:db8::1'::inet",
        "'2001:db8::/32'::cidr",
        "'2001:db8:0:0:1:0:0:1'::inet",
        "'::ffff:1.2.3.4'::inet",
        "'::1.2.3.4'::inet",
        "'::2'::inet",
        "'1::'::inet",
        "'fe80::1:2:3:4/64'::inet",
        "'2001:db8::1/128'::cidr",
        "'1:0:0:2:0:0:0:3'::inet",
        "'1:0:2:0:3:0:4:0'::inet",
        "'::ffff:0:1.2.3.4'::inet",
        "'0:0:0:0:0:1:0:0'::inet",
        "'08:00:2b:01:02:03'::macaddr",
        "'08:00:2b:01:02:03:04:05'::macaddr8",
        // money
        "0::money",
        "1234.56::money",
        "(-1)::money",
        "(-1234.5)::money",
        "0.01::money",
        "(-0.01)::money",
        "'92233720368547758.07'::money",
        "'-92233720368547758.08'::money",
        "1000000::money",
        "999.99::money",
        // bit strings
        "B'1010'",
        "B''::varbit",
        "B'1'::bit(1)",
        "B'10101010101'::varbit",
        "'101'::bit(8)",
        // geometry
        "'(1,2)'::point",
        "'(1.5,-2.25)'::point",
        "'(0.1,1e20)'::point",
        "'[(0,0),(1,1)]'::lseg",
        "'(1,1),(0,0)'::box",
        "'(-1,-1),(2,3)'::box",
        "'{1,2,3}'::line",
        "'{0.5,-1,0}'::line",
        "'((0,0),(1,1),(2,0))'::path",
        "'[(0,0),(1,1)]'::path",
        "'((0,0),(1,1),(1,0))'::polygon",
        "'<(1,2),3>'::circle",
        "'<(0.1,0.2),0.3>'::circle",
        "point(1e-300, -1e300)",
        // vectors
        "'1 2 3'::int2vector",
        "''::int2vector",
        "'1 2 4294967295'::oidvector",
        // records
        "ROW(1, 'abc')",
        "ROW(1, NULL, '')",
        "ROW('a b', 'x,y', 'q\"t', 'b\\s', '(p)')",
        "ROW(ROW(1, 'x y'), 2)",
        "ROW(1.5::float8, now()::date - now()::date, true)",
        "ROW(ARRAY[1,2], '{a,b}'::text[])",
        "ROW()",
    ])
}

fn float_exprs() -> Vec<String> {
    let mut list = exprs(&[
        "0::float8",
        "'-0'::float8",
        "1::float8",
        "0.1::float8",
        "1e100::float8",
        "1e15::float8",
        "1e16::float8",
        "1e14::float8",
        "123456789012345.6::float8",
        "0.0001::float8",
        "0.00001::float8",
        "1.5e-7::float8",
        "'NaN'::float8",
        "'Infinity'::float8",
        "'-Infinity'::float8",
        "1.7976931348623157e308::float8",
        "2.2250738585072014e-308::float8",
        "5e-324::float8",
        "-1.2345678901234567e-5::float8",
        "(1/3.0)::float8",
        "pi()",
        "0::float4",
        "'-0'::float4",
        "0.1::float4",
        "1e6::float4",
        "1e5::float4",
        "123456.7::float4",
        "1e-5::float4",
        "3.4028235e38::float4",
        "1.4e-45::float4",
        "'NaN'::float4",
        "'-Infinity'::float4",
        "(1/3.0)::float4",
        "99999.99::float4",
        "ARRAY[1.5::float8, '-0', 'NaN', NULL]",
        "ARRAY[0.1::float4, 1e10]",
        "'(0.1,1e20)'::point",
    ]);
    // Bulk values: many magnitudes and digit patterns.
    list.push("(1.0 / i)::float8 FROM generate_series(1, 200) i".to_string());
    list.push("(1.0 / i)::float4 FROM generate_series(1, 200) i".to_string());
    list.push("(10::float8 ^ i) * 1.2345678901 FROM generate_series(-300, 300, 3) i".to_string());
    list.push("((10::float8 ^ i) * 1.23456)::float4 FROM generate_series(-37, 37) i".to_string());
    list.push("sqrt(i::float8) * -1 FROM generate_series(1, 100) i".to_string());
    list
}

fn datetime_exprs() -> Vec<String> {
    exprs(&[
        "'2024-01-15'::date",
        "'0001-01-01'::date",
        "'0044-03-15 BC'::date",
        "'4713-01-01 BC'::date",
        "'5874897-12-31'::date",
        "'10000-01-01'::date",
        "'infinity'::date",
        "'-infinity'::date",
        "'2000-02-29'::date",
        "'1900-02-28'::date",
        "'00:00:00'::time",
        "'23:59:59.999999'::time",
        "'24:00:00'::time",
        "'12:34:56.5'::time",
        "'12:34:56.000001'::time(6)",
        "'01:02:03'::time(0)",
        "'12:00:00+02'::timetz",
        "'12:00:00-05:30'::timetz",
        "'00:00:00.5+00'::timetz",
        "'12:00:00+15:59:59'::timetz",
        "'23:59:59-15:59'::timetz",
        "'2024-01-15 10:20:30'::timestamp",
        "'2024-01-15 10:20:30.123'::timestamp",
        "'2024-01-15 10:20:30.000001'::timestamp",
        "'0044-03-15 12:00 BC'::timestamp",
        "'4714-11-24 00:00:00 BC'::timestamp",
        "'294276-12-31 23:59:59.999999'::timestamp",
        "'infinity'::timestamp",
        "'-infinity'::timestamp",
        "'1999-12-31 23:59:59.5'::timestamp",
        "'1969-12-31 23:59:59.999999'::timestamp",
        "'12345-06-07 08:09:10'::timestamp",
        "'2024-01-15 10:20:30+00'::timestamptz",
        "'2024-07-15 10:20:30.5+00'::timestamptz",
        "'2024-03-31 00:30:00+00'::timestamptz",
        "'2024-03-31 01:30:00+00'::timestamptz",
        "'2024-10-27 00:30:00+00'::timestamptz",
        "'2024-10-27 01:30:00+00'::timestamptz",
        "'2024-03-10 06:59:59+00'::timestamptz",
        "'2024-03-10 07:00:00+00'::timestamptz",
        "'2024-11-03 05:59:59+00'::timestamptz",
        "'2024-11-03 06:00:00+00'::timestamptz",
        "'1900-01-01 00:00:00+00'::timestamptz",
        "'1800-06-01 12:00:00+00'::timestamptz",
        "'0044-03-15 12:00:00+00 BC'::timestamptz",
        "'4714-11-24 00:00:00+00 BC'::timestamptz",
        "'2100-07-01 00:00:00+00'::timestamptz",
        "'3000-01-01 12:00:00+00'::timestamptz",
        "'12345-07-01 12:00:00+00'::timestamptz",
        "'294276-12-31 23:59:59+00'::timestamptz",
        "'1970-01-01 00:00:00+00'::timestamptz",
        "'1937-07-01 00:00:00+00'::timestamptz",
        "'infinity'::timestamptz",
        "'-infinity'::timestamptz",
        "'2038-01-19 03:14:08+00'::timestamptz",
        "'2050-06-15 12:00:00+00'::timestamptz",
        "ARRAY['2024-01-15 10:20:30+00'::timestamptz, NULL]",
        "ARRAY['2024-01-15'::date, 'infinity']",
        "'2024-01-01 00:00:00+00'::timestamptz + i * interval '7 days 1 hour' FROM generate_series(0, 120) i",
        "'1890-01-01 00:00:00+00'::timestamptz + i * interval '1 year 13 days' FROM generate_series(0, 200) i",
        "'[2024-01-01 00:00+00, 2024-06-01 00:00+00)'::tstzrange",
        "ROW('2024-07-01 12:00+00'::timestamptz, '12:00'::time)",
    ])
}

fn interval_exprs() -> Vec<String> {
    exprs(&[
        "'0'::interval",
        "'1 year'::interval",
        "'2 years'::interval",
        "'1 mon'::interval",
        "'1 year 2 mons 3 days 04:05:06.789'::interval",
        "'-1 days +02:00:00'::interval",
        "'-1 year -2 mons +3 days'::interval",
        "'1 day -00:00:01'::interval",
        "'-00:00:00.000001'::interval",
        "'00:00:00.5'::interval",
        "'100 hours'::interval",
        "'-1 year'::interval",
        "'1 year -1 mon'::interval",
        "'-1 mon 1 day'::interval",
        "'178956970 years 7 mons'::interval",
        "'-178956970 years -8 mons'::interval",
        "'2147483647 days'::interval",
        "'-2147483648 days'::interval",
        "'2562047788:00:54.775807'::interval",
        "'-2562047788:00:54.775807'::interval",
        "'1 day'::interval",
        "'-1 day'::interval",
        "'1 day 1 second'::interval",
        "'3 mons -1 day 00:00:01'::interval",
        "'-3 mons -1 day -00:00:01'::interval",
        "ARRAY['1 day'::interval, '-00:01']",
        "'-1 year -2 mons'::interval",
        "'-3 days -00:00:01'::interval",
        "'-00:00:01'::interval",
        "'1 sec'::interval",
        "'-1 sec'::interval",
        "'-0.5 sec'::interval",
        "'1 day -1 sec'::interval",
        "'1 mon -1 day'::interval",
        "'-1 mon -1 day'::interval",
        "'1 hour 1 min'::interval",
        "'-1 hour -1 min'::interval",
        "'1 year 1 hour'::interval",
        "'-1 year -1 hour'::interval",
        "'2 days'::interval",
        "'-2 days 3 hours'::interval",
        "make_interval(0, 0, 0, 0, i, i * 7, i * 1.5) FROM generate_series(-30, 30) i",
    ])
}

fn container_exprs() -> Vec<String> {
    exprs(&[
        "ARRAY[1,2,3]",
        "ARRAY[]::int4[]",
        "'{}'::text[]",
        "ARRAY[NULL]::int4[]",
        "ARRAY[1, NULL, 3]",
        "ARRAY[[1,2],[3,4]]",
        "ARRAY[[[1],[2]],[[3],[4]]]",
        "'[2:3]={5,6}'::int4[]",
        "'[0:1][-1:0]={{1,2},{3,4}}'::int4[]",
        "'[-5:-5]={x}'::text[]",
        "ARRAY['', 'a b', 'a,b', 'q\"t', 'b\\s', '{x}', 'NULL', 'null', 'plain', NULL]",
        "ARRAY[E'tab\\t', E'nl\\n', E'cr\\r', E'ff\\f', E'vt\\v']",
        "ARRAY['ünï', 'x;y']",
        "ARRAY['ab'::char(4), 'c']",
        "ARRAY['a'::\"char\"]",
        "ARRAY['x'::varchar, NULL]",
        "ARRAY['abc'::name]",
        "ARRAY[true, false, NULL]",
        "ARRAY[1::int2, -2]",
        "ARRAY[9223372036854775807::int8]",
        "ARRAY[1.5::numeric, 'NaN', NULL, 0.000]",
        "ARRAY['\\x01'::bytea, '']",
        "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]",
        "ARRAY['{\"a\": 1}'::jsonb, '[]']",
        "ARRAY['{\"a\": 1}'::json]",
        "ARRAY['1.2.3.4'::inet, '::1/64']",
        "ARRAY['10/8'::cidr]",
        "ARRAY['08:00:2b:01:02:03'::macaddr]",
        "ARRAY[1::money, '-2']",
        "ARRAY[B'101', B'1']",
        "ARRAY['(1,1),(0,0)'::box, '(2,2),(1,1)']",
        "ARRAY['(1,2)'::point]",
        "ARRAY['<(1,2),3>'::circle]",
        "ARRAY['[(0,0),(1,1)]'::lseg]",
        "ARRAY['{1,2,3}'::line]",
        "ARRAY['((0,0),(1,1))'::path]",
        "ARRAY['((0,0),(1,1),(1,0))'::polygon]",
        "ARRAY['(0,1)'::tid]",
        "ARRAY[1::oid]",
        "ARRAY['1 2'::int2vector]",
        "ARRAY['2024-01-15 10:20:30'::timestamp]",
        "ARRAY['12:00'::time, '13:00']",
        "ARRAY['12:00+02'::timetz]",
        "ARRAY[ROW(1, 'a b'), ROW(2, NULL)]",
        "ARRAY['[1,5)'::int4range, 'empty']",
        "ARRAY[['a','b'],[NULL,'']]",
        "array_fill(7, ARRAY[2,3], ARRAY[0,5])",
        "array_fill(NULL::int, ARRAY[3])",
        "'{}'::int[][]",
        "ARRAY[0::regclass]",
        // ranges
        "'[1,5)'::int4range",
        "'[1,5]'::int4range",
        "'(1,5)'::int4range",
        "'empty'::int4range",
        "'(,5)'::int4range",
        "'[1,)'::int4range",
        "'(,)'::int4range",
        "'[1,5)'::int8range",
        "'[1.5,2.5]'::numrange",
        "'(,1.0)'::numrange",
        "'[2024-01-01,2024-02-01)'::daterange",
        "'[2024-01-01,infinity)'::daterange",
        "'[2024-01-01 10:00, 2024-01-01 11:00)'::tsrange",
        "'[2024-01-01 10:00+00, 2024-07-01 11:00+00]'::tstzrange",
        "'(,)'::tstzrange",
        "'[-infinity,infinity]'::tsrange",
        // multiranges
        "'{[1,3), [5,7)}'::int4multirange",
        "'{}'::int4multirange",
        "'{(,)}'::int8multirange",
        "'{[1.5,2.5]}'::nummultirange",
        "'{[2024-01-01,2024-01-05)}'::datemultirange",
        "'{[2024-01-01 10:00, 2024-01-01 11:00)}'::tsmultirange",
        "'{[2024-01-01 10:00+00, 2024-01-01 11:00+00)}'::tstzmultirange",
    ])
}

fn groups() -> Vec<Group> {
    let zoned = || {
        let mut list = datetime_exprs();
        list.push("now()::date".to_string());
        list
    };
    vec![
        Group {
            settings: &[],
            exprs: scalar_exprs(),
        },
        Group {
            settings: &[],
            exprs: float_exprs(),
        },
        Group {
            settings: &["SET extra_float_digits = 0"],
            exprs: float_exprs(),
        },
        Group {
            settings: &["SET extra_float_digits = 3"],
            exprs: float_exprs(),
        },
        Group {
            settings: &["SET extra_float_digits = -3"],
            exprs: float_exprs(),
        },
        Group {
            settings: &["SET extra_float_digits = -15"],
            exprs: float_exprs(),
        },
        Group {
            settings: &[],
            exprs: interval_exprs(),
        },
        Group {
            settings: &[],
            exprs: container_exprs(),
        },
        Group {
            settings: &["SET TimeZone = 'UTC'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'Europe/Berlin'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'America/New_York'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'Asia/Kolkata'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'Australia/Lord_Howe'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'America/St_Johns'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'Asia/Kathmandu'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'Europe/Amsterdam'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'europe/london'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TIME ZONE 2"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TIME ZONE INTERVAL '-03:30'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'UTC+5'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'EST5EDT'"],
            exprs: zoned(),
        },
        Group {
            settings: &["SET TimeZone = 'Etc/GMT-14'"],
            exprs: zoned(),
        },
        Group {
            settings: &[
                "SET DateStyle = 'SQL, MDY'",
                "SET TimeZone = 'America/Los_Angeles'",
            ],
            exprs: zoned(),
        },
        Group {
            settings: &[
                "SET DateStyle = 'SQL, DMY'",
                "SET TimeZone = 'Europe/Berlin'",
            ],
            exprs: zoned(),
        },
        Group {
            settings: &[
                "SET DateStyle = 'Postgres, MDY'",
                "SET TimeZone = 'PST8PDT'",
            ],
            exprs: zoned(),
        },
        Group {
            settings: &[
                "SET DateStyle = 'Postgres, DMY'",
                "SET TimeZone = 'Asia/Kolkata'",
            ],
            exprs: zoned(),
        },
        Group {
            settings: &["SET DateStyle = 'Postgres, YMD'", "SET TIME ZONE 2"],
            exprs: zoned(),
        },
        Group {
            settings: &[
                "SET DateStyle = 'German'",
                "SET TIME ZONE INTERVAL '-03:30'",
            ],
            exprs: zoned(),
        },
        Group {
            settings: &["SET DateStyle = 'German'", "SET TimeZone = 'UTC+5'"],
            exprs: zoned(),
        },
        Group {
            settings: &[
                "SET DateStyle = 'ISO, DMY'",
                "SET TimeZone = 'Australia/Lord_Howe'",
            ],
            exprs: zoned(),
        },
        Group {
            settings: &["SET IntervalStyle = 'postgres_verbose'"],
            exprs: interval_exprs(),
        },
        Group {
            settings: &["SET IntervalStyle = 'sql_standard'"],
            exprs: interval_exprs(),
        },
        Group {
            settings: &["SET IntervalStyle = 'iso_8601'"],
            exprs: interval_exprs(),
        },
        Group {
            settings: &["SET bytea_output = 'escape'"],
            exprs: exprs(&[
                "''::bytea",
                "'\\x00ff5c41207e7f'::bytea",
                "'abc'::bytea",
                "ARRAY['\\x5c'::bytea]",
            ]),
        },
    ]
}

#[tokio::test]
async fn binary_rendering_matches_postgres_text() -> Result<(), Box<dyn Error>> {
    let (client, _cluster) = connect().await?;
    let mut mismatches = Vec::new();
    let mut cells = 0;
    for group in groups() {
        client.batch_execute("RESET ALL").await?;
        for stmt in group.settings {
            client.batch_execute(stmt).await?;
        }
        let settings = group.settings.join("; ");
        let ctx = session_context(&client).await?;
        for expr in &group.exprs {
            let sql = format!("SELECT {expr}");
            match compare(&client, &settings, &ctx, &sql, &mut mismatches).await {
                Ok(n) => cells += n,
                Err(e) => mismatches.push(Mismatch {
                    settings: settings.clone(),
                    query: sql,
                    cell: "whole query".to_string(),
                    expected: None,
                    ours: Err(format!("query failed: {e:?}")),
                }),
            }
        }
    }
    for m in &mismatches {
        println!(
            "MISMATCH [{}] {} {}\n  postgres: {:?}\n  ours:     {:?}",
            m.settings, m.query, m.cell, m.expected, m.ours
        );
    }
    println!("{cells} cells compared, {} mismatches", mismatches.len());
    assert!(cells > 1000, "too few cells compared: {cells}");
    assert!(
        mismatches.is_empty(),
        "{} mismatches (printed above)",
        mismatches.len()
    );
    Ok(())
}

#[tokio::test]
async fn type_names_match_pg_type() -> Result<(), Box<dyn Error>> {
    let (client, _cluster) = connect().await?;
    let rows = client
        .query(
            "SELECT oid, typname::text FROM pg_type WHERE oid < 10000",
            &[],
        )
        .await?;
    let mut wrong = Vec::new();
    let mut known = 0;
    for row in rows {
        let oid: u32 = row.get(0);
        let name: String = row.get(1);
        if let Some(ours) = type_name(oid) {
            known += 1;
            if ours != name {
                wrong.push(format!("{oid}: postgres {name}, ours {ours}"));
            }
        }
    }
    assert!(known > 100, "only {known} type OIDs known");
    assert!(wrong.is_empty(), "wrong names: {wrong:#?}");
    Ok(())
}
