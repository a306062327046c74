//! The connection type every query takes: SQLite or PostgreSQL, chosen by the database
//! URL (`config::Database`). diesel's derive gives it `Connection` (transactions,
//! `batch_execute`) and r2d2's `R2D2Connection`; queries reach the backend's own
//! connection through `db::with_backend!`.

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}
