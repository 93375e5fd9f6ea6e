//! Object identifiers: PostgreSQL 15's fixed OIDs for built-in objects (read from a real
//! PostgreSQL 15), and stable OIDs for user tables derived from their never-reused storage id.

/// Namespaces.
pub const PG_CATALOG_NS: i64 = 11;
pub const PG_TOAST_NS: i64 = 99;
pub const PUBLIC_NS: i64 = 2200;
pub const INFORMATION_SCHEMA_NS: i64 = 13207;

/// Roles: the bootstrap superuser and the owner of `public`.
pub const BOOTSTRAP_ROLE: i64 = 10;
pub const PG_DATABASE_OWNER: i64 = 6171;
/// Further roles (configured users other than `postgres`) count up from here.
pub const FIRST_USER_ROLE: i64 = 16_000;

/// Databases.
pub const TEMPLATE1_DB: i64 = 1;
pub const TEMPLATE0_DB: i64 = 4;
pub const POSTGRES_DB: i64 = 5;

/// Access methods and tablespaces.
pub const HEAP_AM: i64 = 2;
pub const BTREE_AM: i64 = 403;
pub const DEFAULT_TABLESPACE: i64 = 1663;
pub const GLOBAL_TABLESPACE: i64 = 1664;

/// The first OID PostgreSQL hands to user objects.
const FIRST_NORMAL_OID: i64 = 16_384;
/// OIDs reserved per table: its relation, row type and row array type, then its
/// constraints and indexes (two OIDs each, from [`CONSTRAINT_OIDS`]), its column defaults
/// (from [`DEFAULT_OIDS`]) and its columns' sequences (from [`SEQUENCE_OIDS`]).
pub(crate) const OIDS_PER_TABLE: i64 = 1024;
const CONSTRAINT_OIDS: i64 = 3;
const DEFAULT_OIDS: i64 = 512;
const SEQUENCE_OIDS: i64 = 768;
/// Temporary tables (numbered by the session's own storage) take OIDs from here, so they
/// never collide with a permanent table's.
const FIRST_TEMP_OID: i64 = 1 << 31;
/// The session's temporary schema and its toast schema, as PostgreSQL names the first
/// backend's (`pg_temp_3`).
pub const TEMP_NS: i64 = 16_200;
pub const TEMP_TOAST_NS: i64 = 16_201;
pub const TEMP_NS_NAME: &str = "pg_temp_3";
pub const TEMP_TOAST_NS_NAME: &str = "pg_toast_temp_3";
/// The catalog relation objects are classified by in `pg_depend.classid`.
pub const PG_CLASS_OID: i64 = 1259;

/// The OIDs of one user table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOids {
    pub rel: i64,
    pub rowtype: i64,
    pub array_type: i64,
}

impl TableOids {
    /// The index relation of the `k`-th constraint/index of the table definition.
    pub fn index(&self, k: usize) -> i64 {
        self.rel + CONSTRAINT_OIDS + 2 * slot(k, (DEFAULT_OIDS - CONSTRAINT_OIDS) / 2)
    }

    /// The `pg_constraint` row of the `k`-th constraint.
    pub fn constraint(&self, k: usize) -> i64 {
        self.index(k) + 1
    }

    /// The `pg_attrdef` row of column `i` (0-based).
    pub fn default(&self, i: usize) -> i64 {
        self.rel + DEFAULT_OIDS + slot(i, SEQUENCE_OIDS - DEFAULT_OIDS)
    }

    /// The sequence owned by column `i` (0-based).
    pub fn sequence(&self, i: usize) -> i64 {
        self.rel + SEQUENCE_OIDS + slot(i, OIDS_PER_TABLE - SEQUENCE_OIDS)
    }
}

/// `k` within a range of `len` slots (the last one absorbs any excess).
fn slot(k: usize, len: i64) -> i64 {
    i64::try_from(k).unwrap_or(i64::MAX).min(len - 1)
}

