// @generated automatically by Diesel CLI.

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        token_hash -> Text,
        hint -> Text,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        form_once -> Nullable<Text>,
    }
}

diesel::table! {
    artists (id) {
        id -> Integer,
        name -> Text,
        name_key -> Text,
        search_key -> Text,
        track_count -> Integer,
        avg_danceability -> Double,
        avg_energy -> Double,
        avg_acousticness -> Double,
        avg_instrumentalness -> Double,
        avg_valence -> Double,
        avg_speechiness -> Double,
        avg_liveness -> Double,
        avg_tempo -> Double,
        avg_loudness -> Double,
        avg_popularity -> Nullable<Double>,
        min_year -> Nullable<Integer>,
        max_year -> Nullable<Integer>,
    }
}

diesel::table! {
    catalog_imports (id) {
        id -> Integer,
        source_file -> Text,
        imported_at -> BigInt,
        rows_read -> BigInt,
        tracks_inserted -> BigInt,
        tracks_updated -> BigInt,
        rows_skipped -> BigInt,
    }
}

diesel::table! {
    catalog_meta (id) {
        id -> Integer,
        source_kind -> Text,
        source_name -> Text,
        updated_at -> BigInt,
        version -> BigInt,
        track_count -> BigInt,
        artist_count -> BigInt,
        genre_count -> BigInt,
        min_year -> Nullable<Integer>,
        max_year -> Nullable<Integer>,
        import_digest -> Nullable<Text>,
    }
}

diesel::table! {
    genres (id) {
        id -> Integer,
        name -> Text,
        name_key -> Text,
        parent_id -> Nullable<Integer>,
    }
}

diesel::table! {
    server_settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        data -> Text,
        expires_at -> BigInt,
        user_id -> Nullable<Integer>,
    }
}

diesel::table! {
    taste_profiles (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        settings -> Text,
        is_current -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    throttle_attempts (id) {
        id -> Integer,
        scope -> Integer,
        key -> Text,
        at_ms -> BigInt,
    }
}

diesel::table! {
    track_artists (track_id, artist_id) {
        track_id -> Integer,
        artist_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    track_genres (track_id, genre_id) {
        track_id -> Integer,
        genre_id -> Integer,
    }
}

diesel::table! {
    tracks (id) {
        id -> Integer,
        identity -> Text,
        spotify_id -> Nullable<Text>,
        name -> Text,
        album -> Nullable<Text>,
        release_year -> Nullable<Integer>,
        genre -> Nullable<Text>,
        popularity -> Nullable<Integer>,
        duration_ms -> Nullable<Integer>,
        explicit -> Nullable<Bool>,
        musical_key -> Nullable<Integer>,
        mode -> Nullable<Integer>,
        time_signature -> Nullable<Integer>,
        tempo -> Double,
        loudness -> Double,
        danceability -> Double,
        energy -> Double,
        acousticness -> Double,
        instrumentalness -> Double,
        valence -> Double,
        speechiness -> Double,
        liveness -> Double,
        album_spotify_id -> Nullable<Text>,
        release_date -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        username_key -> Text,
        password_hash -> Text,
        created_at -> BigInt,
        credentials_version -> Integer,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(taste_profiles -> users (user_id));
diesel::joinable!(track_artists -> artists (artist_id));
diesel::joinable!(track_artists -> tracks (track_id));
diesel::joinable!(track_genres -> genres (genre_id));
diesel::joinable!(track_genres -> tracks (track_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    artists,
    catalog_imports,
    catalog_meta,
    genres,
    server_settings,
    sessions,
    taste_profiles,
    throttle_attempts,
    track_artists,
    track_genres,
    tracks,
    users,
);
