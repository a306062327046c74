//! Small hand-made catalogs written through the real catalog writer.

use insights_hub::{
    catalog::{AudioFeatures, NewTrack, TrackKeys},
    db::{catalog_meta::SourceKind, catalog_writer::CatalogWriter},
    AppState,
};

use diesel::Connection;

/// A track with every feature at `level` (tempo/loudness mid-range) by the given artists.
pub fn track(id: &str, name: &str, artists: &[&str], level: f64) -> NewTrack {
    NewTrack::builder(name, artists)
        .spotify_id(id)
        .album(&format!("{name} (album)"))
        .year(2000)
        .genre(Some("pop"))
        .popularity(Some(50))
        .duration_ms(200_000)
        .explicit(false)
        .key_mode_meter(0, 1, 4)
        .features(AudioFeatures {
            danceability: level,
            energy: level,
            acousticness: level,
            instrumentalness: level,
            valence: level,
            speechiness: level,
            liveness: level,
            tempo: 120.0,
            loudness: -8.0,
        })
        .build()
}

/// Writes the tracks as an import named `source` and refreshes the app's snapshot.
pub async fn load(state: &AppState, source: &str, tracks: Vec<NewTrack>) {
    let pool = state.pool.clone();
    let source = source.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let mut writer = CatalogWriter::new(conn)?;
            for t in &tracks {
                writer.write_keyed(conn, t.clone(), TrackKeys::of(t))?;
            }
            writer.finish(conn, SourceKind::Import, &source, 1_764_028_800)?;
            Ok(())
        })
        .expect("write fixture catalog");
    })
    .await
    .expect("fixture task");
    state.refresh_catalog().await.expect("refresh snapshot");
}
