//! The browser's bundle (its WebAssembly and JavaScript) and the stylesheet,
//! from the site's `pkg` folder, sent as brotli or gzip when the build left
//! a compressed copy beside a file (`scripts/serve-release.sh` does, with
//! `scripts/release-tools/precompress.mjs`) and the browser accepts it;
//! as built otherwise. Compressed once at build time, not per download:
//! brotli took 3 s of the debug server's time for the debug bundle (41 MB)
//! and 44 ms of the release server's for the release one (2.5 MB), for
//! every browser that had not cached it.
//!
//! A copy older than its file (the bundle was built again without them)
//! would send the browser an old bundle with new glue code: then no copy
//! is used, and the log says which one is stale.

use crate::config::SiteSettings;
use std::path::Path;
use std::time::SystemTime;
use tower_http::services::ServeDir;

/// The suffixes of the compressed copies `ServeDir` looks for.
const COPIES: [&str; 2] = [".br", ".gz"];

/// The service of the site's `pkg` folder.
pub fn bundle(site: &SiteSettings) -> ServeDir {
    let folder = site.root.join(&site.pkg_dir);
    let served = ServeDir::new(&folder);
    match stale_copy(&folder) {
        None => served.precompressed_br().precompressed_gzip(),
        Some(stale) => {
            tracing::warn!(
                copy = %stale,
                "a compressed copy of the bundle is older than its file; the bundle is sent uncompressed"
            );
            served
        }
    }
}

/// A compressed copy in `folder` older than the file it copies, if any.
fn stale_copy(folder: &Path) -> Option<String> {
    let modified = |path: &Path| -> Option<SystemTime> { path.metadata().ok()?.modified().ok() };
    let entries = std::fs::read_dir(folder).ok()?;
    entries.flatten().find_map(|entry| {
        let copy = entry.path();
        let name = copy.file_name()?.to_str()?.to_owned();
        let original = COPIES
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .map(|plain| folder.join(plain))?;
        let stale = modified(&copy)? < modified(&original)?;
        stale.then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::{File, FileTimes};
    use std::time::Duration;

    fn touch(path: &Path, at: SystemTime) {
        File::options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .expect("open")
            .set_times(FileTimes::new().set_modified(at))
            .expect("times");
    }

    #[test]
    fn a_copy_older_than_its_file_is_found_and_fresh_or_lone_copies_are_not() {
        let dir = tempfile::tempdir().expect("dir");
        let now = SystemTime::now();
        let earlier = now - Duration::from_secs(60);
        touch(&dir.path().join("app.wasm"), earlier);
        touch(&dir.path().join("app.wasm.br"), now);
        touch(&dir.path().join("orphan.js.gz"), earlier);
        assert_eq!(stale_copy(dir.path()), None);
        touch(&dir.path().join("app.wasm"), now + Duration::from_secs(60));
        assert_eq!(stale_copy(dir.path()), Some("app.wasm.br".to_owned()));
        assert_eq!(stale_copy(&dir.path().join("missing")), None);
    }
}
