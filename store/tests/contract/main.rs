//! The store contract: every case runs against SQLite and against a real PostgreSQL.
//!
//! PostgreSQL comes from `ROLLBOOK_TEST_PG_URL`, else the server on 127.0.0.1:5432; each test
//! gets a fresh database there. `scripts/test.sh` starts a throwaway server when none answers.
//! There is no silent skip: without a reachable PostgreSQL the PostgreSQL half fails.

mod accounts;
mod apps;
mod audit;
mod holds;
mod packages;
mod rival;
mod roster;
mod running;
mod samples;
mod sessions;
mod sharing;
mod skipping;
mod support;
mod teachers;
mod writers;

/// Generates `sqlite::NAME` and `postgres::NAME` tests from each `cases::NAME(&Store)`.
macro_rules! contract {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::support::TestDb::sqlite().await;
                    crate::$module::$name(&db).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::support::TestDb::postgres().await;
                    crate::$module::$name(&db).await;
                    db.finish().await;
                }
            )*
        }
    };
}

contract! {
    accounts::connect_reports_backend_and_pings,
    accounts::migrations_are_idempotent,
    accounts::several_servers_can_start_at_once,
    accounts::create_list_and_find_accounts,
    accounts::duplicate_email_is_a_conflict,
    accounts::weak_password_and_bad_email_are_refused,
    accounts::sign_in_refusals_look_the_same,
    accounts::throttling_slows_down_one_account,
    accounts::parallel_guesses_are_throttled_too,
    accounts::throttling_slows_down_one_address,
    accounts::reset_password_ends_sessions_and_lifts_throttle,
    accounts::disabled_account_cannot_sign_in_or_keep_sessions,
    accounts::first_admin_is_created_once,
    accounts::servers_starting_together_create_one_first_admin,
    apps::create_find_and_edit_apps,
    apps::tokens_carry_the_granted_scopes,
    apps::rotation_keeps_the_old_secret_for_the_grace_period,
    apps::oauth1_secrets_and_nonces,
    apps::a_server_remembers_token_checks_briefly,
    sharing::a_share_by_school_gives_its_classes_people_and_references,
    sharing::rules_exclusions_fields_and_roster_changes,
    audit::audit_entries_filter_page_and_cannot_be_changed,
    audit::a_sign_in_is_recorded_with_its_address,
    audit::org_tree_class_search_and_student_count,
    audit::the_data_browser_searches_filters_pages_and_details,
    sessions::sessions_round_trip,
    sessions::sessions_are_shared_between_processes,
    sessions::expired_sessions_are_deleted,
    roster::bulk_then_delta_then_bulk,
    roster::a_rollback_preview_leaves_out_records_changed_back,
    roster::a_source_bulk_leaves_other_sources_alone,
    roster::a_dangling_reference_is_rejected_with_its_line,
    holds::holds_trigger_above_the_threshold_only,
    holds::the_change_threshold_holds_above_it_only,
    holds::a_hold_that_cannot_keep_its_package_fails,
    holds::an_approval_after_the_roster_changed_is_checked_again,
    roster::the_older_1p2_users_layout_imports_by_column_name,
    skipping::invalid_rows_reject_the_package_unless_skipped,
    skipping::every_invalid_row_is_left_out_beyond_the_listed_ones,
    skipping::a_left_out_row_keeps_the_record_the_roster_holds,
    skipping::a_repeated_org_makes_one_role,
    skipping::references_are_checked_under_the_write_lock,
    skipping::values_no_database_can_keep_are_named,
    skipping::a_sourced_id_of_another_source_is_left_out,
    skipping::a_record_referring_to_a_left_out_one_is_kept,
    writers::an_import_stamps_its_records_once_it_holds_the_lock,
    writers::a_rollback_refuses_a_roster_that_moved_on,
    writers::readers_are_not_locked_out_of_a_table_being_loaded,
    running::recovery_leaves_imports_that_still_run_alone,
    roster::rollback_restores_exactly,
    samples::samples_import_or_are_rejected_as_documented,
    teachers::a_teacher_is_invited_sets_a_password_and_sees_only_own_classes,
    teachers::teachers_review_their_lists_and_admins_resolve_the_issues,
    teachers::teachers_share_their_own_classes_and_request_apps,
}
