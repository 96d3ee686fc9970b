//! Statements built at run time for a whole batch: multi-row `VALUES` lists and `IN (...)`
//! lists with the right placeholders for the engine, split into statements each engine
//! takes well, and the row locks PostgreSQL needs where SQLite's write lock covers all.

use sqlx::AnyConnection;

/// Most placeholders one statement takes here: below SQLite's limit (32,766) and
/// PostgreSQL's (65,535), so a batch's rows go in as few statements as that allows.
const MAX_PLACEHOLDERS: usize = 8_000;

/// Most bytes of values one statement sends to PostgreSQL. sqlx 0.9.0 no longer sets
/// `TCP_NODELAY` (launchbadge/sqlx#4335, fixed upstream after 0.9.0), so a message larger
/// than the socket takes in one write waits ~40 ms for a delayed ACK: measured, a 16 KB
/// bind goes in 0.4 ms and a 40 KB one in 44 ms. Smaller statements cost a round trip each.
const MAX_POSTGRES_STATEMENT_BYTES: usize = 12 * 1024;

/// The SQL dialect of statements built at run time, from the connection they run on.
/// Both engines take `$n`, but SQLite looks each named parameter up by a linear search when
/// it is bound, so a statement of many rows binds in quadratic time there: it gets plain
/// `?`, bound in order.
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

    /// `items` in runs that one multi-row statement each can take: within the placeholder
    /// limit for rows of `columns` values and, on PostgreSQL, within the byte budget, with
    /// `row_bytes` the size of a row's values.
    pub(crate) fn chunks<T>(
        self,
        items: &[T],
        columns: usize,
        row_bytes: impl Fn(&T) -> usize,
    ) -> Vec<&[T]> {
        let max_rows = (MAX_PLACEHOLDERS / columns.max(1)).max(1);
        let max_bytes = match self {
            Dialect::Postgres => MAX_POSTGRES_STATEMENT_BYTES,
            Dialect::Sqlite => usize::MAX,
        };
        let mut chunks = Vec::new();
        let (mut start, mut bytes) = (0, 0);
        for (index, item) in items.iter().enumerate() {
            let size = row_bytes(item);
            if index > start && (index - start == max_rows || bytes + size > max_bytes) {
                chunks.push(&items[start..index]);
                (start, bytes) = (index, 0);
            }
            bytes += size;
        }
        if start < items.len() {
            chunks.push(&items[start..]);
        }
        chunks
    }

    fn push(self, text: &mut String, number: usize) {
        match self {
            Dialect::Postgres => {
                text.push('$');
                text.push_str(&number.to_string());
            }
            Dialect::Sqlite => text.push('?'),
        }
    }

    /// `$1, $2, $3` (or `?, ?, ?`): an `IN (...)` list of `count` values from `$first`.
    pub(crate) fn list(self, count: usize, first: usize) -> String {
        let mut text = String::with_capacity(count * 5);
        for number in first..first + count {
            if number > first {
                text.push_str(", ");
            }
            self.push(&mut text, number);
        }
        text
    }

    /// `($1, $2), ($3, $4)`: a multi-row `VALUES` list of `rows` rows of `columns` values
    /// each, numbered from `$first`.
    pub(crate) fn rows(self, rows: usize, columns: usize, first: usize) -> String {
        let mut text = String::with_capacity(rows * (columns * 6 + 4));
        for row in 0..rows {
            if row > 0 {
                text.push_str(", ");
            }
            text.push('(');
            text.push_str(&self.list(columns, first + row * columns));
            text.push(')');
        }
        text
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        let postgres = Dialect::Postgres;
        assert_eq!(postgres.rows(2, 2, 1), "($1, $2), ($3, $4)");
        assert_eq!(postgres.rows(1, 3, 2), "($2, $3, $4)");
        assert_eq!(postgres.list(3, 2), "$2, $3, $4");
        assert_eq!(Dialect::Sqlite.rows(2, 2, 1), "(?, ?), (?, ?)");
        assert_eq!(Dialect::Sqlite.list(2, 5), "?, ?");
    }

    #[test]
    fn chunks_keep_to_the_placeholder_limit_and_the_postgres_byte_budget() {
        let rows: Vec<usize> = vec![1_000; 40];
        let sizes = |chunks: Vec<&[usize]>| chunks.iter().map(|c| c.len()).collect::<Vec<_>>();
        assert_eq!(sizes(Dialect::Sqlite.chunks(&rows, 4, |r| *r)), [40]);
        assert_eq!(sizes(Dialect::Sqlite.chunks(&rows, 400, |r| *r)), [20, 20]);
        assert_eq!(
            sizes(Dialect::Postgres.chunks(&rows, 4, |r| *r)),
            [12, 12, 12, 4]
        );
        // A row larger than the budget still goes, alone.
        assert_eq!(
            sizes(Dialect::Postgres.chunks(&[50_000, 1, 1], 4, |r| *r)),
            [1, 2]
        );
        assert!(
            Dialect::Postgres
                .chunks(&[] as &[usize], 4, |r| *r)
                .is_empty()
        );
    }
}
