//! State several servers share through the database.
