//! `rollbook export --app A --out F.zip [--since T] [--version 1.1|1.2]`: an app's share as a
//! OneRoster CSV package, as the app would download it.

use oneroster::{model::{format_datetime, parse_datetime, DateTimeStrictness}, Version};
use store::{delivery::{ExportOptions, DEFAULT_TOMBSTONE_DAYS}, Disclosure};

use crate::{cli::{ExportArgs, GlobalArgs}, config, CliError};

pub(crate) async fn run(global: &GlobalArgs, args: ExportArgs) -> Result<(), CliError> {
    // An export reads the app's whole share: through the memory map (see `StoreOptions`).
    let store = store::connect_with(&config::database_url(global), store::StoreOptions { memory_map: true, ..Default::default() })
        .await
        .map_err(CliError::from_connect)?;
    let result = export(&store, args).await;
    store.close().await;
    result
}

async fn export(store: &store::Store, args: ExportArgs) -> Result<(), CliError> {
    let app = store.find_app(&args.app).await?;
    let version = match args.version.as_deref() {
        None if app.versions.contains(&Version::V1p2) => Version::V1p2,
        None => Version::V1p1,
        Some("1.1") => Version::V1p1,
        Some("1.2") => Version::V1p2,
        Some(other) => return Err(CliError::Config(format!("--version `{other}`: use 1.1 or 1.2"))),
    };
    if !app.versions.contains(&version) {
        return Err(CliError::Config(format!("`{}` is not offered OneRoster {version}", app.name)));
    }
    let since = args
        .since
        .as_deref()
        .map(|t| {
            parse_datetime(t, DateTimeStrictness::Lenient).map(|(t, _)| t).ok_or_else(|| {
                CliError::Config(format!("--since `{t}` is not a date and time such as 2026-09-01T00:00:00.000Z"))
            })
        })
        .transpose()?;
    let share = store.share(app.id).await?;
    let view = store.delivery_view(app.id, time::Duration::days(DEFAULT_TOMBSTONE_DAYS)).await?;
    let started = std::time::Instant::now();
    let options = ExportOptions { version, since, demographics: share.demographics };
    let summary = store.export_package(&view, &options, &args.out).await?;
    let channel = if version == Version::V1p1 { "csv-1.1" } else { "csv-1.2" };
    let parameters = since.map(|t| format!("since={}", format_datetime(t))).unwrap_or_default();
    let mut disclosure = Disclosure::now(app.id, channel, "export", "rollbook export", &parameters);
    disclosure.records = summary.records;
    disclosure.duration_ms = started.elapsed().as_millis() as u64;
    store.log_disclosures(&[disclosure]).await?;
    let files: Vec<String> = summary.files.iter().map(|(f, n)| format!("{f} {n}")).collect();
    println!(
        "Wrote {} ({} OneRoster {version}, {} records: {}).",
        args.out.display(),
        if since.is_some() { "delta" } else { "bulk" },
        summary.records,
        files.join(", ")
    );
    Ok(())
}
