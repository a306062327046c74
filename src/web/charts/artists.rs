//! Charts of the artist pages: a comparison as grouped bars or as a radar, and the
//! spread of an artist's features as box plots. Only 0..1 features are drawn, so the
//! plotted numbers are the exact averages (to three decimals) that tooltips show.

use charming::{
    component::{Axis, Grid, LegendItem, RadarAxisName, RadarCoordinate},
    datatype::DataPointItem,
    element::{
        font_settings::FontWeight, AreaStyle, AxisLabel, AxisType, ItemStyle, LineStyle, Symbol,
        Tooltip, Trigger,
    },
    series::{Bar, Boxplot, Line, Radar},
    Chart,
};

use super::{legend_on_top, palette, round3, ProfileSeries};
use crate::catalog::{artists::distribution::Distribution, Feature};

/// Colour of the catalog-average reference, kept neutral so the artists stand out.
const REFERENCE_COLOR: &str = "#8a8f98";

fn labels(features: &[Feature]) -> Vec<String> {
    features.iter().map(|f| f.label().to_string()).collect()
}

/// A category axis of feature names that shows every name (slanted, since
/// "Instrumentalness" does not fit upright beside its neighbours).
fn feature_axis(features: &[Feature]) -> Axis {
    Axis::new()
        .type_(AxisType::Category)
        .data(labels(features))
        .axis_label(AxisLabel::new().interval(0).rotate(30))
}

fn values(features: &[Feature], series: &ProfileSeries<'_>) -> Vec<f64> {
    features
        .iter()
        .zip(&series.values)
        .map(|(f, v)| round3(f.scale(*v)))
        .collect()
}

