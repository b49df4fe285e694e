//! The frame every chart shares, drawn without script: the scale on the
//! left (top first), the SVG plot with a dashed line at half its height and
//! its bottom axis, and the labels under it; a chart draws its marks into
//! the plot and may lay something over it (the Monitor's readout).

use super::monitor::chart::{HEIGHT, WIDTH};
use leptos::prelude::*;

/// A label under the plot and where it stands, in percent from the left.
pub type Tick = (String, f64);

#[component]
pub fn ChartFrame(
    /// What the chart shows and over which span: the plot's accessible name.
    name: String,
    /// The scale's labels, top first, spread over the plot's height.
    scale: Vec<String>,
    ticks: Vec<Tick>,
    /// Laid over the plot, after it.
    #[prop(optional)]
    over: Option<AnyView>,
    /// The chart's marks (SVG elements).
    children: Children,
) -> impl IntoView {
    view! {
        <div class="chart-frame">
            <div class="y-axis">
                {scale.into_iter().map(|label| view! { <span>{label}</span> }).collect_view()}
            </div>
            <div class="plot">
                <svg
                    class="chart"
                    viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                    role="img"
                    aria-label=name
                    preserveAspectRatio="none"
                >
                    <line class="grid" x1="0" y1=HEIGHT / 2.0 x2=WIDTH y2=HEIGHT / 2.0 />
                    <line class="axis" x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT />
                    {children()}
                </svg>
                {over}
            </div>
            <div class="x-axis">
                {ticks
                    .into_iter()
                    .map(|(label, left)| {
                        view! { <span style:left=format!("{left:.1}%")>{label}</span> }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}
