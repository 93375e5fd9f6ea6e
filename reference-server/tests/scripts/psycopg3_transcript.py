"""psycopg 3 doing what its users do, printing one transcript line per step.

Usage: psycopg3_transcript.py HOST PORT. Server-side binding in text and binary, executemany
(no RETURNING: its Describe is still NoData) and pipeline mode, COPY in text and binary with write_row, prepared statements after
prepare_threshold, SQL PREPARE / EXECUTE / DEALLOCATE, and the adapters for arrays, json,
uuid, numeric and timestamptz. Run against PostgreSQL and the reference server, the two
transcripts must be equal. Prints `psycopg SKIP` when psycopg 3 is not installed.
"""

import datetime
import decimal
import sys
import uuid

HOST, PORT = sys.argv[1], int(sys.argv[2])


def out(*parts):
    print(" | ".join(repr(p) for p in parts))


def error(step, e):
    out(step, "error", e.sqlstate, e.diag.message_primary)


def main():
    try:
        import psycopg
        from psycopg.types.json import Jsonb
    except ImportError:
        out("psycopg", "SKIP")
        return
    conn = psycopg.connect(
        host=HOST, port=PORT, user="postgres", dbname="postgres", autocommit=True
    )
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS p3_items")
    cur.execute(
        "CREATE TABLE p3_items (id int PRIMARY KEY, name text, price numeric(10,2),"
        " tags text[], nums int[], doc jsonb, uid uuid, at timestamptz)"
    )
    row = (
        1,
        "one",
        decimal.Decimal("12.50"),
        ["a", None, "c"],
        [1, None, 3],
        Jsonb({"k": [1, 2]}),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    )
    insert = "INSERT INTO p3_items VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    cur.execute(insert, row)
    out("insert text", cur.rowcount)
    bcur = conn.cursor(binary=True)
    bcur.execute(insert, (2,) + row[1:])
    out("insert binary", bcur.rowcount)
    for c, label in ((cur, "text"), (bcur, "binary")):
        c.execute("SELECT * FROM p3_items WHERE id = %s", (1,))
        out("select " + label, c.fetchone())
        out("description " + label, [(d.name, d.type_code) for d in c.description])

    cur.executemany(
        "INSERT INTO p3_items (id, name) VALUES (%s, %s)", [(i, f"n{i}") for i in range(3, 8)]
    )
    out("executemany", cur.rowcount)

    with conn.pipeline():
        cur.execute("INSERT INTO p3_items (id, name) VALUES (%s, %s)", (10, "p"))
        cur.execute("UPDATE p3_items SET name = %s WHERE id = %s", ("q", 10))
        cur.execute("SELECT name FROM p3_items WHERE id = %s", (10,))
    out("pipeline", cur.fetchall())
    try:
        with conn.pipeline():
            cur.execute("SELECT 1/0")
            cur.execute("SELECT 2")
    except psycopg.Error as e:
        error("pipeline error", e)

    cur.execute("CREATE TEMP TABLE p3_copy (a int, b text, c numeric, d timestamptz)")
    with cur.copy("COPY p3_copy FROM STDIN") as copy:
        copy.write_row((1, "tab\there", decimal.Decimal("1.5"), row[7]))
        copy.write_row((2, None, None, None))
    out("copy in text", cur.rowcount)
    with cur.copy("COPY p3_copy (a, b, c, d) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "text", "numeric", "timestamptz"])
        copy.write_row((3, "bin", decimal.Decimal("-2.25"), row[7]))
    out("copy in binary", cur.rowcount)
    with cur.copy("COPY (SELECT * FROM p3_copy ORDER BY a) TO STDOUT") as copy:
        out("copy out text", [r for r in copy.rows()])
    with cur.copy("COPY (SELECT a, b FROM p3_copy ORDER BY a) TO STDOUT (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "text"])
        out("copy out binary", [r for r in copy.rows()])

    conn.prepare_threshold = 1
    for i in range(3):
        cur.execute("SELECT name FROM p3_items WHERE id = %s", (i + 1,))
        out("prepared", i, cur.fetchone())
    cur.execute(
        "SELECT name, statement LIKE 'SELECT name%%', from_sql FROM pg_prepared_statements"
        " ORDER BY statement"
    )
    out("pg_prepared_statements", [(r[1], r[2]) for r in cur.fetchall()])
    conn.prepare_threshold = 5

    cur.execute("PREPARE p3q (int) AS SELECT id, name FROM p3_items WHERE id <= $1 ORDER BY id")
    cur.execute("EXECUTE p3q (2)")
    out("execute", cur.fetchall(), cur.statusmessage)
    cur.execute(
        "SELECT name, statement, array_to_string(parameter_types, ','), from_sql FROM pg_prepared_statements"
        " WHERE from_sql"
    )
    out("prepared view", cur.fetchall())
    for sql in ("PREPARE p3q AS SELECT 1", "EXECUTE p3q", "EXECUTE nosuch (1)", "DEALLOCATE nosuch"):
        try:
            cur.execute(sql)
        except psycopg.Error as e:
            error(sql, e)
    cur.execute("DEALLOCATE p3q")
    out("deallocate", cur.statusmessage)
    cur.execute("DEALLOCATE ALL")
    out("deallocate all", cur.statusmessage)

    cur.execute("SET application_name = 'p3'")
    cur.execute("DISCARD ALL")
    out("discard all", cur.statusmessage)
    cur.execute("SHOW application_name")
    out("after discard", cur.fetchone())
    conn.autocommit = False
    cur.execute("SELECT 1")
    try:
        cur.execute("DISCARD ALL")
    except psycopg.Error as e:
        error("discard in block", e)
    conn.rollback()
    conn.close()


main()
