//! An artist as a point for similarity: their averages over `SIMILARITY_FEATURES`, each
//! scaled to 0..1. The search index stores these vectors; `similarity` measures them.

use super::summary::ArtistSummary;
use crate::model::{AudioFeatures, Feature};

/// The features artist similarity is measured over.
pub const SIMILARITY_FEATURES: [Feature; 9] = Feature::AUDIO;

/// An artist's averages over `SIMILARITY_FEATURES`, scaled to 0..1.
pub fn scaled_vector(artist: &ArtistSummary) -> [f32; SIMILARITY_FEATURES.len()] {
    scaled_averages(&artist.averages)
}

/// `scaled_vector` of an artist's averages.
pub fn scaled_averages(averages: &AudioFeatures) -> [f32; SIMILARITY_FEATURES.len()] {
    let mut out = [0.0f32; SIMILARITY_FEATURES.len()];
    for (slot, feature) in out.iter_mut().zip(SIMILARITY_FEATURES) {
        *slot = feature.scale(averages.get(feature).unwrap_or(0.0)) as f32;
    }
    out
}

/// Distance between two scaled vectors (root mean square difference).
pub fn rms_distance(
    a: &[f32; SIMILARITY_FEATURES.len()],
    b: &[f32; SIMILARITY_FEATURES.len()],
) -> f32 {
    let sum: f32 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    (sum / SIMILARITY_FEATURES.len() as f32).sqrt()
}
