"""What Python drivers see doing ordinary work, as a transcript to compare between servers.

Usage: driver_transcript.py HOST PORT. Runs the same steps with psycopg 3, psycopg2 and
asyncpg (a driver that is not installed prints one SKIP line, the same on every server) and
prints one line per observation: rows, row counts, status, error SQLSTATEs. Values that
differ between runs (times from now()) are reduced to what must hold (a count).
"""
import asyncio
import datetime
import decimal
import io
import sys
import uuid

HOST, PORT = sys.argv[1], int(sys.argv[2])
DDL = (
    "CREATE TABLE {t} (id serial PRIMARY KEY, ts timestamptz NOT NULL DEFAULT now(), "
    "host text, v double precision, price numeric(10,2))"
)


def out(*parts):
    print(" | ".join(str(p) for p in parts))


def with_psycopg():
    try:
        import psycopg
    except ImportError:
        out("psycopg", "SKIP")
        return
    with psycopg.connect(host=HOST, port=PORT, user="postgres", dbname="postgres") as conn:
        conn.execute("DROP TABLE IF EXISTS drv3")
        conn.execute(DDL.format(t="drv3"))
        with conn.cursor() as cur:
            with cur.copy("COPY drv3 (host, v, price) FROM STDIN") as copy:
                for i in range(10):
                    copy.write_row((f"h{i % 3}", i / 4, decimal.Decimal(i) / 8))
            out("psycopg copy", cur.rowcount)
            cur.execute("SELECT count(*) FROM drv3 WHERE ts <= now()")
            out("psycopg defaults", cur.fetchone())
        conn.commit()
        # A server-side cursor: DECLARE, Describe of the cursor's portal, FETCH FORWARD n.
        with conn.cursor(name="drv3_cur") as cur:
            cur.itersize = 4
            cur.execute("SELECT id, host, v, price FROM drv3 WHERE id > %s ORDER BY id", (2,))
            out("psycopg named description", [d.name for d in cur.description])
            out("psycopg named fetchmany", cur.fetchmany(3))
            out("psycopg named rest", list(cur))
        conn.commit()
        with conn.cursor(name="drv3_hold", withhold=True) as cur:
            cur.execute("SELECT host, count(*) FROM drv3 GROUP BY host ORDER BY host")
            conn.commit()
            out("psycopg withhold after commit", cur.fetchall())
        with conn.cursor(binary=True) as cur:
            cur.execute("SELECT id, v, price, host FROM drv3 WHERE id = %s", (5,))
            out("psycopg binary", cur.fetchone())
        try:
            conn.execute("INSERT INTO drv3 (id, host) VALUES (1, 'dup')")
        except psycopg.Error as e:
            out("psycopg error", e.sqlstate, e.diag.constraint_name, e.diag.table_name)
            conn.rollback()
        out("psycopg status", conn.info.transaction_status.name)


def with_psycopg2():
    try:
        import psycopg2
        import psycopg2.extras
    except ImportError:
        out("psycopg2", "SKIP")
        return
    conn = psycopg2.connect(host=HOST, port=PORT, user="postgres", dbname="postgres")
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS drv2")
    cur.execute(DDL.format(t="drv2"))
    cur.execute(
        "INSERT INTO drv2 (host, v, price) VALUES (%s, %s, %s)",
        ("it's \\ back", 1.0, decimal.Decimal("2.50")),
    )
    psycopg2.extras.execute_values(
        cur, "INSERT INTO drv2 (host, v) VALUES %s", [("b", 2.0), ("c", None)]
    )
    out("psycopg2 execute_values", cur.rowcount)
    conn.commit()
    cur.copy_expert("COPY drv2 (host, v) FROM STDIN WITH (FORMAT csv)", io.StringIO("d,4\ne,5\n"))
    conn.commit()
    buf = io.StringIO()
    cur.copy_expert("COPY (SELECT id, host, v, price FROM drv2 ORDER BY id) TO STDOUT CSV HEADER", buf)
    out("psycopg2 copy out", buf.getvalue().splitlines())
    named = conn.cursor(name="drv2_cur")
    named.itersize = 2
    named.execute("SELECT id, host FROM drv2 ORDER BY id")
    out("psycopg2 named", [r for r in named])
    named.close()
    conn.commit()
    d = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    d.execute("SELECT host, v FROM drv2 WHERE v > %(x)s ORDER BY v", {"x": 1.5})
    out("psycopg2 dict", [dict(r) for r in d.fetchall()])
    cur.execute(
        # numeric(10,2): unconstrained numeric keeping each value's scale is a known gap,
        # reported by the SQL suites (casts, math_functions).
        "SELECT %s::date, %s::numeric(10,2), %s::interval, %s",
        (datetime.date(2024, 1, 1), decimal.Decimal("1.50"), datetime.timedelta(hours=3), None),
    )
    out("psycopg2 adapt", cur.fetchone())
    try:
        cur.execute("SELECT * FROM drv2 WHERE nope = 1")
    except psycopg2.Error as e:
        out("psycopg2 error", e.pgcode, e.diag.message_primary)
    conn.rollback()
    conn.close()


