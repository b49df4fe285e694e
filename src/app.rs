//! Pages and components. Calls `api` for data; never `ops` or `db`.

mod audit;
mod backups;
mod chart;
mod chart_frame;
mod checklist;
mod devices;
mod duplicates;
mod feedback;
mod forest_api;
mod grid;
mod home;
mod layout;
mod live;
mod loaded;
mod login;
mod monitor;
mod prisma;
mod report;
mod runbook;
mod sections;
mod session;
mod setting;
mod settings;
mod status;
mod users;

use audit::AuditPage;
use backups::BackupsPage;
use checklist::ChecklistPage;
use devices::DevicesPage;
use duplicates::DuplicatesPage;
use forest_api::ForestApiPage;
use home::HomePage;
use layout::Header;
use leptos::prelude::*;
use leptos::server::ServerActionError;
use leptos::tachys::view::iterators::StaticVec;
use leptos_meta::{Stylesheet, Title, provide_meta_context};
use leptos_router::any_nested_route::{AnyNestedRoute, IntoAnyNestedRoute};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_query_map;
use leptos_router::{SsrMode, StaticSegment, path};
use login::LoginPage;
use monitor::MonitorPage;
use prisma::PrismaPage;
use report::ReportPage;
#[cfg(feature = "ssr")]
pub use report::report_document;
use runbook::RunbookPage;
pub use sections::Section;
use session::Session;
use settings::SettingsPage;
use users::UsersPage;

/// The HTML document around the app, rendered on the server. The app is
/// not hydrated: the browser runs only its islands (`#[island]`), the
/// page's live refresh and the Monitor's charts.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    use live::LiveRefresh;
    // Before the page reads anything: a change made while it renders is
    // announced after this version.
    let read_at = crate::api::announced_version();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
                <LiveRefresh read_at />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Every route renders in `Async` mode: the server waits for the page's
    // data, so that the page carries it inline.
    view! {
        <Stylesheet id="leptos" href="/pkg/forest-runbook.css" />
        <Title text="forest-runbook" />
        <Router>
            <Pages />
        </Router>
    }
}

/// Everything inside the router. Forms are posted by the browser itself
/// (pages are not hydrated), and a form's post comes back to its page with
/// its error in the address (`__path`, `__err`), and an action made
/// afterwards starts with it. `<Routes>` says so to the pages; the
/// session's sign-in action is made here, above them, so it is said here
/// too.
#[component]
fn Pages() -> impl IntoView {
    let query = use_query_map().get_untracked();
    if let (Some(path), Some(error)) = (query.get("__path"), query.get("__err")) {
        provide_context(ServerActionError::new(&path, &error));
    }
    Session::provide();
    view! {
        <div class="shell" data-hydrated="false">
            <Header />
            <main class="page">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("") ssr=SsrMode::Async view=HomePage />
                    <SectionRoutes />
                    <Route path=path!("login") ssr=SsrMode::Async view=LoginPage />
                    <Route path=path!("users") ssr=SsrMode::Async view=UsersPage />
                    <Route path=path!("settings") ssr=SsrMode::Async view=SettingsPage />
                </Routes>
            </main>
        </div>
    }
}

/// A route for each section, from `Section::ALL`, so that a section's
/// address is written once (`Section::href`), for the links and the route.
#[component(transparent)]
fn SectionRoutes() -> AnyNestedRoute {
    let routes = Section::ALL.map(|section| {
        view! { <Route path=StaticSegment(section.path()) ssr=SsrMode::Async view=move || page(section) /> }
            .into_inner()
    });
    StaticVec::from(routes.to_vec()).into_any_nested_route()
}

/// The page of each section.
fn page(section: Section) -> AnyView {
    match section {
        Section::Runbook => view! { <RunbookPage /> }.into_any(),
        Section::Backups => view! { <BackupsPage /> }.into_any(),
        Section::Checklist => view! { <ChecklistPage /> }.into_any(),
        Section::Duplicates => view! { <DuplicatesPage /> }.into_any(),
        Section::Devices => view! { <DevicesPage /> }.into_any(),
        Section::Monitor => view! { <MonitorPage /> }.into_any(),
        Section::ForestApi => view! { <ForestApiPage /> }.into_any(),
        Section::Prisma => view! { <PrismaPage /> }.into_any(),
        Section::Audit => view! { <AuditPage /> }.into_any(),
        Section::Report => view! { <ReportPage /> }.into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. " <a href="/">"Back to the overview"</a></p>
    }
}
