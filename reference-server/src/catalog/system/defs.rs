//! Column lists of PostgreSQL 15's catalog relations, generated from a real PostgreSQL 15
//! (`pg_attribute` + `format_type` of each relation below), so clients that pick columns by
//! name (`SELECT c.*`, DBeaver) see exactly PG's columns in PG's order.

use super::table::Col::{self, *};

/// `(relation, [(column, kind)])` for every emulated `pg_catalog` relation.
#[rustfmt::skip]
pub(super) const PG_CATALOG: &[(&str, &[(&str, Col)])] = &[
    ("pg_am", &[
        ("oid", Oid), ("amname", Name), ("amhandler", Text), ("amtype", Char),
    ]),
    ("pg_attrdef", &[
        ("oid", Oid), ("adrelid", Oid), ("adnum", I16), ("adbin", Text),
    ]),
    ("pg_attribute", &[
        ("attrelid", Oid), ("attname", Name), ("atttypid", Oid), ("attstattarget", I32),
        ("attlen", I16), ("attnum", I16), ("attndims", I32), ("attcacheoff", I32),
        ("atttypmod", I32), ("attbyval", Bool), ("attalign", Char), ("attstorage", Char),
        ("attcompression", Char), ("attnotnull", Bool), ("atthasdef", Bool),
        ("atthasmissing", Bool), ("attidentity", Char), ("attgenerated", Char),
        ("attisdropped", Bool), ("attislocal", Bool), ("attinhcount", I32),
        ("attcollation", Oid), ("attacl", TextArr), ("attoptions", TextArr),
        ("attfdwoptions", TextArr), ("attmissingval", Text),
    ]),
    ("pg_auth_members", &[
        ("roleid", Oid), ("member", Oid), ("grantor", Oid), ("admin_option", Bool),
    ]),
    ("pg_authid", &[
        ("oid", Oid), ("rolname", Name), ("rolsuper", Bool), ("rolinherit", Bool),
        ("rolcreaterole", Bool), ("rolcreatedb", Bool), ("rolcanlogin", Bool),
        ("rolreplication", Bool), ("rolbypassrls", Bool), ("rolconnlimit", I32),
        ("rolpassword", Text), ("rolvaliduntil", Tstz),
    ]),
    ("pg_available_extensions", &[
        ("name", Name), ("default_version", Text), ("installed_version", Text),
        ("comment", Text),
    ]),
    ("pg_cast", &[
        ("oid", Oid), ("castsource", Oid), ("casttarget", Oid), ("castfunc", Oid),
        ("castcontext", Char), ("castmethod", Char),
    ]),
    ("pg_class", &[
        ("oid", Oid), ("relname", Name), ("relnamespace", Oid), ("reltype", Oid),
        ("reloftype", Oid), ("relowner", Oid), ("relam", Oid), ("relfilenode", Oid),
        ("reltablespace", Oid), ("relpages", I32), ("reltuples", F32), ("relallvisible", I32),
        ("reltoastrelid", Oid), ("relhasindex", Bool), ("relisshared", Bool),
        ("relpersistence", Char), ("relkind", Char), ("relnatts", I16), ("relchecks", I16),
        ("relhasrules", Bool), ("relhastriggers", Bool), ("relhassubclass", Bool),
        ("relrowsecurity", Bool), ("relforcerowsecurity", Bool), ("relispopulated", Bool),
        ("relreplident", Char), ("relispartition", Bool), ("relrewrite", Oid),
        ("relfrozenxid", Oid), ("relminmxid", Oid), ("relacl", TextArr), ("reloptions", TextArr),
        ("relpartbound", Text),
    ]),
    ("pg_collation", &[
        ("oid", Oid), ("collname", Name), ("collnamespace", Oid), ("collowner", Oid),
        ("collprovider", Char), ("collisdeterministic", Bool), ("collencoding", I32),
        ("collcollate", Text), ("collctype", Text), ("colliculocale", Text),
        ("collversion", Text),
    ]),
    ("pg_constraint", &[
        ("oid", Oid), ("conname", Name), ("connamespace", Oid), ("contype", Char),
        ("condeferrable", Bool), ("condeferred", Bool), ("convalidated", Bool),
        ("conrelid", Oid), ("contypid", Oid), ("conindid", Oid), ("conparentid", Oid),
        ("confrelid", Oid), ("confupdtype", Char), ("confdeltype", Char),
        ("confmatchtype", Char), ("conislocal", Bool), ("coninhcount", I32),
        ("connoinherit", Bool), ("conkey", I16Arr), ("confkey", I16Arr), ("conpfeqop", OidArr),
        ("conppeqop", OidArr), ("conffeqop", OidArr), ("confdelsetcols", I16Arr),
        ("conexclop", OidArr), ("conbin", Text),
    ]),
    ("pg_conversion", &[
        ("oid", Oid), ("conname", Name), ("connamespace", Oid), ("conowner", Oid),
        ("conforencoding", I32), ("contoencoding", I32), ("conproc", Text), ("condefault", Bool),
    ]),
    ("pg_database", &[
        ("oid", Oid), ("datname", Name), ("datdba", Oid), ("encoding", I32),
        ("datlocprovider", Char), ("datistemplate", Bool), ("datallowconn", Bool),
        ("datconnlimit", I32), ("datfrozenxid", Oid), ("datminmxid", Oid),
        ("dattablespace", Oid), ("datcollate", Text), ("datctype", Text), ("daticulocale", Text),
        ("datcollversion", Text), ("datacl", TextArr),
    ]),
    ("pg_depend", &[
        ("classid", Oid), ("objid", Oid), ("objsubid", I32), ("refclassid", Oid),
        ("refobjid", Oid), ("refobjsubid", I32), ("deptype", Char),
    ]),
    ("pg_description", &[
        ("objoid", Oid), ("classoid", Oid), ("objsubid", I32), ("description", Text),
    ]),
    ("pg_enum", &[
        ("oid", Oid), ("enumtypid", Oid), ("enumsortorder", F32), ("enumlabel", Name),
    ]),
    ("pg_event_trigger", &[
        ("oid", Oid), ("evtname", Name), ("evtevent", Name), ("evtowner", Oid), ("evtfoid", Oid),
        ("evtenabled", Char), ("evttags", TextArr),
    ]),
    ("pg_extension", &[
        ("oid", Oid), ("extname", Name), ("extowner", Oid), ("extnamespace", Oid),
        ("extrelocatable", Bool), ("extversion", Text), ("extconfig", OidArr),
        ("extcondition", TextArr),
    ]),
    ("pg_foreign_table", &[
        ("ftrelid", Oid), ("ftserver", Oid), ("ftoptions", TextArr),
    ]),
    ("pg_index", &[
        ("indexrelid", Oid), ("indrelid", Oid), ("indnatts", I16), ("indnkeyatts", I16),
        ("indisunique", Bool), ("indnullsnotdistinct", Bool), ("indisprimary", Bool),
        ("indisexclusion", Bool), ("indimmediate", Bool), ("indisclustered", Bool),
        ("indisvalid", Bool), ("indcheckxmin", Bool), ("indisready", Bool), ("indislive", Bool),
        ("indisreplident", Bool), ("indkey", I16Vec), ("indcollation", OidVec),
        ("indclass", OidVec), ("indoption", I16Vec), ("indexprs", Text), ("indpred", Text),
    ]),
    ("pg_indexes", &[
        ("schemaname", Name), ("tablename", Name), ("indexname", Name), ("tablespace", Name),
        ("indexdef", Text),
    ]),
    ("pg_inherits", &[
        ("inhrelid", Oid), ("inhparent", Oid), ("inhseqno", I32), ("inhdetachpending", Bool),
    ]),
    ("pg_language", &[
        ("oid", Oid), ("lanname", Name), ("lanowner", Oid), ("lanispl", Bool),
        ("lanpltrusted", Bool), ("lanplcallfoid", Oid), ("laninline", Oid),
        ("lanvalidator", Oid), ("lanacl", TextArr),
    ]),
    ("pg_locks", &[
        ("locktype", Text), ("database", Oid), ("relation", Oid), ("page", I32), ("tuple", I16),
        ("virtualxid", Text), ("transactionid", Oid), ("classid", Oid), ("objid", Oid),
        ("objsubid", I16), ("virtualtransaction", Text), ("pid", I32), ("mode", Text),
        ("granted", Bool), ("fastpath", Bool), ("waitstart", Tstz),
    ]),
    ("pg_matviews", &[
        ("schemaname", Name), ("matviewname", Name), ("matviewowner", Name),
        ("tablespace", Name), ("hasindexes", Bool), ("ispopulated", Bool), ("definition", Text),
    ]),
    ("pg_namespace", &[
        ("oid", Oid), ("nspname", Name), ("nspowner", Oid), ("nspacl", TextArr),
    ]),
    ("pg_opclass", &[
        ("oid", Oid), ("opcmethod", Oid), ("opcname", Name), ("opcnamespace", Oid),
        ("opcowner", Oid), ("opcfamily", Oid), ("opcintype", Oid), ("opcdefault", Bool),
        ("opckeytype", Oid),
    ]),
    ("pg_operator", &[
        ("oid", Oid), ("oprname", Name), ("oprnamespace", Oid), ("oprowner", Oid),
        ("oprkind", Char), ("oprcanmerge", Bool), ("oprcanhash", Bool), ("oprleft", Oid),
        ("oprright", Oid), ("oprresult", Oid), ("oprcom", Oid), ("oprnegate", Oid),
        ("oprcode", Text), ("oprrest", Text), ("oprjoin", Text),
    ]),
    ("pg_partitioned_table", &[
        ("partrelid", Oid), ("partstrat", Char), ("partnatts", I16), ("partdefid", Oid),
        ("partattrs", I16Vec), ("partclass", OidVec), ("partcollation", OidVec),
        ("partexprs", Text),
    ]),
    ("pg_policy", &[
        ("oid", Oid), ("polname", Name), ("polrelid", Oid), ("polcmd", Char),
        ("polpermissive", Bool), ("polroles", OidArr), ("polqual", Text), ("polwithcheck", Text),
    ]),
    ("pg_prepared_xacts", &[
        ("transaction", Oid), ("gid", Text), ("prepared", Tstz), ("owner", Name),
        ("database", Name),
    ]),
    ("pg_proc", &[
        ("oid", Oid), ("proname", Name), ("pronamespace", Oid), ("proowner", Oid),
        ("prolang", Oid), ("procost", F32), ("prorows", F32), ("provariadic", Oid),
        ("prosupport", Text), ("prokind", Char), ("prosecdef", Bool), ("proleakproof", Bool),
        ("proisstrict", Bool), ("proretset", Bool), ("provolatile", Char), ("proparallel", Char),
        ("pronargs", I16), ("pronargdefaults", I16), ("prorettype", Oid),
        ("proargtypes", OidVec), ("proallargtypes", OidArr), ("proargmodes", TextArr),
        ("proargnames", TextArr), ("proargdefaults", Text), ("protrftypes", OidArr),
        ("prosrc", Text), ("probin", Text), ("prosqlbody", Text), ("proconfig", TextArr),
        ("proacl", TextArr),
    ]),
    ("pg_publication", &[
        ("oid", Oid), ("pubname", Name), ("pubowner", Oid), ("puballtables", Bool),
        ("pubinsert", Bool), ("pubupdate", Bool), ("pubdelete", Bool), ("pubtruncate", Bool),
        ("pubviaroot", Bool),
    ]),
    ("pg_publication_namespace", &[
        ("oid", Oid), ("pnpubid", Oid), ("pnnspid", Oid),
    ]),
    ("pg_publication_rel", &[
        ("oid", Oid), ("prpubid", Oid), ("prrelid", Oid), ("prqual", Text), ("prattrs", I16Arr),
    ]),
    ("pg_range", &[
        ("rngtypid", Oid), ("rngsubtype", Oid), ("rngmultitypid", Oid), ("rngcollation", Oid),
        ("rngsubopc", Oid), ("rngcanonical", Text), ("rngsubdiff", Text),
    ]),
    ("pg_replication_slots", &[
        ("slot_name", Name), ("plugin", Name), ("slot_type", Text), ("datoid", Oid),
        ("database", Name), ("temporary", Bool), ("active", Bool), ("active_pid", I32),
        ("xmin", Oid), ("catalog_xmin", Oid), ("restart_lsn", Text),
        ("confirmed_flush_lsn", Text), ("wal_status", Text), ("safe_wal_size", I64),
        ("two_phase", Bool),
    ]),
    ("pg_rewrite", &[
        ("oid", Oid), ("rulename", Name), ("ev_class", Oid), ("ev_type", Char),
        ("ev_enabled", Char), ("is_instead", Bool), ("ev_qual", Text), ("ev_action", Text),
    ]),
    ("pg_roles", &[
        ("rolname", Name), ("rolsuper", Bool), ("rolinherit", Bool), ("rolcreaterole", Bool),
        ("rolcreatedb", Bool), ("rolcanlogin", Bool), ("rolreplication", Bool),
        ("rolconnlimit", I32), ("rolpassword", Text), ("rolvaliduntil", Tstz),
        ("rolbypassrls", Bool), ("rolconfig", TextArr), ("oid", Oid),
    ]),
    ("pg_sequence", &[
        ("seqrelid", Oid), ("seqtypid", Oid), ("seqstart", I64), ("seqincrement", I64),
        ("seqmax", I64), ("seqmin", I64), ("seqcache", I64), ("seqcycle", Bool),
    ]),
    ("pg_sequences", &[
        ("schemaname", Name), ("sequencename", Name), ("sequenceowner", Name),
        ("data_type", Oid), ("start_value", I64), ("min_value", I64), ("max_value", I64),
        ("increment_by", I64), ("cycle", Bool), ("cache_size", I64), ("last_value", I64),
    ]),
    ("pg_prepared_statements", &[
        ("name", Text), ("statement", Text), ("prepare_time", Tstz), ("parameter_types", TextArr),
        ("from_sql", Bool), ("generic_plans", I64), ("custom_plans", I64),
    ]),
    ("pg_settings", &[
        ("name", Text), ("setting", Text), ("unit", Text), ("category", Text),
        ("short_desc", Text), ("extra_desc", Text), ("context", Text), ("vartype", Text),
        ("source", Text), ("min_val", Text), ("max_val", Text), ("enumvals", TextArr),
        ("boot_val", Text), ("reset_val", Text), ("sourcefile", Text), ("sourceline", I32),
        ("pending_restart", Bool),
    ]),
    ("pg_shdescription", &[
        ("objoid", Oid), ("classoid", Oid), ("description", Text),
    ]),
    ("pg_stat_activity", &[
        ("datid", Oid), ("datname", Name), ("pid", I32), ("leader_pid", I32), ("usesysid", Oid),
        ("usename", Name), ("application_name", Text), ("client_addr", Text),
        ("client_hostname", Text), ("client_port", I32), ("backend_start", Tstz),
        ("xact_start", Tstz), ("query_start", Tstz), ("state_change", Tstz),
        ("wait_event_type", Text), ("wait_event", Text), ("state", Text), ("backend_xid", Oid),
        ("backend_xmin", Oid), ("query_id", I64), ("query", Text), ("backend_type", Text),
    ]),
    ("pg_stat_gssapi", &[
        ("pid", I32), ("gss_authenticated", Bool), ("principal", Text), ("encrypted", Bool),
    ]),
    ("pg_stat_replication", &[
        ("pid", I32), ("usesysid", Oid), ("usename", Name), ("application_name", Text),
        ("client_addr", Text), ("client_hostname", Text), ("client_port", I32),
        ("backend_start", Tstz), ("backend_xmin", Oid), ("state", Text), ("sent_lsn", Text),
        ("write_lsn", Text), ("flush_lsn", Text), ("replay_lsn", Text), ("write_lag", Text),
        ("flush_lag", Text), ("replay_lag", Text), ("sync_priority", I32), ("sync_state", Text),
        ("reply_time", Tstz),
    ]),
    ("pg_stat_ssl", &[
        ("pid", I32), ("ssl", Bool), ("version", Text), ("cipher", Text), ("bits", I32),
        ("client_dn", Text), ("client_serial", F64), ("issuer_dn", Text),
    ]),
    ("pg_stat_user_tables", &[
        ("relid", Oid), ("schemaname", Name), ("relname", Name), ("seq_scan", I64),
        ("seq_tup_read", I64), ("idx_scan", I64), ("idx_tup_fetch", I64), ("n_tup_ins", I64),
        ("n_tup_upd", I64), ("n_tup_del", I64), ("n_tup_hot_upd", I64), ("n_live_tup", I64),
        ("n_dead_tup", I64), ("n_mod_since_analyze", I64), ("n_ins_since_vacuum", I64),
        ("last_vacuum", Tstz), ("last_autovacuum", Tstz), ("last_analyze", Tstz),
        ("last_autoanalyze", Tstz), ("vacuum_count", I64), ("autovacuum_count", I64),
        ("analyze_count", I64), ("autoanalyze_count", I64),
    ]),
    ("pg_statistic_ext", &[
        ("oid", Oid), ("stxrelid", Oid), ("stxname", Name), ("stxnamespace", Oid),
        ("stxowner", Oid), ("stxstattarget", I32), ("stxkeys", I16Vec), ("stxkind", TextArr),
        ("stxexprs", Text),
    ]),
    ("pg_tables", &[
        ("schemaname", Name), ("tablename", Name), ("tableowner", Name), ("tablespace", Name),
        ("hasindexes", Bool), ("hasrules", Bool), ("hastriggers", Bool), ("rowsecurity", Bool),
    ]),
    ("pg_tablespace", &[
        ("oid", Oid), ("spcname", Name), ("spcowner", Oid), ("spcacl", TextArr),
        ("spcoptions", TextArr),
    ]),
    ("pg_timezone_names", &[
        ("name", Text), ("abbrev", Text), ("utc_offset", Text), ("is_dst", Bool),
    ]),
    ("pg_trigger", &[
        ("oid", Oid), ("tgrelid", Oid), ("tgparentid", Oid), ("tgname", Name), ("tgfoid", Oid),
        ("tgtype", I16), ("tgenabled", Char), ("tgisinternal", Bool), ("tgconstrrelid", Oid),
        ("tgconstrindid", Oid), ("tgconstraint", Oid), ("tgdeferrable", Bool),
        ("tginitdeferred", Bool), ("tgnargs", I16), ("tgattr", I16Vec), ("tgargs", Bytes),
        ("tgqual", Text), ("tgoldtable", Name), ("tgnewtable", Name),
    ]),
    ("pg_type", &[
        ("oid", Oid), ("typname", Name), ("typnamespace", Oid), ("typowner", Oid),
        ("typlen", I16), ("typbyval", Bool), ("typtype", Char), ("typcategory", Char),
        ("typispreferred", Bool), ("typisdefined", Bool), ("typdelim", Char), ("typrelid", Oid),
        ("typsubscript", Text), ("typelem", Oid), ("typarray", Oid), ("typinput", Text),
        ("typoutput", Text), ("typreceive", Text), ("typsend", Text), ("typmodin", Text),
        ("typmodout", Text), ("typanalyze", Text), ("typalign", Char), ("typstorage", Char),
        ("typnotnull", Bool), ("typbasetype", Oid), ("typtypmod", I32), ("typndims", I32),
        ("typcollation", Oid), ("typdefaultbin", Text), ("typdefault", Text),
        ("typacl", TextArr),
    ]),
    ("pg_user", &[
        ("usename", Name), ("usesysid", Oid), ("usecreatedb", Bool), ("usesuper", Bool),
        ("userepl", Bool), ("usebypassrls", Bool), ("passwd", Text), ("valuntil", Tstz),
        ("useconfig", TextArr),
    ]),
    ("pg_views", &[
        ("schemaname", Name), ("viewname", Name), ("viewowner", Name), ("definition", Text),
    ]),
    ("pg_shseclabel", &[
        ("objoid", Oid), ("classoid", Oid), ("provider", Text), ("label", Text),
    ]),
    ("pg_db_role_setting", &[
        ("setdatabase", Oid), ("setrole", Oid), ("setconfig", TextArr),
    ]),
    ("pg_amop", &[
        ("oid", Oid), ("amopfamily", Oid), ("amoplefttype", Oid), ("amoprighttype", Oid),
        ("amopstrategy", I16), ("amoppurpose", Char), ("amopopr", Oid), ("amopmethod", Oid),
        ("amopsortfamily", Oid),
    ]),
    ("pg_amproc", &[
        ("oid", Oid), ("amprocfamily", Oid), ("amproclefttype", Oid),
        ("amprocrighttype", Oid), ("amprocnum", I16), ("amproc", Text),
    ]),
    ("pg_aggregate", &[
        ("aggfnoid", Text), ("aggkind", Char), ("aggnumdirectargs", I16), ("aggtransfn", Text),
        ("aggfinalfn", Text), ("aggcombinefn", Text), ("aggserialfn", Text),
        ("aggdeserialfn", Text), ("aggmtransfn", Text), ("aggminvtransfn", Text),
        ("aggmfinalfn", Text), ("aggfinalextra", Bool), ("aggmfinalextra", Bool),
        ("aggfinalmodify", Char), ("aggmfinalmodify", Char), ("aggsortop", Oid),
        ("aggtranstype", Oid), ("aggtransspace", I32), ("aggmtranstype", Oid),
        ("aggmtransspace", I32), ("agginitval", Text), ("aggminitval", Text),
    ]),
    ("pg_default_acl", &[
        ("oid", Oid), ("defaclrole", Oid), ("defaclnamespace", Oid), ("defaclobjtype", Char),
        ("defaclacl", TextArr),
    ]),
    ("pg_foreign_data_wrapper", &[
        ("oid", Oid), ("fdwname", Name), ("fdwowner", Oid), ("fdwhandler", Oid),
        ("fdwvalidator", Oid), ("fdwacl", TextArr), ("fdwoptions", TextArr),
    ]),
    ("pg_foreign_server", &[
        ("oid", Oid), ("srvname", Name), ("srvowner", Oid), ("srvfdw", Oid), ("srvtype", Text),
        ("srvversion", Text), ("srvacl", TextArr), ("srvoptions", TextArr),
    ]),
    ("pg_init_privs", &[
        ("objoid", Oid), ("classoid", Oid), ("objsubid", I32), ("privtype", Char),
        ("initprivs", TextArr),
    ]),
    ("pg_largeobject_metadata", &[
        ("oid", Oid), ("lomowner", Oid), ("lomacl", TextArr),
    ]),
    ("pg_opfamily", &[
        ("oid", Oid), ("opfmethod", Oid), ("opfname", Name), ("opfnamespace", Oid),
        ("opfowner", Oid),
    ]),
    ("pg_seclabels", &[
        ("objoid", Oid), ("classoid", Oid), ("objsubid", I32), ("objtype", Text),
        ("objnamespace", Oid), ("objname", Text), ("provider", Text), ("label", Text),
    ]),
    ("pg_subscription", &[
        ("oid", Oid), ("subdbid", Oid), ("subskiplsn", Text), ("subname", Name), ("subowner", Oid),
        ("subenabled", Bool), ("subbinary", Bool), ("substream", Bool), ("subtwophasestate", Char),
        ("subdisableonerr", Bool), ("subconninfo", Text), ("subslotname", Name),
        ("subsynccommit", Text), ("subpublications", TextArr),
    ]),
    ("pg_transform", &[
        ("oid", Oid), ("trftype", Oid), ("trflang", Oid), ("trffromsql", Text), ("trftosql", Text),
    ]),
    ("pg_ts_config", &[
        ("oid", Oid), ("cfgname", Name), ("cfgnamespace", Oid), ("cfgowner", Oid),
        ("cfgparser", Oid),
    ]),
    ("pg_ts_dict", &[
        ("oid", Oid), ("dictname", Name), ("dictnamespace", Oid), ("dictowner", Oid),
        ("dicttemplate", Oid), ("dictinitoption", Text),
    ]),
    ("pg_ts_parser", &[
        ("oid", Oid), ("prsname", Name), ("prsnamespace", Oid), ("prsstart", Text),
        ("prstoken", Text), ("prsend", Text), ("prsheadline", Text), ("prslextype", Text),
    ]),
    ("pg_ts_template", &[
        ("oid", Oid), ("tmplname", Name), ("tmplnamespace", Oid), ("tmplinit", Text),
        ("tmpllexize", Text),
    ]),
    ("pg_user_mapping", &[
        ("oid", Oid), ("umuser", Oid), ("umserver", Oid), ("umoptions", TextArr),
    ]),
];