/// A user table's OIDs from its storage id (unique forever, persisted in the storage
/// catalog), so they survive restarts and are never reused after DROP.
pub fn table_oids(storage_id: u64) -> TableOids {
    oids_from(FIRST_NORMAL_OID, storage_id)
}

/// A temporary table's OIDs from its id in the session's temporary storage.
pub fn temp_table_oids(storage_id: u64) -> TableOids {
    oids_from(FIRST_TEMP_OID, storage_id)
}

fn oids_from(base: i64, storage_id: u64) -> TableOids {
    let id = i64::try_from(storage_id).unwrap_or(i64::MAX / OIDS_PER_TABLE - 1);
    let rel = base.saturating_add(id.saturating_sub(1).saturating_mul(OIDS_PER_TABLE));
    TableOids {
        rel,
        rowtype: rel + 1,
        array_type: rel + 2,
    }
}

/// Built-in relations: (schema, name, oid, relkind, row type oid).
pub const SYSTEM_RELATIONS: &[(&str, &str, i64, &str, i64)] = &[
    ("pg_catalog", "pg_am", 2601, "r", 10015),
    ("pg_catalog", "pg_attrdef", 2604, "r", 10001),
    ("pg_catalog", "pg_attribute", 1249, "r", 75),
    ("pg_catalog", "pg_auth_members", 1261, "r", 2843),
    ("pg_catalog", "pg_authid", 1260, "r", 2842),
    ("pg_catalog", "pg_available_extensions", 12081, "v", 12083),
    ("pg_catalog", "pg_cast", 2605, "r", 10043),
    ("pg_catalog", "pg_class", 1259, "r", 83),
    ("pg_catalog", "pg_collation", 3456, "r", 10095),
    ("pg_catalog", "pg_constraint", 2606, "r", 10003),
    ("pg_catalog", "pg_conversion", 2607, "r", 10049),
    ("pg_catalog", "pg_database", 1262, "r", 1248),
    ("pg_catalog", "pg_depend", 2608, "r", 10051),
    ("pg_catalog", "pg_description", 2609, "r", 10041),
    ("pg_catalog", "pg_enum", 3501, "r", 10045),
    ("pg_catalog", "pg_event_trigger", 3466, "r", 10039),
    ("pg_catalog", "pg_extension", 3079, "r", 10074),
    ("pg_catalog", "pg_foreign_table", 3118, "r", 10082),
    ("pg_catalog", "pg_index", 2610, "r", 10007),
    ("pg_catalog", "pg_indexes", 12043, "v", 12045),
    ("pg_catalog", "pg_inherits", 2611, "r", 10005),
    ("pg_catalog", "pg_language", 2612, "r", 10021),
    ("pg_catalog", "pg_locks", 12073, "v", 12075),
    ("pg_catalog", "pg_matviews", 12038, "v", 12040),
    ("pg_catalog", "pg_namespace", 2615, "r", 10047),
    ("pg_catalog", "pg_opclass", 2616, "r", 10013),
    ("pg_catalog", "pg_operator", 2617, "r", 10009),
    ("pg_catalog", "pg_partitioned_table", 3350, "r", 10099),
    ("pg_catalog", "pg_policy", 3256, "r", 10084),
    ("pg_catalog", "pg_prepared_xacts", 12090, "v", 12092),
    ("pg_catalog", "pg_proc", 1255, "r", 81),
    ("pg_catalog", "pg_publication", 6104, "r", 10107),
    ("pg_catalog", "pg_publication_namespace", 6237, "r", 10109),
    ("pg_catalog", "pg_publication_rel", 6106, "r", 10111),
    ("pg_catalog", "pg_prepared_statements", 12095, "v", 12097),
    ("pg_catalog", "pg_range", 3541, "r", 10101),
    ("pg_catalog", "pg_replication_slots", 12257, "v", 12259),
    ("pg_catalog", "pg_rewrite", 2618, "r", 10035),
    ("pg_catalog", "pg_roles", 12000, "v", 12002),
    ("pg_catalog", "pg_sequence", 2224, "r", 10105),
    ("pg_catalog", "pg_sequences", 12048, "v", 12050),
    ("pg_catalog", "pg_settings", 12104, "v", 12106),
    ("pg_catalog", "pg_shdescription", 2396, "r", 10062),
    ("pg_catalog", "pg_stat_activity", 12222, "v", 12224),
    ("pg_catalog", "pg_stat_gssapi", 12253, "v", 12255),
    ("pg_catalog", "pg_stat_replication", 12227, "v", 12229),
    ("pg_catalog", "pg_stat_ssl", 12249, "v", 12251),
    ("pg_catalog", "pg_stat_user_tables", 12161, "v", 12163),
    ("pg_catalog", "pg_statistic_ext", 3381, "r", 10031),
    ("pg_catalog", "pg_tables", 12033, "v", 12035),
    ("pg_catalog", "pg_tablespace", 1213, "r", 10056),
    ("pg_catalog", "pg_timezone_names", 12126, "v", 12128),
    ("pg_catalog", "pg_trigger", 2620, "r", 10037),
    ("pg_catalog", "pg_type", 1247, "r", 71),
    ("pg_catalog", "pg_user", 12014, "v", 12016),
    ("pg_catalog", "pg_views", 12028, "v", 12030),
    ("pg_catalog", "pg_aggregate", 2600, "r", 10027),
    ("pg_catalog", "pg_amop", 2602, "r", 10017),
    ("pg_catalog", "pg_amproc", 2603, "r", 10019),
    ("pg_catalog", "pg_shseclabel", 3592, "r", 4066),
    ("pg_catalog", "pg_db_role_setting", 2964, "r", 10054),
    ("pg_catalog", "pg_default_acl", 826, "r", 10088),
    ("pg_catalog", "pg_foreign_data_wrapper", 2328, "r", 10076),
    ("pg_catalog", "pg_foreign_server", 1417, "r", 10078),
    ("pg_catalog", "pg_init_privs", 3394, "r", 10090),
    ("pg_catalog", "pg_largeobject_metadata", 2995, "r", 10023),
    ("pg_catalog", "pg_opfamily", 2753, "r", 10011),
    ("pg_catalog", "pg_seclabels", 12099, "v", 12101),
    ("pg_catalog", "pg_subscription", 6100, "r", 6101),
    ("pg_catalog", "pg_transform", 3576, "r", 10103),
    ("pg_catalog", "pg_ts_config", 3602, "r", 10064),
    ("pg_catalog", "pg_ts_dict", 3600, "r", 10068),
    ("pg_catalog", "pg_ts_parser", 3601, "r", 10070),
    ("pg_catalog", "pg_ts_template", 3764, "r", 10072),
    ("pg_catalog", "pg_user_mapping", 1418, "r", 10080),
    ("information_schema", "character_sets", 13250, "v", 13252),
    ("information_schema", "check_constraints", 13260, "v", 13262),
    ("information_schema", "columns", 13295, "v", 13297),
    (
        "information_schema",
        "constraint_column_usage",
        13300,
        "v",
        13302,
    ),
    ("information_schema", "key_column_usage", 13329, "v", 13331),
    ("information_schema", "parameters", 13334, "v", 13336),
    (
        "information_schema",
        "referential_constraints",
        13339,
        "v",
        13341,
    ),
    ("information_schema", "routines", 13377, "v", 13379),
    ("information_schema", "schemata", 13382, "v", 13384),
    ("information_schema", "sequences", 13386, "v", 13388),
    ("information_schema", "table_constraints", 13411, "v", 13413),
    ("information_schema", "tables", 13425, "v", 13427),
    ("information_schema", "views", 13483, "v", 13485),
];
