//! Where a rehearsal's copy lives: a new scratch database on the server
//! that `[staging] uri` names, or on this one when that is empty. Either
//! way the copy is a database of its own, so nothing on either server is
//! overwritten, and it is dropped at the end.

use crate::db::Database;
use crate::model::Rehearsal;
use crate::ops::OpsError;
use time::OffsetDateTime;

/// MongoDB's limit on a database name's length, in bytes.
const NAME_LIMIT: usize = 63;

#[derive(Debug, Clone, Default)]
pub struct Staging {
    /// Empty: this server.
    uri: String,
}

impl Staging {
    pub fn new(uri: &str) -> Self {
        Self {
            uri: uri.trim().to_owned(),
        }
    }

    /// Where copies go, as people read it.
    pub fn server(&self) -> &'static str {
        if self.uri.is_empty() {
            "this server"
        } else {
            "the staging server"
        }
    }

    /// A handle on the scratch database `name` where copies go.
    pub(super) async fn copy(
        &self,
        production: &Database,
        name: &str,
    ) -> Result<Database, OpsError> {
        if self.uri.is_empty() {
            return Ok(production.sibling(name));
        }
        let staging = Database::connect(&self.uri, name).await?;
        Ok(staging.sibling(name))
    }

    /// Drops the scratch database a stopped rehearsal left, when it is
    /// still there; a failure is logged, never in the way of a new one.
    pub(super) async fn drop_leftover(&self, production: &Database, stopped: &Rehearsal) {
        if stopped.server != self.server() {
            return;
        }
        let dropped = match self.copy(production, &stopped.database).await {
            Ok(copy) => {
                let dropped = copy.drop_database().await;
                self.close(&copy).await;
                dropped.map_err(OpsError::from)
            }
            Err(error) => Err(error),
        };
        if let Err(error) = dropped {
            tracing::warn!(%error, database = %stopped.database, "could not drop a stopped rehearsal's copy");
        }
    }

    /// Ends the staging client's background work; this server's client is
    /// production's and stays open.
    pub(super) async fn close(&self, copy: &Database) {
        if !self.uri.is_empty() {
            copy.shutdown().await;
        }
    }
}

/// `<db>_rehearsal_<yyyymmddThhmmssSSS>` (to the millisecond: the name is
/// the rehearsal's id, and a second rehearsal can start within the second
/// the first one ended), or a refusal when that is longer than a database
/// name may be.
pub(super) fn scratch_name(database: &str) -> Result<String, OpsError> {
    let now = OffsetDateTime::now_utc();
    let name = format!(
        "{database}_rehearsal_{:04}{:02}{:02}t{:02}{:02}{:02}{:03}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    );
    if name.len() > NAME_LIMIT {
        return Err(OpsError::InvalidInput {
            field: "database.name",
            message: format!(
                "{database} is too long for a rehearsal copy's name ({name} exceeds {NAME_LIMIT} bytes)"
            ),
        });
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_carry_the_database_and_the_time_and_fit_the_limit() {
        let name = scratch_name("forest").expect("fits");
        assert!(name.starts_with("forest_rehearsal_"), "{name}");
        assert_eq!(name.len(), "forest_rehearsal_20261202t151500123".len());
        assert!(scratch_name(&"x".repeat(50)).is_err());
    }

    #[test]
    fn rehearsals_started_within_one_second_get_names_of_their_own() {
        let first = scratch_name("forest").expect("fits");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = scratch_name("forest").expect("fits");
        assert_ne!(first, second);
    }

    #[test]
    fn without_a_uri_copies_stay_on_this_server() {
        assert_eq!(Staging::new("  ").server(), "this server");
        assert_eq!(
            Staging::new("mongodb://staging:27017").server(),
            "the staging server"
        );
    }
}
