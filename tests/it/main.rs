//! Integration tests: the real hub on real sled in a temporary directory,
//! called over real gRPC on loopback. Nothing here is mocked.

// tonic::Status is the error type of every gRPC call these tests make.
#![allow(clippy::result_large_err)]

mod adapter_state;
mod adapters;
mod amqp;
mod appointment;
mod architecture;
mod archive;
mod audit;
mod bad_input;
mod catalog;
mod command_stream;
mod common;
mod config;
mod crash;
mod demo;
mod deploy;
mod dossier_size;
mod existence_probe;
mod field_rules;
mod forward;
mod grpc_edge;
mod idempotency;
mod legal;
mod limits;
mod listing_index;
mod metrics;
mod metrics_relays;
mod notifications;
mod observability;
mod oidc;
mod old_data_directory;
mod online_compaction;
mod partner_event;
mod readme_examples;
mod reconcile;
mod retention;
mod sites;
mod sled_limit;
mod storage;
mod store_reopen;
mod subscription;
mod tls;
mod transitions;
mod web;
mod workspace;
