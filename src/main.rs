//! The `forest-runbook` program: reads the settings, sets up logging, opens
//! the database (a URI or the embedded server), and runs a subcommand.

use clap::Parser;
use forest_runbook::auth;
use forest_runbook::cli::reports;
use forest_runbook::cli::steps::backup::BackupStep;
use forest_runbook::cli::steps::{self, Step};
use forest_runbook::cli::{
    BackupCommand, Cli, Command, DemoDataArgs, PrismaCommand, StepArgs, UserCommand,
};
use forest_runbook::config::{ProcessEnv, Settings};
use forest_runbook::db::{self, DemoDataSpec, OpenedDatabase};
use forest_runbook::forest::{LogWatcher, Prober};
use forest_runbook::model::Role;
use forest_runbook::notify;
use forest_runbook::ops::Coalesced;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::{BackupStore, Confirmation};
use forest_runbook::ops::checklist::Watched;
use forest_runbook::ops::prisma::PrismaSource;
use forest_runbook::ops::rehearsal::{Rehearsing, Staging};
use forest_runbook::server::{AppState, Application};
use std::process::ExitCode;
use std::time::Duration;

/// How long a command waits, after its step, for its notifications.
const CLI_NOTIFY_WAIT: Duration = Duration::from_secs(30);

/// The modest demo set the first start of the embedded database gets.
const FIRST_START_DEMO: DemoDataSpec = DemoDataSpec {
    users: 40,
    tasks: 1_500,
    sessions: 800,
    messy: true,
    seed: 2026,
};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("forest-runbook: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

async fn run(cli: Cli) -> Result<(), AnyError> {
    let settings = Settings::load(&cli.config, &ProcessEnv)?;
    let _log_guard = forest_runbook::telemetry::init(&settings.paths.logs_dir)?;
    let mut opened = db::open(&settings.database).await?;
    let store = BackupStore::from_settings(&settings);
    let prisma = PrismaSource::from_settings(&settings);
    let command = cli.command.unwrap_or(Command::Serve);
    if !matches!(command, Command::Serve) {
        // `serve` attaches its own, in `AppState::new`.
        let link_base = settings.notify.link_base(settings.server.address);
        let outbox = notify::start(&settings.notify, &link_base, &opened.database);
        opened.database = opened.database.clone().with_outbox(outbox);
    }
    let outcome = match command {
        Command::Serve => serve(settings, &opened).await,
        Command::DemoData(args) => demo_data(&opened, args).await,
        Command::User(UserCommand::Add { name, role, json }) => {
            add_user(&opened, &name, role, json).await
        }
        Command::Plan(args) => step(&opened, (&store, &prisma), Step::Plan, &args).await,
        Command::Migrate(args) => {
            let without_backup = args.without_backup.clone().unwrap_or_default();
            let migrate = Step::Migrate {
                without_backup: &without_backup,
            };
            step(&opened, (&store, &prisma), migrate, &args.step).await
        }
        Command::Verify(args) => step(&opened, (&store, &prisma), Step::Verify, &args).await,
        Command::Probe(args) => probe(&settings, &opened, args.json).await,
        Command::Revert(args) => {
            let confirmation = args.confirm.clone();
            step(
                &opened,
                (&store, &prisma),
                Step::Revert {
                    confirmation: &confirmation,
                },
                &args.step,
            )
            .await
        }
        Command::Rehearse(args) => {
            opened.database.prepare_app_collections().await?;
            let ctx = Rehearsing {
                db: opened.database.clone(),
                backups: store.clone(),
                prisma: prisma.clone(),
                staging: Staging::new(&settings.staging.uri),
            };
            if steps::rehearse::run(&ctx, &args).await? {
                Ok(())
            } else {
                Err("the rehearsal failed: see its steps above".into())
            }
        }
        Command::Duplicates(args) => {
            opened.database.prepare_app_collections().await?;
            if reports::duplicates(&opened.database, &args).await? {
                Ok(())
            } else {
                Err("duplicated values would block the migration: see the report above".into())
            }
        }
        Command::Checklist(args) => {
            let db = &opened.database;
            db.prepare_app_collections().await?;
            // This process reads only the lines written from now on; the
            // errors counted before are kept in the database.
            let logs = LogWatcher::new(&settings.forest_logs);
            logs.look();
            let reads = Coalesced::default();
            let watched = Watched {
                logs: &logs,
                backups: &store,
                reads: &reads,
            };
            if steps::checklist::run(db, watched, &args).await? {
                Ok(())
            } else {
                Err("an item needs attention: see the checklist above".into())
            }
        }
        Command::Dedupe(args) => {
            opened.database.prepare_app_collections().await?;
            if steps::dedupe::run(&opened.database, &store, &args).await? {
                Ok(())
            } else {
                Err("duplicates remain: see the report above".into())
            }
        }
        Command::Devices(args) => Ok(reports::devices(&opened.database, args.json).await?),
        Command::Backup(args) => {
            let (step, json) = match &args.action {
                None => (BackupStep::Take { gzip: args.gzip }, args.output.json),
                Some(BackupCommand::Verify { name, output }) => {
                    (BackupStep::Verify(name), output.json)
                }
                Some(BackupCommand::Delete { name, output }) => {
                    (BackupStep::Delete(name), output.json)
                }
                Some(BackupCommand::Import { path, output }) => {
                    (BackupStep::Import(path), output.json)
                }
            };
            backup_step(&opened, &store, step, json).await
        }
        Command::Backups(args) => backup_step(&opened, &store, BackupStep::List, args.json).await,
        Command::Restore(args) => {
            let step = BackupStep::Restore {
                name: &args.backup,
                confirmation: Confirmation {
                    database: &args.confirm,
                    accept_options: args.accept_options,
                },
            };
            backup_step(&opened, &store, step, args.output.json).await
        }
        Command::Prisma(PrismaCommand::Check(args)) => {
            let source = args
                .schema
                .clone()
                .map_or(prisma, |path| PrismaSource::at(Some(path)));
            if steps::prisma::check(&opened.database, &source, &args.step).await? {
                Ok(())
            } else {
                Err("the Forest schema and the migration disagree: see the report above".into())
            }
        }
        Command::Report(args) => {
            let text = reports::deployment(&opened.database, &settings, args.format).await?;
            match &args.output {
                Some(path) => std::fs::write(path, text)
                    .map_err(|error| format!("cannot write {}: {error}", path.display()).into()),
                None => {
                    print!("{text}");
                    Ok(())
                }
            }
        }
    };
    let undelivered = opened.database.outbox().settle(CLI_NOTIFY_WAIT).await;
    if undelivered > 0 {
        eprintln!(
            "forest-runbook: {undelivered} notifications were not delivered within {} s; \
             the step itself is done",
            CLI_NOTIFY_WAIT.as_secs()
        );
    }
    opened.database.shutdown().await;
    if let Some(server) = opened.embedded {
        server.stop().await?;
    }
    outcome
}

async fn serve(settings: Settings, opened: &OpenedDatabase) -> Result<(), AnyError> {
    let db = opened.database.clone();
    let first_start = opened.embedded.as_ref().is_some_and(|s| s.was_fresh());
    db.prepare_app_collections().await?;
    if first_start && settings.database.seed_demo_data {
        let spec = DemoDataSpec {
            messy: settings.database.demo_messy,
            ..FIRST_START_DEMO
        };
        let summary = db.write_demo_data(spec, false).await?;
        tracing::info!(?summary, "wrote demo data into the new embedded database");
        let fixed = Some(settings.database.demo_password.as_str()).filter(|p| !p.is_empty());
        let accounts = auth::create_demo_accounts(&db, fixed).await?;
        println!(
            "Demo accounts of this embedded database (name / password; shown only now, \
             stored only as hashes):"
        );
        for account in accounts {
            println!(
                "  {:<16} {} / {}",
                account.role.label(),
                account.name,
                account.password
            );
        }
    }
    let state = AppState::new(settings, db);
    state.start_watchers();
    let app = Application::build(state).await?;
    let address = app.local_addr()?;
    println!("forest-runbook is ready at http://{address}");
    tracing::info!(%address, "serving");
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped serving");
    Ok(())
}

async fn demo_data(opened: &OpenedDatabase, args: DemoDataArgs) -> Result<(), AnyError> {
    let spec = DemoDataSpec {
        users: args.users,
        tasks: args.tasks,
        sessions: args.sessions,
        messy: args.messy,
        seed: args.seed,
    };
    let summary = opened.database.write_demo_data(spec, args.replace).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "Wrote {} users, {} tasks and {} focus sessions to {}.\n\
             clientId: {} strings ({} duplicates), {} null, {} non-string, {} missing.",
            summary.users,
            summary.tasks,
            summary.focus_sessions,
            summary.database,
            summary.client_id_strings,
            summary.client_id_duplicates,
            summary.client_id_nulls,
            summary.client_id_non_strings,
            summary.client_id_missing,
        );
    }
    Ok(())
}