/// `(view, [(column, kind)])` for every emulated `information_schema` view, same source.
#[rustfmt::skip]
pub(super) const INFORMATION_SCHEMA: &[(&str, &[(&str, Col)])] = &[
    ("character_sets", &[
        ("character_set_catalog", Name), ("character_set_schema", Name),
        ("character_set_name", Name), ("character_repertoire", Name), ("form_of_use", Name),
        ("default_collate_catalog", Name), ("default_collate_schema", Name),
        ("default_collate_name", Name),
    ]),
    ("check_constraints", &[
        ("constraint_catalog", Name), ("constraint_schema", Name), ("constraint_name", Name),
        ("check_clause", Text),
    ]),
    ("columns", &[
        ("table_catalog", Name), ("table_schema", Name), ("table_name", Name),
        ("column_name", Name), ("ordinal_position", I32), ("column_default", Varchar),
        ("is_nullable", Varchar), ("data_type", Varchar), ("character_maximum_length", I32),
        ("character_octet_length", I32), ("numeric_precision", I32),
        ("numeric_precision_radix", I32), ("numeric_scale", I32), ("datetime_precision", I32),
        ("interval_type", Varchar), ("interval_precision", I32), ("character_set_catalog", Name),
        ("character_set_schema", Name), ("character_set_name", Name),
        ("collation_catalog", Name), ("collation_schema", Name), ("collation_name", Name),
        ("domain_catalog", Name), ("domain_schema", Name), ("domain_name", Name),
        ("udt_catalog", Name), ("udt_schema", Name), ("udt_name", Name), ("scope_catalog", Name),
        ("scope_schema", Name), ("scope_name", Name), ("maximum_cardinality", I32),
        ("dtd_identifier", Name), ("is_self_referencing", Varchar), ("is_identity", Varchar),
        ("identity_generation", Varchar), ("identity_start", Varchar), ("identity_increment", Varchar),
        ("identity_maximum", Varchar), ("identity_minimum", Varchar), ("identity_cycle", Varchar),
        ("is_generated", Varchar), ("generation_expression", Varchar), ("is_updatable", Varchar),
    ]),
    ("constraint_column_usage", &[
        ("table_catalog", Name), ("table_schema", Name), ("table_name", Name),
        ("column_name", Name), ("constraint_catalog", Name), ("constraint_schema", Name),
        ("constraint_name", Name),
    ]),
    ("key_column_usage", &[
        ("constraint_catalog", Name), ("constraint_schema", Name), ("constraint_name", Name),
        ("table_catalog", Name), ("table_schema", Name), ("table_name", Name),
        ("column_name", Name), ("ordinal_position", I32), ("position_in_unique_constraint", I32),
    ]),
    ("parameters", &[
        ("specific_catalog", Name), ("specific_schema", Name), ("specific_name", Name),
        ("ordinal_position", I32), ("parameter_mode", Text), ("is_result", Text),
        ("as_locator", Text), ("parameter_name", Name), ("data_type", Text),
        ("character_maximum_length", I32), ("character_octet_length", I32),
        ("character_set_catalog", Name), ("character_set_schema", Name),
        ("character_set_name", Name), ("collation_catalog", Name), ("collation_schema", Name),
        ("collation_name", Name), ("numeric_precision", I32), ("numeric_precision_radix", I32),
        ("numeric_scale", I32), ("datetime_precision", I32), ("interval_type", Text),
        ("interval_precision", I32), ("udt_catalog", Name), ("udt_schema", Name),
        ("udt_name", Name), ("scope_catalog", Name), ("scope_schema", Name),
        ("scope_name", Name), ("maximum_cardinality", I32), ("dtd_identifier", Name),
        ("parameter_default", Text),
    ]),
    ("referential_constraints", &[
        ("constraint_catalog", Name), ("constraint_schema", Name), ("constraint_name", Name),
        ("unique_constraint_catalog", Name), ("unique_constraint_schema", Name),
        ("unique_constraint_name", Name), ("match_option", Text), ("update_rule", Text),
        ("delete_rule", Text),
    ]),
    ("routines", &[
        ("specific_catalog", Name), ("specific_schema", Name), ("specific_name", Name),
        ("routine_catalog", Name), ("routine_schema", Name), ("routine_name", Name),
        ("routine_type", Text), ("module_catalog", Name), ("module_schema", Name),
        ("module_name", Name), ("udt_catalog", Name), ("udt_schema", Name), ("udt_name", Name),
        ("data_type", Text), ("character_maximum_length", I32), ("character_octet_length", I32),
        ("character_set_catalog", Name), ("character_set_schema", Name),
        ("character_set_name", Name), ("collation_catalog", Name), ("collation_schema", Name),
        ("collation_name", Name), ("numeric_precision", I32), ("numeric_precision_radix", I32),
        ("numeric_scale", I32), ("datetime_precision", I32), ("interval_type", Text),
        ("interval_precision", I32), ("type_udt_catalog", Name), ("type_udt_schema", Name),
        ("type_udt_name", Name), ("scope_catalog", Name), ("scope_schema", Name),
        ("scope_name", Name), ("maximum_cardinality", I32), ("dtd_identifier", Name),
        ("routine_body", Text), ("routine_definition", Text), ("external_name", Text),
        ("external_language", Text), ("parameter_style", Text), ("is_deterministic", Text),
        ("sql_data_access", Text), ("is_null_call", Text), ("sql_path", Text),
        ("schema_level_routine", Text), ("max_dynamic_result_sets", I32),
        ("is_user_defined_cast", Text), ("is_implicitly_invocable", Text),
        ("security_type", Text), ("to_sql_specific_catalog", Name),
        ("to_sql_specific_schema", Name), ("to_sql_specific_name", Name), ("as_locator", Text),
        ("created", Tstz), ("last_altered", Tstz), ("new_savepoint_level", Text),
        ("is_udt_dependent", Text), ("result_cast_from_data_type", Text),
        ("result_cast_as_locator", Text), ("result_cast_char_max_length", I32),
        ("result_cast_char_octet_length", I32), ("result_cast_char_set_catalog", Name),
        ("result_cast_char_set_schema", Name), ("result_cast_char_set_name", Name),
        ("result_cast_collation_catalog", Name), ("result_cast_collation_schema", Name),
        ("result_cast_collation_name", Name), ("result_cast_numeric_precision", I32),
        ("result_cast_numeric_precision_radix", I32), ("result_cast_numeric_scale", I32),
        ("result_cast_datetime_precision", I32), ("result_cast_interval_type", Text),
        ("result_cast_interval_precision", I32), ("result_cast_type_udt_catalog", Name),
        ("result_cast_type_udt_schema", Name), ("result_cast_type_udt_name", Name),
        ("result_cast_scope_catalog", Name), ("result_cast_scope_schema", Name),
        ("result_cast_scope_name", Name), ("result_cast_maximum_cardinality", I32),
        ("result_cast_dtd_identifier", Name),
    ]),
    ("schemata", &[
        ("catalog_name", Name), ("schema_name", Name), ("schema_owner", Name),
        ("default_character_set_catalog", Name), ("default_character_set_schema", Name),
        ("default_character_set_name", Name), ("sql_path", Text),
    ]),
    ("sequences", &[
        ("sequence_catalog", Name), ("sequence_schema", Name), ("sequence_name", Name),
        ("data_type", Text), ("numeric_precision", I32), ("numeric_precision_radix", I32),
        ("numeric_scale", I32), ("start_value", Text), ("minimum_value", Text),
        ("maximum_value", Text), ("increment", Text), ("cycle_option", Text),
    ]),
    ("table_constraints", &[
        ("constraint_catalog", Name), ("constraint_schema", Name), ("constraint_name", Name),
        ("table_catalog", Name), ("table_schema", Name), ("table_name", Name),
        ("constraint_type", Text), ("is_deferrable", Text), ("initially_deferred", Text),
        ("enforced", Text), ("nulls_distinct", Text),
    ]),
    ("tables", &[
        ("table_catalog", Name), ("table_schema", Name), ("table_name", Name),
        ("table_type", Text), ("self_referencing_column_name", Name),
        ("reference_generation", Text), ("user_defined_type_catalog", Name),
        ("user_defined_type_schema", Name), ("user_defined_type_name", Name),
        ("is_insertable_into", Text), ("is_typed", Text), ("commit_action", Text),
    ]),
    ("views", &[
        ("table_catalog", Name), ("table_schema", Name), ("table_name", Name),
        ("view_definition", Text), ("check_option", Text), ("is_updatable", Text),
        ("is_insertable_into", Text), ("is_trigger_updatable", Text),
        ("is_trigger_deletable", Text), ("is_trigger_insertable_into", Text),
    ]),
];
