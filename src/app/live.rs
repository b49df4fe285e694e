//! The pages' one refresh mechanism. Pages are rendered on the server and
//! are not hydrated: the browser runs only islands. This one follows the
//! change watcher's announcements (`GET /api/changes`) and, when an area
//! the page shows is announced, reads the page again and morphs it into
//! the new one (`morph.rs`), so that what did not change stays as it is: a
//! form being filled in, the focus, a row being read. A page shows every
//! area but a job's progress (the header's database status follows them
//! all); a page with an element marked `data-follows-job` shows that too.
//! Without JavaScript a page is rendered once. The island also keeps a
//! person's place on the page across a form's post (`place.rs`).

#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "hydrate")]
mod morph;
#[cfg(feature = "hydrate")]
mod place;

use leptos::prelude::*;

/// `read_at` is the announcements' version when the page was read: the
/// stream's greeting says its version, and a page read before an
/// announcement it has not seen reads again. Sets `data-hydrated` on the
/// shell once it runs, and keeps the person's place across a form's post.
#[island]
pub fn LiveRefresh(read_at: u64) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        place::keep();
        browser::listen(read_at);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = read_at;
}