/// One bar series per artist over the features (in the app's palette), and the catalog
/// average as a grey diamond marker on each feature: the features are separate
/// categories, so no line joins the averages. Hovering a feature shows every exact value.
pub fn comparison_bars(
    features: &[Feature],
    artists: &[ProfileSeries<'_>],
    reference: &ProfileSeries<'_>,
) -> Chart {
    let mut legend: Vec<LegendItem> = artists.iter().map(|a| a.name.into()).collect();
    legend.push((reference.name, "diamond").into());
    let mut chart = Chart::new()
        .color(palette())
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(legend_on_top().data(legend))
        .grid(
            Grid::new()
                // Room for the first slanted name, which `contain_label` leaves out.
                .left(24)
                .right("3%")
                .top(56)
                .bottom("3%")
                .contain_label(true),
        )
        .x_axis(feature_axis(features))
        .y_axis(Axis::new().type_(AxisType::Value).min(0).max(1));
    for artist in artists {
        chart = chart.series(Bar::new().name(artist.name).data(values(features, artist)));
    }
    chart.series(
        Line::new()
            .name(reference.name)
            .symbol(Symbol::Diamond)
            .symbol_size(14)
            // Markers only: an invisible line (ECharts draws a line series' points).
            .line_style(LineStyle::new().width(0).opacity(0))
            .item_style(
                ItemStyle::new()
                    .color(REFERENCE_COLOR)
                    .border_color("#ffffff")
                    .border_width(1),
            )
            .z(3)
            .data(values(features, reference)),
    )
}

/// The same numbers as a radar: one polygon per artist and one for the catalog average.
/// Large (most of the chart's height) with names in full-strength text (app.js gives
/// them the page's text colour, for light and dark).
pub fn comparison_radar(
    features: &[Feature],
    artists: &[ProfileSeries<'_>],
    reference: &ProfileSeries<'_>,
) -> Chart {
    let indicators: Vec<(&str, f64, f64)> =
        features.iter().map(|f| (f.label(), 0.0, 1.0)).collect();
    let mut data: Vec<DataPointItem> = artists
        .iter()
        .map(|a| DataPointItem::new(values(features, a)).name(a.name))
        .collect();
    data.push(
        DataPointItem::new(values(features, reference))
            .name(reference.name)
            .item_style(ItemStyle::new().color(REFERENCE_COLOR)),
    );
    Chart::new()
        .color(palette())
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .legend(legend_on_top())
        .radar(
            RadarCoordinate::new()
                .indicator(indicators)
                .center(vec!["50%", "55%"])
                .radius("70%")
                .axis_name(
                    RadarAxisName::new()
                        .font_size(14)
                        .font_weight(FontWeight::Bold),
                ),
        )
        .series(
            Radar::new()
                .name("Average features")
                .symbol_size(6)
                .line_style(LineStyle::new().width(2.5))
                .area_style(AreaStyle::new().opacity(0.1))
                .data(data),
        )
}

/// Box plots (min, quartiles, max) of the 0..1 features across an artist's tracks.
pub fn distribution_boxplot(distributions: &[Distribution]) -> Chart {
    let shown: Vec<&Distribution> = distributions
        .iter()
        .filter(|d| d.feature.is_unit_interval())
        .collect();
    let features: Vec<Feature> = shown.iter().map(|d| d.feature).collect();
    let data: Vec<Vec<f64>> = shown
        .iter()
        .map(|d| {
            vec![d.min, d.q1, d.median, d.q3, d.max]
                .into_iter()
                .map(round3)
                .collect()
        })
        .collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .grid(
            Grid::new()
                // Room for the first slanted name, which `contain_label` leaves out.
                .left(24)
                .right("3%")
                .bottom("3%")
                .contain_label(true),
        )
        .x_axis(feature_axis(&features))
        .y_axis(Axis::new().type_(AxisType::Value).min(0).max(1))
        .series(
            Boxplot::new()
                .name("Across their tracks")
                // ECharts fills boxes with solid white by default, which glares on the
                // dark theme's card. A see-through fill of the bars' green, outlined in
                // that green (which also draws the median), reads on either theme.
                .item_style(
                    ItemStyle::new()
                        .color(BOX_FILL)
                        .border_color(BOX_LINE)
                        .border_width(2),
                )
                .data(data),
        )
}

/// The box plots' fill and outline: the palette's first colour, the fill see-through.
const BOX_FILL: &str = "rgba(29, 185, 84, 0.3)";
const BOX_LINE: &str = "#1db954";

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> (Vec<ProfileSeries<'static>>, ProfileSeries<'static>) {
        (
            vec![
                ProfileSeries {
                    name: "A",
                    values: vec![0.5, 0.25],
                },
                ProfileSeries {
                    name: "B",
                    values: vec![0.1234, 1.0],
                },
            ],
            ProfileSeries {
                name: "Catalog average",
                values: vec![0.3, 0.3],
            },
        )
    }

    #[test]
    fn bars_have_a_series_per_artist_and_reference_markers() {
        let (artists, reference) = series();
        let json = serde_json::to_value(comparison_bars(
            &[Feature::Energy, Feature::Valence],
            &artists,
            &reference,
        ))
        .unwrap();
        let s = json["series"].as_array().unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0]["type"].as_str(), s[0]["name"].as_str()),
            (Some("bar"), Some("A"))
        );
        assert_eq!(s[1]["data"], serde_json::json!([0.123, 1.0]));
        assert_eq!(
            (s[2]["type"].as_str(), s[2]["name"].as_str()),
            (Some("line"), Some("Catalog average"))
        );
        // Markers, not a line across unrelated features; bars in the app's palette.
        assert_eq!(s[2]["lineStyle"]["opacity"], 0.0);
        assert_eq!(s[2]["symbol"], "diamond");
        assert_eq!(json["color"][0], "#1db954");
        assert_eq!(json["legend"]["top"], 0);
        assert_eq!(
            json["xAxis"]["data"],
            serde_json::json!(["Energy", "Valence"])
        );
    }

    #[test]
    fn radar_has_an_indicator_per_feature_and_a_polygon_per_profile() {
        let (artists, reference) = series();
        let json = serde_json::to_value(comparison_radar(
            &[Feature::Energy, Feature::Valence],
            &artists,
            &reference,
        ))
        .unwrap();
        let radar = if json["radar"].is_array() {
            &json["radar"][0]
        } else {
            &json["radar"]
        };
        assert_eq!(radar["indicator"][1]["name"], "Valence");
        assert_eq!(radar["indicator"][1]["max"], 1.0);
        let data = json["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.len(), 3);
        assert_eq!(data[2]["name"], "Catalog average");
        assert_eq!(data[0]["value"], serde_json::json!([0.5, 0.25]));
    }

    #[test]
    fn boxplot_keeps_unit_features_only() {
        let d = |feature| Distribution {
            feature,
            count: 3,
            min: 0.1,
            q1: 0.2,
            median: 0.3,
            q3: 0.4,
            max: 0.5,
        };
        let json = serde_json::to_value(distribution_boxplot(&[
            d(Feature::Energy),
            d(Feature::Tempo),
        ]))
        .unwrap();
        assert_eq!(json["xAxis"]["data"], serde_json::json!(["Energy"]));
        assert_eq!(
            json["series"][0]["data"],
            serde_json::json!([[0.1, 0.2, 0.3, 0.4, 0.5]])
        );
    }
}
