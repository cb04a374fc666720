package dev.cascade.jdbc;

import java.util.Locale;
import java.util.Set;

/**
 * Words that cannot be a bare column or table name in at least one supported database, so a
 * mapping that uses one fails when it is built instead of with a syntax error on one database only
 * (a column named {@code value} works on MySQL and PostgreSQL but not on H2 2.x; {@code key} works
 * on PostgreSQL but not on MySQL or H2).
 *
 * <p>The union of: the words that failed as a bare column in {@code CREATE TABLE}, {@code SELECT}
 * and {@code DELETE} on MariaDB 10.11, H2 2.3 (default and MySQL mode) and PostgreSQL 15, tried one
 * by one; and the reserved words of MySQL 8.0/8.4 that MariaDB accepts ({@code rank},
 * {@code groups}, {@code system}, ...). A quoted name ({@code "\"value\""}) is never checked
 * against this list.
 */
final class ReservedWords {

  private static final Set<String> WORDS = Set.of(
      "_rowid_", "accessible", "add", "all", "alter", "analyse", "analyze", "and", "any", "array",
      "as", "asc", "asensitive", "asymmetric", "authorization", "before", "between", "bigint",
      "binary", "blob", "both", "by", "call", "cascade", "case", "cast", "change", "char", "character",
      "check", "collate", "collation", "column", "concurrently", "condition", "constraint", "continue",
      "convert", "create", "cross", "cube", "cume_dist", "current_catalog", "current_date",
      "current_path", "current_role", "current_schema", "current_time", "current_timestamp",
      "current_user", "cursor", "database", "databases", "day", "day_hour", "day_microsecond",
      "day_minute", "day_second", "dec", "decimal", "declare", "default", "deferrable", "delayed",
      "delete", "delete_domain_id", "dense_rank", "desc", "describe", "deterministic", "distinct",
      "distinctrow", "div", "do", "double", "drop", "dual", "each", "else", "elseif", "empty",
      "enclosed", "end", "escaped", "except", "exists", "exit", "explain", "false", "fetch",
      "first_value", "float", "float4", "float8", "for", "force", "foreign", "freeze", "from", "full",
      "fulltext", "function", "generated", "get", "grant", "group", "grouping", "groups", "having",
      "high_priority", "hour", "hour_microsecond", "hour_minute", "hour_second", "if", "ignore",
      "ignore_domain_ids", "ignore_server_ids", "ilike", "in", "index", "infile", "initially", "inner",
      "inout", "insensitive", "insert", "int", "int1", "int2", "int3", "int4", "int8", "integer",
      "intersect", "interval", "into", "io_after_gtids", "io_before_gtids", "is", "isnull", "iterate",
      "join", "json_table", "key", "keys", "kill", "lag", "last_value", "lateral", "lead", "leading",
      "leave", "left", "like", "limit", "linear", "lines", "load", "localtime", "localtimestamp",
      "lock", "long", "longblob", "longtext", "loop", "low_priority", "manual", "master_bind",
      "master_ssl_verify_server_cert", "match", "maxvalue", "mediumblob", "mediumint", "mediumtext",
      "middleint", "minus", "minute", "minute_microsecond", "minute_second", "mod", "modifies",
      "month", "natural", "no_write_to_binlog", "not", "notnull", "nth_value", "ntile", "null",
      "numeric", "of", "offset", "on", "only", "optimize", "optimizer_costs", "option", "optionally",
      "or", "order", "out", "outer", "outfile", "over", "overlaps", "page_checksum", "parallel",
      "parse_vcol_expr", "partition", "percent_rank", "placing", "precision", "primary", "procedure",
      "purge", "qualify", "range", "rank", "read", "read_write", "reads", "real", "recursive",
      "ref_system_id", "references", "regexp", "release", "rename", "repeat", "replace", "require",
      "resignal", "restrict", "return", "returning", "right", "rlike", "row", "row_number", "rownum",
      "rows", "schema", "schemas", "second", "second_microsecond", "select", "sensitive", "separator",
      "session_user", "set", "show", "signal", "similar", "smallint", "some", "spatial", "specific",
      "sql", "sql_big_result", "sql_calc_found_rows", "sql_small_result", "sqlexception", "sqlstate",
      "sqlwarning", "ssl", "starting", "stats_auto_recalc", "stats_persistent", "stats_sample_pages",
      "stored", "straight_join", "symmetric", "system", "system_user", "table", "tablesample",
      "terminated", "then", "tinyblob", "tinyint", "tinytext", "to", "top", "trailing", "trigger",
      "true", "uescape", "undo", "union", "unique", "unknown", "unlock", "unsigned", "update", "usage",
      "use", "user", "using", "utc_date", "utc_time", "utc_timestamp", "value", "values", "varbinary",
      "varchar", "varcharacter", "variadic", "varying", "verbose", "virtual", "when", "where", "while",
      "window", "with", "write", "xor", "year", "year_month", "zerofill");

  private ReservedWords() {
  }

  static boolean contains(String identifier) {
    return WORDS.contains(identifier.toLowerCase(Locale.ROOT));
  }
}
