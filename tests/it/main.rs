//! The integration tests, as one binary so the suite links once (as zero2prod does): one
//! module per concern, helpers shared in [`common`]. Hardware is replaced by simulators that
//! speak the real protocols, and the data centre by real `vendor serve` processes or the
//! in-process vendor over SQLite and PostgreSQL.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

mod admin_accounts;
mod cli_simulate;
mod cli_void;
mod contact_agenda;
mod counter_voids;
mod crash;
mod crypto_module;
mod embedded_funds;
mod indicium;
mod key_management;
mod keys;
mod kiosk_checkout;
mod kiosk_devices_e2e;
mod kiosk_e2e;
mod kiosk_flow;
mod kiosk_found_in_use;
mod kiosk_no_cut;
mod kiosk_refusals;
mod kiosk_release;
mod kiosk_screens;
mod kiosk_screens_supervisor;
mod kiosk_unfinished_sale;
mod kiosk_vendor_e2e;
mod lease_certificates;
mod link_http2;
mod local_date;
mod lottery;
mod lottery_claims;
mod lottery_cli;
mod mail_scans;
mod modem_link;
mod offline_labels;
mod offline_lease;
mod payment_accounts;
mod payment_cards;
mod print;
mod printer_device;
mod printer_status;
mod psd;
mod rates;
mod rates_data;
mod rates_international;
mod refill_grants;
mod release_download;
mod release_rollback;
mod release_switch;
mod sale;
mod sale_international;
mod scale;
mod scale_hid;
mod scale_sics;
mod secrets_at_rest;
mod security_levels;
mod sqlite_locks;
mod station_in_process;
mod store_migrations;
mod style;
mod tracking;
mod tui_bench;
mod update_root;
mod updates;
mod updates_prices;
mod vendor_api;
mod vendor_auth;
mod vendor_card_payments;
mod vendor_concurrency;
mod vendor_crash;
mod vendor_funds;
mod vendor_idempotency;
mod vendor_labels;
mod vendor_link;
mod vendor_metrics;
mod vendor_midnight;
mod vendor_openapi;
mod vendor_reconcile;
mod vendor_sessions;
mod vendor_tls;
mod virtual_printer;
mod withdrawal;