async def asyncpg_steps(asyncpg):
    c = await asyncpg.connect(host=HOST, port=PORT, user="postgres", database="postgres")
    await c.execute("DROP TABLE IF EXISTS drva")
    await c.execute(DDL.format(t="drva"))
    t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    await c.executemany(
        "INSERT INTO drva (ts, host, v, price) VALUES ($1, $2, $3, $4)",
        [(t0 + datetime.timedelta(minutes=i * 20), f"h{i % 2}", i * 1.5, decimal.Decimal(i)) for i in range(6)],
    )
    rows = await c.fetch("SELECT id, ts, host, v, price FROM drva WHERE v >= $1 ORDER BY id", 3.0)
    out("asyncpg fetch", [tuple(r) for r in rows])
    rows = await c.fetch(
        "SELECT date_bin('1 hour', ts, '2000-01-01') AS b, host, avg(v) FROM drva GROUP BY 1, 2 ORDER BY 1, 2"
    )
    out("asyncpg date_bin", [tuple(r) for r in rows])
    stmt = await c.prepare("SELECT host FROM drva WHERE id = $1")
    out("asyncpg prepared", await stmt.fetchval(2), [a.name for a in stmt.get_attributes()])
    n = await c.copy_records_to_table("drva", records=[(100, t0, "z", 9.0, decimal.Decimal("1.25"))])
    out("asyncpg copy", n)
    async with c.transaction():
        await c.execute("INSERT INTO drva (host) VALUES ('in tx')")
        cur = await c.cursor("SELECT id FROM drva ORDER BY id")
        out("asyncpg cursor", [tuple(r) for r in await cur.fetch(3)])
    try:
        async with c.transaction():
            await c.execute("INSERT INTO drva (host) VALUES ('rolled back')")
            await c.execute("SELECT 1/0")
    except asyncpg.PostgresError as e:
        out("asyncpg error", e.sqlstate, type(e).__name__)
    out("asyncpg count", await c.fetchval("SELECT count(*) FROM drva"))
    out("asyncpg interval", await c.fetchval("SELECT interval '1 day 2 hours'"))
    # Arrays and other non-core types make asyncpg introspect them through pg_type (its
    # query's oid/name/"char" columns must come back as those types, not int8/text).
    out("asyncpg arrays", await c.fetchval("SELECT ARRAY[1,2,3]"), await c.fetchval("SELECT ARRAY['a','b']"))
    await c.execute("DROP TABLE IF EXISTS drvt")
    await c.execute(
        "CREATE TABLE drvt (id int PRIMARY KEY, ia int[], ta text[], u uuid, j jsonb, "
        "n numeric(12,3), t timestamptz)"
    )
    await c.execute(
        "INSERT INTO drvt VALUES ($1, $2, $3, $4, $5, $6, $7)",
        1, [1, None, 3], ["x", "y z", None], uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        '{"b": [1, 2], "a": null}', decimal.Decimal("1.5"), t0,
    )
    await c.execute("INSERT INTO drvt (id, ia, ta) VALUES ($1, $2, $3)", 2, [], [])
    rows = await c.fetch("SELECT * FROM drvt ORDER BY id")
    out("asyncpg types", [tuple(r) for r in rows])
    out("asyncpg int[] param", await c.fetchval("SELECT $1::int[]", [4, None, 5]))
    out("asyncpg text[] param", await c.fetchval("SELECT array_length($1::text[], 1)", ["a", "b", "c"]))
    out("asyncpg array filter", await c.fetchval("SELECT count(*) FROM drvt WHERE ia = $1", [1, None, 3]))
    await c.close()


def with_asyncpg():
    try:
        import asyncpg
    except ImportError:
        out("asyncpg", "SKIP")
        return
    asyncio.run(asyncpg_steps(asyncpg))


for step in (with_psycopg, with_psycopg2, with_asyncpg):
    try:
        step()
    except Exception as e:  # a failure is part of the transcript, then the next driver runs
        out(step.__name__, "FAILED", type(e).__name__, str(e).splitlines()[0] if str(e) else "")
