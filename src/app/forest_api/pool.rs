//! The Forest server's Prisma pool, from its logs: the latest open, busy,
//! idle and waiting figures, when they were written, and the most busy
//! connections per minute over the kept minutes; until a pool line is
//! seen, how to have the Forest server write one.

use super::chart::{MinuteLine, RatesChart, per_minute};
use crate::app::loaded::Loaded;
use crate::app::session::GuardedResource;
use crate::app::setting::Setting;
use crate::model::{LogStatus, PoolReading, PrismaPool};
use leptos::prelude::*;

/// The panel, fed by the page's pool resource.
#[component]
pub fn PoolPanel(pool: GuardedResource<PrismaPool>) -> impl IntoView {
    view! {
        <section aria-labelledby="pool-heading">
            <h2 id="pool-heading">"The Forest server's Prisma pool"</h2>
            <Loaded resource=pool let:pool>
                {match pool.latest.clone() {
                    Some(latest) => view! { <Pool pool latest /> }.into_any(),
                    None => how_to_enable(&pool),
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn Pool(pool: PrismaPool, latest: PoolReading) -> impl IntoView {
    let figures = latest.figures;
    let shown = [
        ("Open connections", "pool-open", figures.open),
        ("Busy", "pool-busy", Some(figures.busy)),
        ("Idle", "pool-idle", figures.idle),
        (
            "Queries waiting for a connection",
            "pool-waiting",
            figures.waiting,
        ),
    ];
    let peak = pool.minutes.iter().map(|m| m.busy).max().unwrap_or(0);
    let mut lines = vec![MinuteLine {
        name: "Busy connections",
        class: "series-busy",
        points: per_minute(&pool.minutes, |m| m.at_ms, |m| Some(m.busy)),
    }];
    if pool.minutes.iter().any(|m| m.waiting.is_some()) {
        lines.push(MinuteLine {
            name: "Queries waiting",
            class: "series-waiting",
            points: per_minute(&pool.minutes, |m| m.at_ms, |m| m.waiting),
        });
    }
    view! {
        <dl class="figures" aria-label="Latest pool reading">
            {shown
                .into_iter()
                .map(|(name, id, value)| {
                    view! {
                        <div>
                            <dt>{name}</dt>
                            <dd data-testid=id>
                                {value.map_or_else(|| "—".to_owned(), |v| v.to_string())}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        <p class="detail" data-testid="pool-read-at">
            {format!("Written at {}, the latest pool line in the Forest server's logs.", latest.at)}
        </p>
        <RatesChart
            name=format!(
                "Prisma pool connections busy per minute over the last {} minutes; the highest is {peak}",
                (pool.to_ms - pool.from_ms) / 60_000 + 1,
            )
            lines
            from_ms=pool.from_ms
            to_ms=pool.to_ms
            detail=format!(
                " · the most in each minute with a pool line · kept for {} minutes",
                pool.retain_minutes,
            )
        />
    }
}

/// Says plainly how the Forest server can log its pool.
fn how_to_enable(pool: &PrismaPool) -> AnyView {
    let why = match (pool.status, pool.pattern_set) {
        (LogStatus::Watching, true) => {
            "No line of the Forest server's logs has matched forest_logs.pool_pattern yet, and none carried Prisma's metrics."
        }
        (LogStatus::Watching, false) => {
            "No pool line has been seen in the Forest server's logs yet."
        }
        _ => {
            "No pool line can be read: the Forest server's log folder is not being watched (see Log rates)."
        }
    };
    view! {
        <div class="notice" role="note" data-testid="pool-not-seen">
            <p>{why} " To see the pool here, either:"</p>
            <ul>
                <li>
                    "log Prisma's metrics every few seconds: add "
                    <code>"previewFeatures = [\"metrics\"]"</code>
                    " to the generator block of schema.prisma (Prisma 6.13 or older; later versions removed "
                    <code>"$metrics"</code> "), then in the server "
                    <code>
                        "setInterval(async () => logger.info({ metrics: await prisma.$metrics.json() }, 'prisma metrics'), 10_000)"
                    </code> ";"
                </li>
                <li>
                    "or, if the server logs its pool another way, set "
                    <Setting section="forest_logs" key="pool_pattern" />
                    " to a regular expression with a named group " <code>"busy"</code>
                    " and, if logged, " <code>"open"</code> ", " <code>"idle"</code> " and "
                    <code>"waiting"</code> ", e.g. "
                    <code>
                        "pool open=(?<open>\\d+) busy=(?<busy>\\d+) idle=(?<idle>\\d+) waiting=(?<waiting>\\d+)"
                    </code> "."
                </li>
            </ul>
        </div>
    }
    .into_any()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::{PoolFigures, PoolMinute};

    fn pool(latest: Option<PoolReading>) -> PrismaPool {
        PrismaPool {
            status: LogStatus::Watching,
            latest,
            minutes: vec![
                PoolMinute {
                    at_ms: 1_764_237_600_000,
                    busy: 3,
                    waiting: Some(1),
                },
                PoolMinute {
                    at_ms: 1_764_237_660_000,
                    busy: 8,
                    waiting: None,
                },
            ],
            from_ms: 1_764_234_120_000,
            to_ms: 1_764_237_660_000,
            retain_minutes: 1_440,
            pattern_set: false,
        }
    }

    #[test]
    fn the_pool_reads_as_a_person_reads_it() {
        let latest = PoolReading {
            at: "2026-11-27T10:01:05Z".into(),
            figures: PoolFigures {
                open: Some(10),
                busy: 8,
                idle: Some(2),
                waiting: None,
            },
        };
        let html = view! { <Pool pool=pool(None) latest /> }.to_html();
        for shown in [
            ">10<",
            ">8<",
            ">2<",
            ">—<",
            "Written at 2026-11-27T10:01:05Z",
            "over the last 60 minutes; the highest is 8",
            "Busy connections",
            "Queries waiting",
            "kept for 1440 minutes",
        ] {
            assert!(html.contains(shown), "{shown} in {html}");
        }
    }

    #[test]
    fn without_a_pool_line_it_says_how_to_enable_one() {
        let html = how_to_enable(&pool(None)).to_html();
        for shown in [
            "No pool line has been seen",
            "prisma.$metrics.json()",
            "previewFeatures",
            "FOREST_FOREST_LOGS__POOL_PATTERN",
            "pool_pattern",
        ] {
            assert!(html.contains(shown), "{shown} in {html}");
        }
    }
}
