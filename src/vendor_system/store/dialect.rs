//! A batch's rows as one JSON parameter, so that each batch statement has one fixed text
//! whatever the batch's size, and the row locks PostgreSQL needs where SQLite's write lock
//! covers all.
//!
//! A statement built with one placeholder per value has a different text for every batch
//! size, and each new text is parsed, planned and prepared again (on PostgreSQL a round trip
//! more, and the prepared statements of past sizes crowd sqlx's cache). Here the rows go in
//! as one text, a JSON array of arrays, that the statement unpacks with the engine's own
//! JSON functions (`jsonb_array_elements` on PostgreSQL, `jsonb_each` on SQLite) into a
//! table `batch` whose row `value` has its fields at `value->>0`, `value->>1`, ... The
//! `->>` operator and `CAST` are spelled alike in both, so only the table source and the
//! hex decoding differ. Both parse the text once into their binary JSON: SQLite's
//! `json_each` would hand each row back as text, to be parsed again for every field.

use serde::Serialize;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::vendor_system::error::VendorError;

/// Most bytes of rows one statement sends to PostgreSQL. sqlx 0.9.0 no longer sets
/// `TCP_NODELAY` (launchbadge/sqlx#4335, fixed upstream after 0.9.0), so a message larger
/// than the socket takes in one write waits ~40 ms for a delayed ACK: measured, a 16 KB
/// bind goes in 0.4 ms and a 40 KB one in 44 ms. A batch past this goes in several
/// executions of the same prepared statement.
const MAX_POSTGRES_STATEMENT_BYTES: usize = 12 * 1024;

/// The SQL dialect of a batch statement, from the connection it runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    pub(crate) fn of(conn: &AnyConnection) -> Dialect {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        }
    }

    /// The rows bound as `$1` (a JSON array of arrays), as a table `batch` of one column
    /// `value` per row.
    pub(crate) fn batch_rows(self) -> &'static str {
        match self {
            Dialect::Postgres => "jsonb_array_elements(CAST($1 AS jsonb)) AS batch(value)",
            Dialect::Sqlite => "jsonb_each($1) AS batch",
        }
    }

    /// Field `field` of a batch row, sent as hex, as bytes.
    pub(crate) fn bytes_field(self, field: usize) -> String {
        match self {
            Dialect::Postgres => format!("decode(value->>{field}, 'hex')"),
            Dialect::Sqlite => format!("unhex(value->>{field})"),
        }
    }

    /// `rows` as the JSON texts to bind as `$1`: one on SQLite, and on PostgreSQL as many
    /// as keep each within the byte budget (a row larger than the budget goes alone). Each
    /// row is serialized as a JSON array, so a tuple is the natural row type.
    pub(crate) fn batches<T: Serialize>(
        self,
        rows: impl IntoIterator<Item = T>,
    ) -> Result<Vec<String>, VendorError> {
        let max_bytes = match self {
            Dialect::Postgres => MAX_POSTGRES_STATEMENT_BYTES,
            Dialect::Sqlite => usize::MAX,
        };
        let mut batches = Vec::new();
        let mut current = String::new();
        for row in rows {
            let row = serde_json::to_string(&row).map_err(VendorError::storage)?;
            if !current.is_empty() && current.len() + row.len() + 2 > max_bytes {
                current.push(']');
                batches.push(std::mem::take(&mut current));
            }
            current.push(if current.is_empty() { '[' } else { ',' });
            current.push_str(&row);
        }
        if !current.is_empty() {
            current.push(']');
            batches.push(current);
        }
        Ok(batches)
    }

    /// `rows` as one JSON text to bind as `$1`, however large: for a statement that must
    /// take all its rows at once, such as one that locks them in order.
    pub(crate) fn one_batch<T: Serialize>(
        self,
        rows: impl IntoIterator<Item = T>,
    ) -> Result<String, VendorError> {
        let rows: Vec<T> = rows.into_iter().collect();
        serde_json::to_string(&rows).map_err(VendorError::storage)
    }

    /// ` FOR UPDATE` on PostgreSQL, which locks the rows a `SELECT` reads; nothing on SQLite,
    /// where the batch's `BEGIN IMMEDIATE` holds the one write lock already.
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        }
    }
}

/// Runs `sql` once per batch of rows (`$1`), with `now_unix_ms` as `$2` when given.
pub(crate) async fn execute_batches(
    conn: &mut AnyConnection,
    sql: &str,
    batches: Vec<String>,
    now_unix_ms: Option<i64>,
) -> Result<u64, VendorError> {
    let mut affected = 0;
    for batch in batches {
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(batch);
        if let Some(now_unix_ms) = now_unix_ms {
            query = query.bind(now_unix_ms);
        }
        affected += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_json_arrays_of_rows_within_the_postgres_budget() {
        let rows = vec![("a", 1_i64), ("b\"c", 2)];
        assert_eq!(
            Dialect::Sqlite.batches(rows.clone()).expect("serializes"),
            [r#"[["a",1],["b\"c",2]]"#]
        );
        let big = "x".repeat(5_000);
        let rows: Vec<(&str,)> = (0..5).map(|_| (big.as_str(),)).collect();
        let batches = Dialect::Postgres.batches(rows.clone()).expect("serializes");
        assert_eq!(batches.len(), 3, "two rows of 5 KB to a 12 KB statement");
        for batch in &batches {
            assert!(batch.len() <= MAX_POSTGRES_STATEMENT_BYTES);
            let parsed: Vec<(String,)> = serde_json::from_str(batch).expect("valid JSON");
            assert!(!parsed.is_empty());
        }
        assert_eq!(
            Dialect::Sqlite
                .batches(rows.clone())
                .expect("serializes")
                .len(),
            1
        );
        // A statement that must see every row gets them all, past the budget.
        let all = Dialect::Postgres.one_batch(rows).expect("serializes");
        let parsed: Vec<(String,)> = serde_json::from_str(&all).expect("valid JSON");
        assert_eq!(parsed.len(), 5);
        // A row larger than the budget still goes, alone.
        let huge = "y".repeat(20_000);
        let batches = Dialect::Postgres
            .batches([(huge.as_str(),), ("z",)])
            .expect("serializes");
        assert_eq!(batches.len(), 2);
        assert!(
            Dialect::Postgres
                .batches(Vec::<(i64,)>::new())
                .expect("serializes")
                .is_empty()
        );
    }
}
