//! The Prisma page: does the Forest schema.prisma agree with the migration?
//! What a later `prisma db push` would do to the database, the schema edit
//! that keeps the migration's indexes, and each model side by side with the
//! database and the migration.

use super::grid;
use super::loaded::Loaded;
use super::session::{RequireRole, guarded};
use crate::api::prisma_check;
use crate::app::setting::Setting;
use crate::model::{
    ModelComparison, PrismaReport, PushRule, PushStep, Role, SchemaEdit, SchemaState, StepOutcome,
};
use leptos::prelude::*;

#[component]
pub fn PrismaPage() -> impl IntoView {
    let report = guarded(Role::Viewer, || (), |()| prisma_check());
    view! {
        <h1>"Prisma"</h1>
        <RequireRole role=Role::Viewer>
            <Loaded resource=report fallback=|| view! { <p>"Reading the schema…"</p> } let:report>
                <Report report />
            </Loaded>
        </RequireRole>
    }
}

#[component]
fn Report(report: PrismaReport) -> impl IntoView {
    let path = report.schema_path.clone().unwrap_or_default();
    match report.schema.clone() {
        SchemaState::NotConfigured => view! {
            <p class="notice" role="note" data-testid="prisma-not-configured">
                "No Forest schema is configured. Set "
                <Setting section="forest" key="checkout" />
                " (the Forest checkout holding apps/server), or an absolute "
                <Setting section="forest" key="schema" />
                "."
            </p>
        }
        .into_any(),
        SchemaState::Invalid { reason } => view! {
            <p role="alert" data-testid="prisma-invalid">
                {format!("The schema cannot be checked: {reason}")}
            </p>
        }
        .into_any(),
        SchemaState::Read => view! {
            <Verdict report=report.clone() />
            <dl class="figures">
                <div>
                    <dt>"Schema"</dt>
                    <dd>
                        <code>{path}</code>
                    </dd>
                </div>
                <div>
                    <dt>"Provider"</dt>
                    <dd>{report.provider.clone().unwrap_or_default()}</dd>
                </div>
                <div>
                    <dt>"relationMode"</dt>
                    <dd>
                        {report
                            .relation_mode
                            .clone()
                            .unwrap_or_else(|| "prisma (the default)".to_owned())}
                    </dd>
                </div>
                <div>
                    <dt>"Prisma version"</dt>
                    <dd>
                        {report
                            .prisma_version
                            .clone()
                            .map_or(
                                "unknown".to_owned(),
                                |v| {
                                    let pinned = v.locked.or(v.declared).unwrap_or_default();
                                    format!("{pinned} ({})", v.source)
                                },
                            )}
                    </dd>
                </div>
            </dl>
            {(!report.warnings.is_empty())
                .then(|| {
                    view! {
                        <ul class="notice" aria-label="Warnings">
                            {report
                                .warnings
                                .iter()
                                .map(|w| view! { <li>{w.clone()}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
            <section aria-labelledby="push-heading">
                <h2 id="push-heading">"What prisma db push would do"</h2>
                <Steps
                    label="db push on the database now"
                    caption="On the database as it is now"
                    steps=report.push_now.clone()
                />
                {(!report.migration_applied)
                    .then(|| {
                        view! {
                            <Steps
                                label="db push after the migration"
                                caption="Once the migration is applied"
                                steps=report.push_after_migrate.clone()
                            />
                        }
                    })}
            </section>
            {report.edit.clone().map(|edit| view! { <Edit edit /> })}
            <section aria-labelledby="models-heading">
                <h2 id="models-heading">"The migration's models"</h2>
                {report
                    .models
                    .clone()
                    .into_iter()
                    .map(|model| view! { <Model model /> })
                    .collect_view()}
            </section>
            <Rules rules=report.rules.clone() />
        }
        .into_any(),
    }
}

#[component]
fn Verdict(report: PrismaReport) -> impl IntoView {
    if report.agrees {
        view! {
            <p class="ok" role="status" data-testid="prisma-verdict">
                "The schema agrees: prisma db push would keep the migration's indexes."
            </p>
        }
        .into_any()
    } else {
        view! {
            <div role="alert" data-testid="prisma-verdict">
                <p>"The schema and the migration disagree:"</p>
                <ul>
                    {report
                        .disagreements
                        .into_iter()
                        .map(|line| view! { <li>{line}</li> })
                        .collect_view()}
                </ul>
            </div>
        }
        .into_any()
    }
}

#[component]
fn Steps(label: &'static str, caption: &'static str, steps: Vec<PushStep>) -> impl IntoView {
    if steps.is_empty() {
        return view! { <p>{format!("{caption}: nothing, no difference.")}</p> }.into_any();
    }
    view! {
        <table class="grid" aria-label=label>
            <caption>{caption}</caption>
            {grid::head(&["Step", "Collection", "Index", "Why", "Outcome"])}
            <tbody>
                {steps
                    .into_iter()
                    .map(|step| {
                        let outcome = match &step.outcome {
                            StepOutcome::Applies => "applies".to_owned(),
                            StepOutcome::Fails { code, reason } => {
                                format!("fails, code {code}: {reason}")
                            }
                            StepOutcome::NotRun => "not run: db push stopped earlier".to_owned(),
                        };
                        let class = if step.harms_migration { "check-fail" } else { "" };
                        view! {
                            <tr class=class>
                                <td>{step.action.label()}</td>
                                <td>{step.collection}</td>
                                <td>
                                    <code>{step.index}</code>
                                </td>
                                <td>{step.why}</td>
                                <td>{outcome}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Edit(edit: SchemaEdit) -> impl IntoView {
    view! {
        <section aria-labelledby="edit-heading">
            <h2 id="edit-heading">"The edit to schema.prisma"</h2>
            <ul>
                {edit.explanation.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
            <pre aria-label="Schema diff" class="diff">
                <code>{edit.diff}</code>
            </pre>
        </section>
    }
}

#[component]
fn Model(model: ModelComparison) -> impl IntoView {
    let title = format!("{} → {}", model.model, model.collection);
    let found = model.schema_model.clone().map_or_else(
        || "The schema has no model for this collection.".to_owned(),
        |name| format!("Schema model {name}."),
    );
    let field_count = model.fields.len();
    view! {
        <h3>{title.clone()}</h3>
        <p class="detail">{found}</p>
        <table class="grid" aria-label=format!("{} indexes", model.model)>
            {grid::head(
                &["Index", "Keys", "Schema declares", "Database has now", "Migration builds"],
            )}
            <tbody>
                {model
                    .indexes
                    .into_iter()
                    .map(|row| {
                        let or_none = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
                        view! {
                            <tr>
                                <td>
                                    <code>{row.name}</code>
                                </td>
                                <td>{row.keys}</td>
                                <td>{or_none(row.schema)}</td>
                                <td>{or_none(row.database)}</td>
                                <td>{or_none(row.migration)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <details>
            <summary>{format!("Fields ({field_count})")}</summary>
            <table class="grid" aria-label=format!("{} fields", model.model)>
                {grid::head(&["Field", "Stored as", "Type", "Attributes", "Migration's data"])}
                <tbody>
                    {model
                        .fields
                        .into_iter()
                        .map(|f| {
                            view! {
                                <tr>
                                    <td>{f.name}</td>
                                    <td>{f.stored}</td>
                                    <td>{f.type_text}</td>
                                    <td>{f.attributes}</td>
                                    <td>{f.migration.unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </details>
    }
}

#[component]
fn Rules(rules: Vec<PushRule>) -> impl IntoView {
    view! {
        <section aria-labelledby="rules-heading">
            <h2 id="rules-heading">"The rules this prediction follows"</h2>
            <ul>
                {rules
                    .into_iter()
                    .map(|r| {
                        view! {
                            <li>{r.rule} " " <small>{format!("Source: {}", r.source)}</small></li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