async fn add_user(
    opened: &OpenedDatabase,
    name: &str,
    role: Role,
    json: bool,
) -> Result<(), AnyError> {
    let password = read_password()?;
    let db = &opened.database;
    db.prepare_app_collections().await?;
    auth::create_account(db, &Actor::from_os_user(), name, role, &password).await?;
    if json {
        println!("{}", serde_json::json!({ "created": name, "role": role }));
    } else {
        println!("Created {name} ({}).", role.label());
    }
    Ok(())
}

async fn step(
    opened: &OpenedDatabase,
    sources: (&BackupStore, &PrismaSource),
    step: Step<'_>,
    args: &StepArgs,
) -> Result<(), AnyError> {
    opened.database.prepare_app_collections().await?;
    if steps::run(&opened.database, sources, step, args).await? {
        Ok(())
    } else {
        Err(format!("{step:?} did not pass: see the report above").into())
    }
}

async fn probe(settings: &Settings, opened: &OpenedDatabase, json: bool) -> Result<(), AnyError> {
    opened.database.prepare_app_collections().await?;
    let prober = Prober::new(settings.forest_api.clone());
    let results = forest_runbook::ops::forest_api::probe_now(
        &opened.database,
        &Actor::from_os_user(),
        &prober,
    )
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        for r in &results {
            let status = r.status.map_or_else(|| "-".to_owned(), |s| s.to_string());
            let mark = if r.passed { "pass" } else { "FAIL" };
            println!(
                "[{mark}] {} {} → {status} in {} ms: {}",
                r.method, r.url, r.latency_ms, r.reason
            );
        }
    }
    if results.iter().all(|r| r.passed) {
        Ok(())
    } else {
        Err("a probe of the Forest API failed: see the report above".into())
    }
}

async fn backup_step(
    opened: &OpenedDatabase,
    store: &BackupStore,
    step: BackupStep<'_>,
    json: bool,
) -> Result<(), AnyError> {
    opened.database.prepare_app_collections().await?;
    Ok(steps::backup::run(&opened.database, store, step, json).await?)
}

/// Prompts twice on a terminal; otherwise reads one line of standard input.
fn read_password() -> Result<String, AnyError> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat it: ")?;
        if first != second {
            return Err("the two passwords differ".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
