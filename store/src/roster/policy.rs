//! The district's import policy: skip-invalid and the safety-hold thresholds, stored in
//! `roster_settings` so the CLI, the console and the drop folder share them.

use std::collections::BTreeMap;

use super::tables::{by_name, TABLES};
use crate::{db::with_pool, Store, StoreError};

/// Default: hold an import that deletes more than this percentage of an entity's records.
pub const DEFAULT_DELETE_PERCENT: f64 = 10.0;
/// Default: hold an import that changes (updates or deletes) more than this percentage.
pub const DEFAULT_CHANGE_PERCENT: f64 = 75.0;

/// The effective policy.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportPolicy {
    /// Apply the valid rows of a package with invalid ones (and report each skipped row).
    pub skip_invalid: bool,
    settings: BTreeMap<String, String>,
}

impl ImportPolicy {
    /// The delete threshold for `table`: its own setting, else the global one, else 10%.
    pub fn delete_percent(&self, table: &str) -> f64 {
        self.percent(&format!("hold.{table}.delete_percent"), "hold.delete_percent", DEFAULT_DELETE_PERCENT)
    }

    /// The change threshold for `table`: its own setting, else the global one, else 75%.
    pub fn change_percent(&self, table: &str) -> f64 {
        self.percent(&format!("hold.{table}.change_percent"), "hold.change_percent", DEFAULT_CHANGE_PERCENT)
    }

    fn percent(&self, own: &str, global: &str, default: f64) -> f64 {
        self.settings
            .get(own)
            .or_else(|| self.settings.get(global))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// Every setting that is set, as stored.
    pub fn settings(&self) -> &BTreeMap<String, String> {
        &self.settings
    }
}

/// Checks a setting's key and value; returns the value as it is stored.
fn check_setting(key: &str, value: &str) -> Result<String, StoreError> {
    let known = "skip_invalid, hold.delete_percent, hold.change_percent, hold.<entity>.delete_percent, hold.<entity>.change_percent";
    if key == "skip_invalid" {
        return match value {
            "true" | "false" => Ok(value.into()),
            _ => Err(StoreError::Invalid(format!("skip_invalid must be true or false, not `{value}`"))),
        };
    }
    let parts: Vec<&str> = key.split('.').collect();
    let ok = match parts.as_slice() {
        ["hold", "delete_percent" | "change_percent"] => true,
        ["hold", table, "delete_percent" | "change_percent"] => by_name(table).is_some(),
        _ => false,
    };
    if !ok {
        let entities: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        return Err(StoreError::Invalid(format!("unknown setting `{key}`; known: {known} (entities: {})", entities.join(", "))));
    }
    match value.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(value.into()),
        _ => Err(StoreError::Invalid(format!("{key} must be a percentage from 0 to 100, not `{value}`"))),
    }
}

impl Store {
    /// The import policy now in force.
    pub async fn import_policy(&self) -> Result<ImportPolicy, StoreError> {
        let rows: Vec<(String, String)> =
            with_pool!(&self.db, pool => sqlx::query_as("SELECT key, value FROM roster_settings").fetch_all(pool).await?);
        // `teacher.` keys belong to the teachers' console (roster::teaching), and the key of a
        // first import being loaded (roster::shadow) to that import: neither is policy.
        let settings: BTreeMap<String, String> = rows
            .into_iter()
            .filter(|(k, _)| !k.is_empty() && !k.starts_with("teacher.") && k != super::shadow::KEY)
            .collect();
        Ok(ImportPolicy { skip_invalid: settings.get("skip_invalid").is_some_and(|v| v == "true"), settings })
    }

    /// Sets one policy setting (see [`ImportPolicy`]); `None` removes it (back to the default).
    pub async fn set_import_setting(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(value) => {
                let value = check_setting(key, value)?;
                with_pool!(&self.db, pool => sqlx::query(
                    "INSERT INTO roster_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .bind(key).bind(value).execute(pool).await?.rows_affected());
            }
            None => {
                check_setting(key, if key == "skip_invalid" { "false" } else { "0" })?;
                with_pool!(&self.db, pool => sqlx::query("DELETE FROM roster_settings WHERE key = $1").bind(key).execute(pool).await?.rows_affected());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert!(check_setting("skip_invalid", "true").is_ok());
        assert!(check_setting("skip_invalid", "yes").is_err());
        assert!(check_setting("hold.delete_percent", "12.5").is_ok());
        assert!(check_setting("hold.users.change_percent", "50").is_ok());
        assert!(check_setting("hold.people.change_percent", "50").unwrap_err().to_string().contains("unknown setting"));
        assert!(check_setting("hold.delete_percent", "101").is_err());
    }

    #[test]
    fn a_table_setting_overrides_the_global_one() {
        let settings: BTreeMap<String, String> =
            [("hold.delete_percent", "20"), ("hold.users.delete_percent", "5")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let policy = ImportPolicy { skip_invalid: false, settings };
        assert_eq!(policy.delete_percent("users"), 5.0);
        assert_eq!(policy.delete_percent("classes"), 20.0);
        assert_eq!(policy.change_percent("classes"), DEFAULT_CHANGE_PERCENT);
    }
}
