// What node-postgres (`pg`) sees doing ordinary work, as a transcript to compare between
// servers. Usage: node node_pg_transcript.js HOST PORT (with `pg` on NODE_PATH). One line
// per observation: rows as node-pg parses them (int8 and numeric as strings, timestamptz as
// Date, json as objects, arrays, bytea as Buffer), column type OIDs, error codes.
const { Client } = require("pg");

const [host, port] = process.argv.slice(2);

function show(v) {
  if (v instanceof Date) return `Date(${v.toISOString()})`;
  if (Buffer.isBuffer(v)) return `Buffer(${v.toString("hex")})`;
  if (Array.isArray(v)) return `[${v.map(show).join(",")}]`;
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return `${typeof v}:${v}`;
}

function out(...parts) {
  console.log(parts.join(" | "));
}

function rows(res) {
  return res.rows.map((r) => res.fields.map((f) => show(r[f.name])).join(", ")).join(" ; ");
}

async function main() {
  const c = new Client({ host, port: Number(port), user: "postgres", database: "postgres" });
  await c.connect();
  await c.query("DROP TABLE IF EXISTS nodet");
  await c.query(
    "CREATE TABLE nodet (id int PRIMARY KEY, big bigint, n numeric(10,2), ts timestamptz, " +
      "j jsonb, ia int[], ta text[], b bytea)"
  );
  const ins = await c.query("INSERT INTO nodet VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
    1,
    "9007199254740993",
    "12.5",
    new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    { a: [1, 2], b: null },
    [1, null, 3],
    ["x", "y z"],
    Buffer.from([0, 1, 254]),
  ]);
  out("insert", ins.command, ins.rowCount);
  await c.query("INSERT INTO nodet (id, big) VALUES (2, -5)");
  const res = await c.query("SELECT * FROM nodet ORDER BY id");
  out("fields", res.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(" "));
  out("rows", rows(res));
  const p = await c.query("SELECT $1::int + 1 AS x, $2::text AS t, $3::bigint AS b", [41, "é", "7"]);
  out("params", rows(p), p.fields.map((f) => f.dataTypeID).join(" "));
  const arr = await c.query("SELECT ARRAY[1,2] AS a, ARRAY['p','q'] AS t, ARRAY[1.5, 2]::numeric[] AS n");
  out("arrays", rows(arr), arr.fields.map((f) => f.dataTypeID).join(" "));
  await c.query("BEGIN");
  await c.query("INSERT INTO nodet (id) VALUES (3)");
  await c.query("ROLLBACK");
  out("after rollback", rows(await c.query("SELECT count(*) AS n FROM nodet")));
  for (const sql of ["SELECT 1/0", "INSERT INTO nodet (id) VALUES (1)", "SELECT nope FROM nodet"]) {
    try {
      await c.query(sql);
      out("no error", sql);
    } catch (e) {
      out("error", sql, e.code, e.constraint || "", e.table || "");
    }
  }
  out("after errors", rows(await c.query("SELECT id FROM nodet WHERE big = $1", ["-5"])));
  await c.end();
}

main().catch((e) => {
  out("FAILED", e.code || "", e.message.split("\n")[0]);
});
